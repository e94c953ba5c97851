import { ZERO } from '@/lib/domain/decimal'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ExchangePort, OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'

/**
 * How the exchange should misbehave on the next reduce-only order for a symbol:
 * THROW — a retryable transport error (rate limit); the order never reached the book.
 * REJECT — an answer of REJECTED with a reason.
 * Each entry is used once per `times` (default 1), then the real exchange answers.
 */
export type Misbehaviour = { mode: 'THROW' | 'REJECT'; times?: number }

/**
 * A real paper exchange behind a thin wrapper that refuses chosen exit orders. Everything else —
 * the paper order book, balances, fills in PostgreSQL — is the real thing.
 */
export class FlakyExchange implements ExchangePort {
  readonly calls: { accountId: string; symbol: string; clientOrderId: string; outcome: 'THROWN' | 'REJECTED' | 'PASSED' }[] = []

  constructor(
    private readonly inner: ExchangePort,
    /** Keyed by symbol; shared between the wrappers of several accounts if the test wants. */
    private readonly plan: Map<string, Misbehaviour>,
  ) {}

  get accountId() {
    return this.inner.accountId
  }

  marketRules(symbol: string) {
    return this.inner.marketRules(symbol)
  }

  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    const m = req.reduceOnly ? this.plan.get(req.symbol) : undefined
    if (m) {
      const left = (m.times ?? 1) - 1
      if (left <= 0) this.plan.delete(req.symbol)
      else this.plan.set(req.symbol, { ...m, times: left })
      if (m.mode === 'THROW') {
        this.calls.push({ accountId: this.accountId, symbol: req.symbol, clientOrderId: req.clientOrderId, outcome: 'THROWN' })
        throw new ExchangeError('429 Too Many Requests: order rate limit exceeded (simulated)', true)
      }
      this.calls.push({ accountId: this.accountId, symbol: req.symbol, clientOrderId: req.clientOrderId, outcome: 'REJECTED' })
      return { clientOrderId: req.clientOrderId, exchangeOrderId: null, status: 'REJECTED', filledQty: ZERO, fills: [], rejectReason: 'system busy, try again (simulated)' }
    }
    this.calls.push({ accountId: this.accountId, symbol: req.symbol, clientOrderId: req.clientOrderId, outcome: 'PASSED' })
    return this.inner.placeOrder(req)
  }

  cancelOrder(clientOrderId: string) {
    return this.inner.cancelOrder(clientOrderId)
  }

  fetchOrder(clientOrderId: string) {
    return this.inner.fetchOrder(clientOrderId)
  }

  fetchBalances() {
    return this.inner.fetchBalances()
  }
}
