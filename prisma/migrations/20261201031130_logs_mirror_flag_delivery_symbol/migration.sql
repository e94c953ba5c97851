-- DropIndex
DROP INDEX "ActivityEvent_userId_symbol_createdAt_id_idx";

-- AlterTable
ALTER TABLE "ActivityEvent" ADD COLUMN     "mirrorsPositionEvent" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "NotificationDelivery" ADD COLUMN     "symbol" TEXT;

-- Backfill: the feed rows recordPositionEvent wrote as copies of audit rows, by the test the logs
-- viewer made on every read until now (no trader, a position, an audit row of that position with
-- the same type and message within a minute).
UPDATE "ActivityEvent" a SET "mirrorsPositionEvent" = true
WHERE a."traderId" IS NULL AND a."positionId" IS NOT NULL AND EXISTS (
  SELECT 1 FROM "PositionEvent" m
  WHERE m."positionId" = a."positionId"
    AND m."createdAt" BETWEEN a."createdAt" - interval '1 minute' AND a."createdAt" + interval '1 minute'
    AND m.type = a.type AND m.message = a.message);

-- Backfill: each delivery carries its event's symbol.
UPDATE "NotificationDelivery" d SET "symbol" = e."symbol" FROM "ActivityEvent" e WHERE e."id" = d."eventId" AND e."symbol" IS NOT NULL;

-- CreateIndex
CREATE INDEX "ActivityEvent_userId_mirrorsPositionEvent_symbol_createdAt__idx" ON "ActivityEvent"("userId", "mirrorsPositionEvent", "symbol", "createdAt", "id");

-- CreateIndex
CREATE INDEX "NotificationDelivery_channelId_symbol_createdAt_id_idx" ON "NotificationDelivery"("channelId", "symbol", "createdAt", "id");
