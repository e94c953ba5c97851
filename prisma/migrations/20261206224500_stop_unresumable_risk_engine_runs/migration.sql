-- A risk-engine run left RUNNING by a version from before 0aa64dc (its process stopped, for an
-- upgrade say) saved the client ids of its exits only after sending them: resumed, it cannot tell
-- which of its partial closes went out, and would sell them again. Such a run has no step with a
-- saved exitClientOrderIdBase. It is stopped here, before any worker of this version resumes it,
-- with its loser left open (as a run that fails part way leaves it). A run of a later version
-- with no base saved yet has sent nothing, so stopping it loses nothing: the engine plans again.
-- (No semicolons in these comments: the migration engine splits statements at every one.)
WITH stopped AS (
  UPDATE "RiskEngineRun" r
  SET status = 'FAILED', "finishedAt" = CURRENT_TIMESTAMP, "updatedAt" = CURRENT_TIMESTAMP,
    message = r.message || ': stopped by an upgrade while it ran: the version that started it did not record its exits before sending them, so resuming it could sell them twice (check the groups it names)'
  WHERE r.status = 'RUNNING'
    AND NOT jsonb_path_exists(r.steps, 'lax $[*].exitClientOrderIdBase')
  RETURNING r."userId", r."loserSymbol", r.message
)
INSERT INTO "ActivityEvent" ("userId", type, severity, message, symbol)
SELECT "userId", 'RISK_ENGINE', 'error', 'Risk engine, failed: ' || message, "loserSymbol" FROM stopped;
