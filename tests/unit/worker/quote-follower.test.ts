import { describe, expect, test } from 'vitest'
import type { Quote } from '@/lib/market-data/quote'
import { QuoteFollower } from '@/workers/market/quote-follower'

// A worker that is not the primary takes its ticks from the quotes the primary publishes, newest
// per symbol. "Newest" was by the publisher's clock alone: after a failover to a primary on a
// machine whose clock is behind, every quote it published looked older than the last one handled
// and was dropped until its clock caught up, so no stop on this worker fired meanwhile.
describe('quote follower: the order quotes are handled in', () => {
  function follower() {
    const handled: string[] = []
    const f = new QuoteFollower(async (q: Quote) => void handled.push(`${q.symbol} ${q.bid.toFixed()}`), () => undefined)
    const offer = async (rows: { symbol?: string; bid: string; receivedAt: number; epoch?: number }[]) => {
      f.offer(JSON.stringify(rows.map((r) => ({ symbol: r.symbol ?? 'BTC/USDT', bid: r.bid, ask: r.bid, last: r.bid, receivedAt: r.receivedAt, epoch: r.epoch }))))
      await new Promise((r) => setTimeout(r, 0))
    }
    return { handled, offer }
  }

  test('from one publisher, a quote older than one handled is dropped', async () => {
    const { handled, offer } = follower()
    await offer([{ bid: '100', receivedAt: 2_000, epoch: 1 }])
    await offer([{ bid: '99', receivedAt: 1_000, epoch: 1 }])
    await offer([{ bid: '101', receivedAt: 2_000, epoch: 1 }])
    expect(handled).toEqual(['BTC/USDT 100', 'BTC/USDT 101'])
  })

  test('a new primary whose clock is a minute behind is followed at once', async () => {
    const { handled, offer } = follower()
    await offer([{ bid: '100', receivedAt: 1_000_000, epoch: 5_000 }])
    await offer([{ bid: '95', receivedAt: 940_000, epoch: 6_000 }])
    await offer([{ bid: '94', receivedAt: 941_000, epoch: 6_000 }])
    expect(handled).toEqual(['BTC/USDT 100', 'BTC/USDT 95', 'BTC/USDT 94'])
  })

  test('a late quote of the primary it replaced is dropped, whatever its clock says', async () => {
    const { handled, offer } = follower()
    await offer([{ bid: '95', receivedAt: 940_000, epoch: 6_000 }])
    await offer([{ bid: '100', receivedAt: 1_000_000, epoch: 5_000 }])
    expect(handled).toEqual(['BTC/USDT 95'])
  })

  test('symbols are ordered each on its own', async () => {
    const { handled, offer } = follower()
    await offer([{ bid: '100', receivedAt: 2_000, epoch: 1 }, { symbol: 'ETH/USDT', bid: '3000', receivedAt: 1_000, epoch: 1 }])
    await offer([{ symbol: 'ETH/USDT', bid: '3001', receivedAt: 1_500, epoch: 1 }])
    expect(handled).toEqual(['BTC/USDT 100', 'ETH/USDT 3000', 'ETH/USDT 3001'])
  })
})
