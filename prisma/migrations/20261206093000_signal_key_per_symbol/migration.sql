-- A signal's idempotency key is unique per trader and symbol, not per trader: a TradingView
-- alert fires for one ticker, so its retries carry the same symbol, while one strategy alerting
-- on two tickers at the same second sends the same `{{strategy.order.id}}-{{timenow}}` for both
-- (the key the app recommended until now), and the second symbol's signal was taken for a repeat.
DROP INDEX "Signal_traderId_idempotencyKey_key";

CREATE UNIQUE INDEX "Signal_traderId_symbol_idempotencyKey_key" ON "Signal"("traderId", "symbol", "idempotencyKey");
