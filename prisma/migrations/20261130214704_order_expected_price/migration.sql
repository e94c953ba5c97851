-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "expectedPrice" DECIMAL(36,18);
