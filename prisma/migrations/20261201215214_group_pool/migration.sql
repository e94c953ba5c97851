-- CreateEnum
CREATE TYPE "PoolQueueStatus" AS ENUM ('WAITING', 'PROMOTED', 'REPLACED', 'REMOVED', 'EXPIRED');

-- AlterEnum
ALTER TYPE "SignalStatus" ADD VALUE 'WAITING';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "poolSettings" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "PoolQueueEntry" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "traderId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL DEFAULT '',
    "side" "PositionSide" NOT NULL,
    "signalId" TEXT NOT NULL,
    "continuation" BOOLEAN NOT NULL DEFAULT false,
    "replacements" INTEGER NOT NULL DEFAULT 0,
    "status" "PoolQueueStatus" NOT NULL DEFAULT 'WAITING',
    "queuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "endReason" TEXT,

    CONSTRAINT "PoolQueueEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PoolQueueEntry_signalId_key" ON "PoolQueueEntry"("signalId");

-- CreateIndex
CREATE INDEX "PoolQueueEntry_userId_status_queuedAt_idx" ON "PoolQueueEntry"("userId", "status", "queuedAt");

-- CreateIndex
CREATE INDEX "PoolQueueEntry_traderId_symbol_timeframe_status_idx" ON "PoolQueueEntry"("traderId", "symbol", "timeframe", "status");

-- AddForeignKey
ALTER TABLE "PoolQueueEntry" ADD CONSTRAINT "PoolQueueEntry_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PoolQueueEntry" ADD CONSTRAINT "PoolQueueEntry_signalId_fkey" FOREIGN KEY ("signalId") REFERENCES "Signal"("id") ON DELETE CASCADE ON UPDATE CASCADE;
