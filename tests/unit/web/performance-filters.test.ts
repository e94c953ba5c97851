import { describe, expect, test } from 'vitest'
import { parseQuery } from '@/app/api/v1/_lib/parse-query'
import { ZExecutionQualityQuery } from '@/lib/server/execution/execution-quality-query'
import { ZPerformanceQuery } from '@/lib/server/performance/performance-query'
import { apiQuery, executionQualityQuery, filtersFromSearchParams, pageQuery } from '@/lib/ui/performance-filters'

const NOW = Date.parse('2025-03-15T10:00:00Z')

describe('the performance page filters', () => {
  test('defaults: paper, all time, everything', () => {
    const f = filtersFromSearchParams({})
    expect(f).toEqual({ traderId: '', symbol: '', source: '', mode: 'PAPER', currency: '', period: 'all', fromDay: '', toDay: '' })
    expect(pageQuery(f)).toBe('')
    expect(apiQuery(f, 'UTC', NOW)).toBe('mode=PAPER')
  })

  test('unknown values fall back to the defaults', () => {
    expect(filtersFromSearchParams({ mode: 'DEMO', source: 'X', period: '12', from: 'yesterday', to: ['2025-01-01', '2025-01-02'] })).toMatchObject({
      mode: 'PAPER',
      source: '',
      period: 'all',
      fromDay: '',
      toDay: '',
    })
  })

  test.each([
    // today (Mar 15) and the 6 days before: from Mar 9, 00:00 in the zone
    ['last 7 days in UTC', { period: '7' }, 'UTC', 'mode=PAPER&from=2025-03-09T00%3A00%3A00.000Z'],
    ['last 7 days in Tokyo (UTC+9): Mar 9 starts at 15:00 UTC the day before', { period: '7' }, 'Asia/Tokyo', 'mode=PAPER&from=2025-03-08T15%3A00%3A00.000Z'],
    // Mar 1 to Mar 3 included: to is the start of Mar 4 (New York is UTC−5 then)
    ['custom days in New York', { period: 'custom', from: '2025-03-01', to: '2025-03-03' }, 'America/New_York', 'mode=PAPER&from=2025-03-01T05%3A00%3A00.000Z&to=2025-03-04T05%3A00%3A00.000Z'],
    ['filters pass through', { mode: 'LIVE', source: 'AI', symbol: 'BTC/USDT', currency: 'USDT' }, 'UTC', 'symbol=BTC%2FUSDT&source=AI&mode=LIVE&currency=USDT'],
  ])('%s', (_label, sp, timeZone, expected) => {
    expect(apiQuery(filtersFromSearchParams(sp), timeZone, NOW)).toBe(expected)
  })

  test('the page URL keeps days, not instants', () => {
    expect(pageQuery(filtersFromSearchParams({ period: 'custom', from: '2025-03-01', to: '2025-03-03', mode: 'TESTNET' }))).toBe('mode=TESTNET&period=custom&from=2025-03-01&to=2025-03-03')
  })

  test('every filter set is a query the performance and execution-quality APIs accept', () => {
    const f = filtersFromSearchParams({ traderId: 'ctrader000000000000000001', symbol: 'BTC/USDT', source: 'AI', mode: 'LIVE', currency: 'USDC', period: 'custom', from: '2025-03-01', to: '2025-03-10' })
    const query = apiQuery(f, 'UTC', NOW)
    const req = (q: string) => new Request(`http://localhost/api?${q}`)
    expect(parseQuery(req(query), ZPerformanceQuery)).toMatchObject({ source: 'AI', currency: 'USDC', mode: 'LIVE' })
    // Orders have no trade source and their figures no currency: the API refuses both as unknown.
    expect(() => parseQuery(req(query), ZExecutionQualityQuery)).toThrow(
      expect.objectContaining({ fieldErrors: [{ field: 'source', message: 'is not a known parameter' }, { field: 'currency', message: 'is not a known parameter' }] }),
    )
    expect(parseQuery(req(executionQualityQuery(query)), ZExecutionQualityQuery)).toEqual({
      traderId: 'ctrader000000000000000001',
      symbol: 'BTC/USDT',
      mode: 'LIVE',
      from: new Date('2025-03-01T00:00:00Z'),
      to: new Date('2025-03-11T00:00:00Z'),
    })
  })
})
