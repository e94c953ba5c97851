-- Trigram indexes for the logs viewer's free-text search. pg_trgm ships with PostgreSQL
-- (contrib) and is a trusted extension, so managed databases allow it too.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterTable
ALTER TABLE "ActivityEvent" ADD COLUMN     "symbol" TEXT;

-- AlterTable
ALTER TABLE "Decision" ADD COLUMN     "decidedAt" TIMESTAMP(3);

-- Backfill: feed rows about a position carry its symbol.
UPDATE "ActivityEvent" a SET "symbol" = p."symbol" FROM "Position" p WHERE a."positionId" = p."id";

-- CreateIndex
CREATE INDEX "ActivityEvent_userId_symbol_createdAt_id_idx" ON "ActivityEvent"("userId", "symbol", "createdAt", "id");

-- CreateIndex
CREATE INDEX "ActivityEvent_message_idx" ON "ActivityEvent" USING GIN ("message" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "PositionEvent_message_idx" ON "PositionEvent" USING GIN ("message" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "RiskEvent_message_idx" ON "RiskEvent" USING GIN ("message" gin_trgm_ops);
