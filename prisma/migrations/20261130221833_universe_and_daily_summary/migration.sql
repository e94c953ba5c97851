-- AlterTable
ALTER TABLE "Trader" ADD COLUMN     "universe" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "universeError" TEXT,
ADD COLUMN     "universeRefreshedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "dailySummaryAt" TEXT,
ADD COLUMN     "dailySummarySentOn" TEXT;
