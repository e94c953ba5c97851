-- CreateEnum
CREATE TYPE "SignalStatus" AS ENUM ('ACCEPTED', 'PROCESSING', 'DONE', 'REJECTED', 'FAILED', 'DUPLICATE');

-- AlterTable
ALTER TABLE "Position" ADD COLUMN     "signalId" TEXT;

-- AlterTable
ALTER TABLE "Trader" ADD COLUMN     "signalSettings" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "webhookSecretAt" TIMESTAMP(3),
ADD COLUMN     "webhookSecretEnc" TEXT,
ADD COLUMN     "webhookSecretHint" TEXT;

-- CreateTable
CREATE TABLE "Signal" (
    "id" TEXT NOT NULL,
    "traderId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'tradingview',
    "idempotencyKey" TEXT,
    "payloadHash" TEXT NOT NULL,
    "contentType" TEXT,
    "remoteAddr" TEXT,
    "body" TEXT NOT NULL,
    "payload" JSONB,
    "symbol" TEXT,
    "action" TEXT,
    "intent" TEXT,
    "signalAt" TIMESTAMP(3),
    "status" "SignalStatus" NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "reason" TEXT,
    "result" JSONB,
    "duplicateOfId" TEXT,
    "positionId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "Signal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Signal_traderId_payloadHash_receivedAt_idx" ON "Signal"("traderId", "payloadHash", "receivedAt");

-- CreateIndex
CREATE INDEX "Signal_traderId_symbol_receivedAt_idx" ON "Signal"("traderId", "symbol", "receivedAt");

-- CreateIndex
CREATE INDEX "Signal_status_receivedAt_idx" ON "Signal"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "Signal_userId_receivedAt_id_idx" ON "Signal"("userId", "receivedAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Signal_traderId_idempotencyKey_key" ON "Signal"("traderId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Position_signalId_key" ON "Position"("signalId");

-- AddForeignKey
ALTER TABLE "Position" ADD CONSTRAINT "Position_signalId_fkey" FOREIGN KEY ("signalId") REFERENCES "Signal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signal" ADD CONSTRAINT "Signal_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;
