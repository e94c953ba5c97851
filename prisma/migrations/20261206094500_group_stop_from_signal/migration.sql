-- A group whose stop the opening signal gave (stop_loss) keeps that stop: the settings' stop
-- distance no longer replaces it on the first sync (which put it above the DCA legs the planner
-- had accepted because the signal's stop was below them).
ALTER TABLE "PositionGroup" ADD COLUMN "stopFromSignal" BOOLEAN NOT NULL DEFAULT false;
