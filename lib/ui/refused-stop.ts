/**
 * Why a live position has no stop resting, when the exchange said so: the newest resting stop it
 * refused. A back-off ("not sent: …") is no refusal: the keeper sends it again within seconds.
 * Orders oldest first, as the position page lists them.
 */
export function refusedStopReason(orders: { type: string; purpose: string; status: string; rejectReason: string | null }[]): string | null {
  const last = orders.findLast((o) => o.type === 'STOP_MARKET' && o.purpose === 'STOP_LOSS')
  if (last?.status !== 'REJECTED' || !last.rejectReason || last.rejectReason.startsWith('not sent')) return null
  return last.rejectReason
}
