-- DropIndex
DROP INDEX "PositionEvent_message_idx";

-- AlterTable
ALTER TABLE "ActivityEvent" ADD COLUMN     "positionEventId" TEXT;

-- Backfill: each feed copy of an audit row is linked to it. The k-th copy of a position's (type,
-- message) is linked to its k-th audit row of that type and message, both in time order: each
-- copy was written with its audit row, in the same transaction.
UPDATE "ActivityEvent" a SET "positionEventId" = m.id
FROM (
  SELECT id, "positionId", type, message, row_number() OVER (PARTITION BY "positionId", type, message ORDER BY "createdAt", id) AS k FROM "PositionEvent"
) m, (
  SELECT id, row_number() OVER (PARTITION BY "positionId", type, message ORDER BY "createdAt", id) AS k FROM "ActivityEvent" WHERE "mirrorsPositionEvent"
) c
WHERE a.id = c.id AND m."positionId" = a."positionId" AND m.type = a.type AND m.message = a.message AND m.k = c.k;
