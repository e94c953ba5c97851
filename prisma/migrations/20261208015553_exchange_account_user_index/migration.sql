-- CreateIndex
CREATE INDEX "ExchangeAccount_userId_createdAt_idx" ON "ExchangeAccount"("userId", "createdAt");
