import type { ExchangePort, OrderLookupHint, OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'

/**
 * A real exchange (the paper engine, usually) behind a wrapper that passes every call through:
 * a test overrides the one call it wants to misbehave. The optional calls are left out, so the
 * caller takes the path any exchange without them takes (the order is placed, then applied).
 */
export class DelegatingExchange implements ExchangePort {
  constructor(protected readonly inner: ExchangePort) {}
  get accountId() {
    return this.inner.accountId
  }
  marketRules(symbol: string) {
    return this.inner.marketRules(symbol)
  }
  placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    return this.inner.placeOrder(req)
  }
  cancelOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport> {
    return this.inner.cancelOrder(clientOrderId, hint)
  }
  fetchOrder(clientOrderId: string, hint?: OrderLookupHint) {
    return this.inner.fetchOrder(clientOrderId, hint)
  }
  fetchBalances() {
    return this.inner.fetchBalances()
  }
}
