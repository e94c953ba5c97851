-- User-wide limits are judged per book: a user's traders whose accounts share a mode (paper,
-- testnet, live) and a quote currency. Before, they added up every trader: paper money diluted a
-- live account's loss and exposure percentages, paper positions counted against live ones, and
-- USDT and BTC amounts were summed as one number. The drawdown peak is kept per book.
CREATE TABLE "UserBookPeak" (
    "userId" TEXT NOT NULL,
    "mode" "AccountMode" NOT NULL,
    "quoteCurrency" TEXT NOT NULL,
    "pnlPeak" DECIMAL(36,18) NOT NULL DEFAULT 0,

    CONSTRAINT "UserBookPeak_pkey" PRIMARY KEY ("userId","mode","quoteCurrency")
);

ALTER TABLE "UserBookPeak" ADD CONSTRAINT "UserBookPeak_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A user whose traders all share one book keeps the peak: it was that book's. A mixed sum means
-- nothing for any one book: those start from their current PnL on the worker's next pass.
INSERT INTO "UserBookPeak" ("userId", "mode", "quoteCurrency", "pnlPeak")
SELECT u.id, MIN(a.mode::text)::"AccountMode", MIN(a."quoteCurrency"), u."pnlPeak"
FROM "User" u JOIN "Trader" t ON t."userId" = u.id JOIN "ExchangeAccount" a ON a.id = t."accountId"
WHERE u."pnlPeak" <> 0
GROUP BY u.id, u."pnlPeak"
HAVING COUNT(DISTINCT (a.mode, a."quoteCurrency")) = 1;

ALTER TABLE "User" DROP COLUMN "pnlPeak";
