-- CreateEnum
CREATE TYPE "PositionGroupStatus" AS ENUM ('OPEN', 'CLOSING', 'CLOSED');

-- CreateEnum
CREATE TYPE "GroupLegStatus" AS ENUM ('PLANNED', 'PLACED', 'CANCELED', 'FAILED');

-- AlterTable
ALTER TABLE "Position" ADD COLUMN     "groupId" TEXT,
ADD COLUMN     "groupLegId" TEXT;

-- AlterTable
ALTER TABLE "Trader" ADD COLUMN     "groupSettings" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "PositionGroup" (
    "id" TEXT NOT NULL,
    "traderId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL DEFAULT '',
    "side" "PositionSide" NOT NULL,
    "status" "PositionGroupStatus" NOT NULL DEFAULT 'OPEN',
    "settings" JSONB NOT NULL,
    "budgetQuote" DECIMAL(36,18) NOT NULL,
    "plannedNotional" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "avgEntryPrice" DECIMAL(36,18),
    "entryQty" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "firstEntryPrice" DECIMAL(36,18),
    "stopLoss" DECIMAL(36,18),
    "aggregateTarget" DECIMAL(36,18),
    "trailPeak" DECIMAL(36,18),
    "closeReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastPyramidAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PositionGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GroupPyramid" (
    "id" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "signalId" TEXT,
    "entryPrice" DECIMAL(36,18) NOT NULL,
    "capitalQuote" DECIMAL(36,18) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GroupPyramid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GroupLeg" (
    "id" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "pyramidId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "deviationPct" DECIMAL(36,18) NOT NULL,
    "weightPct" DECIMAL(36,18) NOT NULL,
    "price" DECIMAL(36,18) NOT NULL,
    "qty" DECIMAL(36,18) NOT NULL,
    "takeProfitPct" DECIMAL(36,18) NOT NULL,
    "status" "GroupLegStatus" NOT NULL DEFAULT 'PLANNED',
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GroupLeg_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PositionGroup_traderId_symbol_status_idx" ON "PositionGroup"("traderId", "symbol", "status");

-- CreateIndex
CREATE INDEX "PositionGroup_userId_status_createdAt_idx" ON "PositionGroup"("userId", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "GroupPyramid_signalId_key" ON "GroupPyramid"("signalId");

-- CreateIndex
CREATE UNIQUE INDEX "GroupPyramid_groupId_index_key" ON "GroupPyramid"("groupId", "index");

-- CreateIndex
CREATE INDEX "GroupLeg_groupId_status_idx" ON "GroupLeg"("groupId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "GroupLeg_pyramidId_index_key" ON "GroupLeg"("pyramidId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "Position_groupLegId_key" ON "Position"("groupLegId");

-- CreateIndex
CREATE INDEX "Position_groupId_idx" ON "Position"("groupId");

-- AddForeignKey
ALTER TABLE "Position" ADD CONSTRAINT "Position_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PositionGroup"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Position" ADD CONSTRAINT "Position_groupLegId_fkey" FOREIGN KEY ("groupLegId") REFERENCES "GroupLeg"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PositionGroup" ADD CONSTRAINT "PositionGroup_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupPyramid" ADD CONSTRAINT "GroupPyramid_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PositionGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupLeg" ADD CONSTRAINT "GroupLeg_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PositionGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupLeg" ADD CONSTRAINT "GroupLeg_pyramidId_fkey" FOREIGN KEY ("pyramidId") REFERENCES "GroupPyramid"("id") ON DELETE CASCADE ON UPDATE CASCADE;
