import { describe, expect, test } from 'vitest'
import { apiQuery, filtersFromSearchParams, pageQuery } from '@/lib/ui/performance-filters'

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
})
