-- AlterTable
ALTER TABLE "ExchangeAccount" ADD COLUMN     "orderStreamError" TEXT,
ADD COLUMN     "orderStreamState" TEXT;
