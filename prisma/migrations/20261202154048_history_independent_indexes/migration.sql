-- CreateIndex
CREATE INDEX "PaperFill_paperOrderId_idx" ON "PaperFill"("paperOrderId");

-- CreateIndex
CREATE INDEX "PaperOrder_resting_account_idx" ON "PaperOrder"("accountId") WHERE (status = ANY (ARRAY['SUBMITTED'::"OrderStatus", 'PARTIALLY_FILLED'::"OrderStatus"]));

-- CreateIndex
CREATE INDEX "Position_active_trader_symbol_idx" ON "Position"("traderId", "symbol") WHERE (status <> ALL (ARRAY['CLOSED'::"PositionStatus", 'FAILED'::"PositionStatus"]));

-- CreateIndex
CREATE INDEX "Position_active_account_symbol_idx" ON "Position"("accountId", "symbol") WHERE (status <> ALL (ARRAY['CLOSED'::"PositionStatus", 'FAILED'::"PositionStatus"]));

-- CreateIndex
CREATE INDEX "TakeProfit_positionId_idx" ON "TakeProfit"("positionId");
