-- CreateTable
CREATE TABLE "BookEntryTotals" (
    "userId" TEXT NOT NULL,
    "mode" "AccountMode" NOT NULL,
    "quoteCurrency" TEXT NOT NULL,
    "entries" BIGINT NOT NULL DEFAULT 0,
    "openedPositions" BIGINT NOT NULL DEFAULT 0,
    "notional" DECIMAL(36,18) NOT NULL DEFAULT 0,

    CONSTRAINT "BookEntryTotals_pkey" PRIMARY KEY ("userId","mode","quoteCurrency")
);

-- AddForeignKey
ALTER TABLE "BookEntryTotals" ADD CONSTRAINT "BookEntryTotals_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
