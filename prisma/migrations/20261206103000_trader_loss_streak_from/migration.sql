-- A person resuming a trader starts its losing streak afresh: the consecutive-loss breaker counts
-- only trades closed after this moment. Before, the streak ran over all history, so a trader it
-- had paused could not be resumed (409) until the limit was raised or a trade won.
ALTER TABLE "Trader" ADD COLUMN "lossStreakFrom" TIMESTAMP(3);
