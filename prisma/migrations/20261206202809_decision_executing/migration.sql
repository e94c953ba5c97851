-- A decision's journal entry is written before its steps are sent, as EXECUTING, and its outcome
-- replaces that once they have run: a worker stopped in between no longer leaves a trade with no
-- journal entry (the prompt and answer were lost), and the worker settles what it finds left.
ALTER TYPE "DecisionOutcome" ADD VALUE 'EXECUTING';
