-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "listClientOrderId" TEXT;
