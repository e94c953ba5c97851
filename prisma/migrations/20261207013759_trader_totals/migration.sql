-- CreateTable
CREATE TABLE "TraderTotals" (
    "traderId" TEXT NOT NULL,
    "closedRealizedPnl" DECIMAL(36,18) NOT NULL DEFAULT 0,

    CONSTRAINT "TraderTotals_pkey" PRIMARY KEY ("traderId")
);

-- AddForeignKey
ALTER TABLE "TraderTotals" ADD CONSTRAINT "TraderTotals_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every trader has its row from the start (createTrader writes it too), so keeping it is always an
-- update in place: the first close never waits for a foreign-key check on a locked Trader row.
INSERT INTO "TraderTotals" ("traderId", "closedRealizedPnl")
SELECT t.id, COALESCE((SELECT sum(p."realizedPnl") FROM "Position" p WHERE p."traderId" = t.id AND p.status = 'CLOSED'), 0)
FROM "Trader" t;
