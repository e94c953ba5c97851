-- CreateEnum
CREATE TYPE "AiProvider" AS ENUM ('RULES', 'OPENAI_COMPATIBLE', 'ANTHROPIC');

-- CreateEnum
CREATE TYPE "TraderStatus" AS ENUM ('ACTIVE', 'PAUSED', 'HALTED');

-- CreateEnum
CREATE TYPE "ModificationTrigger" AS ENUM ('AI_ANALYSIS', 'RULE_ENGINE', 'USER_MANUAL');

-- CreateEnum
CREATE TYPE "DecisionOutcome" AS ENUM ('NO_ACTION', 'EXECUTED', 'DRY_RUN', 'PENDING_APPROVAL', 'REJECTED', 'FAILED');

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'FAILED');

-- CreateEnum
CREATE TYPE "ApprovalKind" AS ENUM ('ENTRY', 'EXIT', 'MODIFY');

-- AlterTable
ALTER TABLE "ActivityEvent" ADD COLUMN     "severity" TEXT NOT NULL DEFAULT 'info',
ADD COLUMN     "traderId" TEXT;

-- AlterTable
ALTER TABLE "ExchangeAccount" ADD COLUMN     "halted" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "haltedAt" TIMESTAMP(3),
ADD COLUMN     "haltedReason" TEXT;

-- AlterTable
ALTER TABLE "PositionEvent" ADD COLUMN     "decisionId" TEXT,
ADD COLUMN     "trigger" "ModificationTrigger";

-- AlterTable
ALTER TABLE "Trader" ADD COLUMN     "aiApiKeyEnc" TEXT,
ADD COLUMN     "aiSettings" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "approvals" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "autoTrade" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "dryRun" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lastCycleAt" TIMESTAMP(3),
ADD COLUMN     "lastCycleError" TEXT,
ADD COLUMN     "management" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "nextCycleAt" TIMESTAMP(3),
ADD COLUMN     "pnlPeak" DECIMAL(36,18) NOT NULL DEFAULT 0,
ADD COLUMN     "provider" "AiProvider" NOT NULL DEFAULT 'RULES',
ADD COLUMN     "riskLimits" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "sizing" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "status" "TraderStatus" NOT NULL DEFAULT 'ACTIVE',
ADD COLUMN     "statusChangedAt" TIMESTAMP(3),
ADD COLUMN     "statusReason" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "pnlPeak" DECIMAL(36,18) NOT NULL DEFAULT 0,
ADD COLUMN     "riskLimits" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "timeZone" TEXT NOT NULL DEFAULT 'UTC';

-- CreateTable
CREATE TABLE "Decision" (
    "id" TEXT NOT NULL,
    "traderId" TEXT NOT NULL,
    "cycleId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "positionId" TEXT,
    "provider" "AiProvider" NOT NULL,
    "model" TEXT NOT NULL,
    "promptVersion" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "action" TEXT,
    "confidence" DECIMAL(6,4),
    "reasoning" TEXT NOT NULL DEFAULT '',
    "decision" JSONB,
    "validation" JSONB,
    "outcome" "DecisionOutcome" NOT NULL,
    "executed" JSONB,
    "error" TEXT,
    "latencyMs" INTEGER NOT NULL,
    "modelLatencyMs" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(18,8) NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DecisionCall" (
    "decisionId" TEXT NOT NULL,
    "prompt" JSONB NOT NULL,
    "rawResponse" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "DecisionCall_pkey" PRIMARY KEY ("decisionId")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "traderId" TEXT NOT NULL,
    "decisionId" TEXT,
    "positionId" TEXT,
    "kind" "ApprovalKind" NOT NULL,
    "symbol" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "summary" JSONB NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'PENDING',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "note" TEXT,
    "result" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RiskEvent" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "traderId" TEXT,
    "limit" TEXT NOT NULL,
    "currentValue" TEXT NOT NULL,
    "allowedValue" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "tripped" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RiskEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PanicRun" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "traderId" TEXT,
    "requestedBy" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "report" JSONB NOT NULL DEFAULT '[]',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "PanicRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationChannel" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "urlEnc" TEXT NOT NULL,
    "urlHint" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "eventId" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Decision_traderId_createdAt_idx" ON "Decision"("traderId", "createdAt");

-- CreateIndex
CREATE INDEX "Decision_positionId_idx" ON "Decision"("positionId");

-- CreateIndex
CREATE INDEX "Decision_traderId_symbol_createdAt_idx" ON "Decision"("traderId", "symbol", "createdAt");

-- CreateIndex
CREATE INDEX "Approval_status_expiresAt_idx" ON "Approval"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "Approval_traderId_status_idx" ON "Approval"("traderId", "status");

-- CreateIndex
CREATE INDEX "RiskEvent_accountId_createdAt_idx" ON "RiskEvent"("accountId", "createdAt");

-- CreateIndex
CREATE INDEX "RiskEvent_traderId_createdAt_idx" ON "RiskEvent"("traderId", "createdAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_status_nextAttemptAt_idx" ON "NotificationDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_channelId_eventId_key" ON "NotificationDelivery"("channelId", "eventId");

-- AddForeignKey
ALTER TABLE "Decision" ADD CONSTRAINT "Decision_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DecisionCall" ADD CONSTRAINT "DecisionCall_decisionId_fkey" FOREIGN KEY ("decisionId") REFERENCES "Decision"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RiskEvent" ADD CONSTRAINT "RiskEvent_traderId_fkey" FOREIGN KEY ("traderId") REFERENCES "Trader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PanicRun" ADD CONSTRAINT "PanicRun_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "ExchangeAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationChannel" ADD CONSTRAINT "NotificationChannel_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
