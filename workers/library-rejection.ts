/**
 * Whether an unhandled promise rejection was raised inside ccxt itself: its websocket client can
 * leave a promise nobody awaits rejected when a connection closes (seen with ccxt 4.5.84 pro, a
 * second subscribe queued behind its rate limiter). That is a dropped stream, which the stream's
 * owner notices and redials, not a fault in our state; anything else unhandled is a bug of ours.
 */
export function isCcxtInternalRejection(reason: unknown): boolean {
  const stack = reason instanceof Error ? (reason.stack ?? '') : ''
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l))
  return frames.length > 0 && /node_modules[\\/]ccxt[\\/]/.test(frames[0]!)
}
