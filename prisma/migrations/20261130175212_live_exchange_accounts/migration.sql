-- CreateEnum
CREATE TYPE "AccountMode" AS ENUM ('PAPER', 'TESTNET', 'LIVE');

-- CreateEnum
CREATE TYPE "Venue" AS ENUM ('binance', 'coinbase');

-- DropIndex
DROP INDEX "Fill_exchangeFillId_key";

-- AlterTable
ALTER TABLE "ExchangeAccount" ADD COLUMN     "apiKeyEnc" TEXT,
ADD COLUMN     "baseUrl" TEXT,
ADD COLUMN     "canTrade" BOOLEAN,
ADD COLUMN     "canWithdraw" BOOLEAN,
ADD COLUMN     "keyHint" TEXT,
ADD COLUMN     "mode" "AccountMode" NOT NULL DEFAULT 'PAPER',
ADD COLUMN     "reconcileError" TEXT,
ADD COLUMN     "reconciledAt" TIMESTAMP(3),
ADD COLUMN     "secretEnc" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "venue" "Venue",
ADD COLUMN     "verifiedAt" TIMESTAMP(3),
ADD COLUMN     "verifyError" TEXT;

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "Fill_orderId_exchangeFillId_key" ON "Fill"("orderId", "exchangeFillId");
