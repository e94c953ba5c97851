-- An entry's risk read looks at a trader's closes of the day, its latest closes (the losing
-- streak) and its entries of the day. Without these it read every position the trader ever had.

-- CreateIndex
CREATE INDEX "Position_closed_trader_idx" ON "Position"("traderId", "closedAt") WHERE (status = 'CLOSED'::"PositionStatus");

-- CreateIndex
CREATE INDEX "Position_traderId_createdAt_idx" ON "Position"("traderId", "createdAt");
