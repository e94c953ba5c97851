-- CreateEnum
CREATE TYPE "RiskEngineRunStatus" AS ENUM ('PLANNED', 'RUNNING', 'DONE', 'FAILED', 'SKIPPED', 'NOT_COVERED');

-- AlterTable
ALTER TABLE "PositionGroup" ADD COLUMN     "riskEngineBlocked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "riskEngineSkipOnce" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "riskEngineTimerFrom" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "riskEngineSettings" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "RiskEngineRun" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dryRun" BOOLEAN NOT NULL,
    "status" "RiskEngineRunStatus" NOT NULL,
    "loserGroupId" TEXT NOT NULL,
    "loserSymbol" TEXT NOT NULL,
    "loss" DECIMAL(36,18) NOT NULL,
    "lossPct" DECIMAL(36,18) NOT NULL,
    "covered" DECIMAL(36,18) NOT NULL,
    "steps" JSONB NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "RiskEngineRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RiskEngineRun_userId_createdAt_idx" ON "RiskEngineRun"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "RiskEngineRun_userId_status_idx" ON "RiskEngineRun"("userId", "status");

-- AddForeignKey
ALTER TABLE "RiskEngineRun" ADD CONSTRAINT "RiskEngineRun_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
