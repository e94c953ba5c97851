-- AlterTable
ALTER TABLE "Position" ADD COLUMN     "dayPnlMark" DECIMAL(36,18),
ADD COLUMN     "dayPnlMarkAt" TIMESTAMP(3);
