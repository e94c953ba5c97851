-- CreateTable
CREATE TABLE "TraderTotals" (
    "traderId" TEXT NOT NULL,
    "closedRealizedPnl" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "lastClosedAt" TIMESTAMP(3),

    CONSTRAINT "TraderTotals_pkey" PRIMARY KEY ("traderId")
);

-- AddForeignKey
ALTER TABLE "TraderTotals" ADD CONSTRAINT "TraderTotals_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every trader has its row from the start (createTrader writes it too), so keeping it is always an
-- update in place: the first close never waits for a foreign-key check on a locked Trader row.
INSERT INTO "TraderTotals" ("traderId", "closedRealizedPnl", "lastClosedAt")
SELECT t.id, COALESCE(c.realized, 0), c."lastClosedAt"
FROM "Trader" t LEFT JOIN (
  SELECT p."traderId", sum(p."realizedPnl") AS realized, max(p."closedAt") AS "lastClosedAt" FROM "Position" p WHERE p.status = 'CLOSED' GROUP BY p."traderId"
) c ON c."traderId" = t.id;
