-- The worker's housekeeping looks, every heartbeat, for journal entries a stopped worker left
-- unsettled and for approvals whose outcome was never recorded. Both are rare rows in tables
-- that only grow, so each is read through a partial index over those rows alone, never the history.

-- CreateIndex
CREATE INDEX "Decision_unsettled_idx" ON "Decision"("createdAt") WHERE ((outcome = 'EXECUTING'::"DecisionOutcome") OR (executed @> '{"steps": [{"status": "PLANNED"}]}'::jsonb));

-- CreateIndex
CREATE INDEX "Approval_unrecorded_idx" ON "Approval"("decidedAt") WHERE ((status = 'APPROVED'::"ApprovalStatus") AND (result IS NULL));
