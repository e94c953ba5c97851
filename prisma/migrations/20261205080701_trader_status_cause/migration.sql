-- CreateEnum
CREATE TYPE "TraderStatusCause" AS ENUM ('PERSON', 'PANIC', 'BREAKER');

-- AlterTable
ALTER TABLE "Trader" ADD COLUMN     "statusCause" "TraderStatusCause";

-- Traders stopped before this column get the cause their reason names: a panic writes
-- "panic by …", a breaker "… until a person resumes it", and any other stop was a person.
UPDATE "Trader" SET "statusCause" = CASE
    WHEN "statusReason" LIKE 'panic by %' THEN 'PANIC'::"TraderStatusCause"
    WHEN "statusReason" LIKE '% until a person resumes it' THEN 'BREAKER'::"TraderStatusCause"
    ELSE 'PERSON'::"TraderStatusCause"
  END
WHERE status <> 'ACTIVE';
