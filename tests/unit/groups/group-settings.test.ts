import { describe, expect, test } from 'vitest'
import { legDeviations, legWeights } from '@/lib/domain/groups/dca-grid'
import { gridConfigOf, readGroupSettings, storedGroupSettings, ZGroupSettings } from '@/lib/server/groups/group-settings'
import { GROUP_SETTINGS_DEFAULTS } from '@/tests/support/group-settings-defaults'

/** The fields a refused input names, with their messages. */
function refusals(input: unknown): Record<string, string> {
  const r = ZGroupSettings.safeParse(input)
  if (r.success) return {}
  return Object.fromEntries(r.error.issues.map((i) => [i.path.join('.') || '(root)', i.message]))
}

describe('group settings', () => {
  test.each([
    { label: 'nothing stored', stored: null },
    { label: 'an empty object', stored: {} },
    { label: 'an unreadable older shape', stored: { legs: 'many' } },
  ])('$label reads as the defaults', ({ stored }) => {
    expect(storedGroupSettings(readGroupSettings(stored))).toEqual(GROUP_SETTINGS_DEFAULTS)
  })

  test('stored settings read back the same', () => {
    const s = ZGroupSettings.parse({ enabled: true, legs: 4, deviationsPct: ['1', '2', '3.5'], sizing: 'CUSTOM', weightsPct: [10, 20, 30, 40], groupBudgetQuote: '250' })
    const stored = JSON.parse(JSON.stringify(storedGroupSettings(s)))
    expect(storedGroupSettings(readGroupSettings(stored))).toEqual(stored)
    expect(stored).toMatchObject({ deviationsPct: ['1', '2', '3.5'], weightsPct: ['10', '20', '30', '40'], groupBudgetQuote: '250' })
  })

  test('a form: comma-separated lists, "on", numbers as text, empty optional fields', () => {
    const s = ZGroupSettings.parse({ enabled: 'on', legs: '4', deviationsPct: ' 1, 2,3.5 ', weightsPct: '', groupBudgetQuote: '', maxActiveLegs: '2' })
    expect(storedGroupSettings(s)).toMatchObject({ enabled: true, legs: 4, deviationsPct: ['1', '2', '3.5'], weightsPct: null, groupBudgetQuote: null, maxActiveLegs: 2 })
  })

  test.each([
    { label: 'CUSTOM without weights', input: { sizing: 'CUSTOM' }, field: 'weightsPct', message: 'CUSTOM sizing needs 5 weights summing to 100; got 0 summing to 0' },
    { label: 'CUSTOM weights summing to 90', input: { sizing: 'CUSTOM', weightsPct: '30,30,30' }, field: 'weightsPct', message: 'CUSTOM sizing needs 5 weights summing to 100; got 3 summing to 90' },
    { label: 'deviations of the wrong count', input: { deviationsPct: '1,2' }, field: 'deviationsPct', message: '5 legs need 4 deviations (one per DCA leg); got 2' },
    { label: 'deviations not increasing', input: { legs: 4, deviationsPct: '1,3,2' }, field: 'deviationsPct', message: 'deviations must increase strictly: 2 (leg 4) follows 3' },
    { label: 'a deviation that is not a number', input: { legs: 2, deviationsPct: '1x' }, field: 'deviationsPct.0', message: 'must be a decimal number such as 123.45' },
    // gaps 50, 50 → the third leg is 100% from the entry
    { label: 'a LONG leg 100% below the entry', input: { legs: 3, firstGapPct: '50' }, field: 'firstGapPct', message: /deepest leg would be 100% from the entry/ },
    { label: 'a budget below one pyramid', input: { pyramidCapitalQuote: '100', groupBudgetQuote: '50' }, field: 'groupBudgetQuote', message: /less than one pyramid's capital 100/ },
    { label: 'a trailing take-profit outside AGGREGATE mode', input: { takeProfitMode: 'PER_LEG', trailingDeviationPct: '0.5' }, field: 'trailingDeviationPct', message: /needs take-profit mode AGGREGATE, not PER_LEG/ },
    { label: 'a step scale out of range', input: { stepScale: '6' }, field: 'stepScale', message: 'must be between 0.5 and 5' },
    { label: 'an unknown sizing', input: { sizing: 'MARTINGALE' }, field: 'sizing', message: /EQUAL/ },
    { label: 'legs out of range', input: { legs: 21 }, field: 'legs', message: 'at most 20' },
  ])('$label is refused, naming $field', ({ input, field, message }) => {
    const got = refusals(input)
    expect(Object.keys(got)).toEqual([field])
    expect(got[field]).toMatch(message)
  })

  test('an unknown field is refused', () => {
    expect(ZGroupSettings.safeParse({ maxLegs: 3 }).success).toBe(false)
  })

  test('gridConfigOf: the defaults plan 5 equal legs 1% apart', () => {
    // first gap 1, step scale 1: 1, 2, 3, 4; 100/5 = 20 each
    const config = gridConfigOf(readGroupSettings({}))
    expect(legDeviations(config).map((d) => d.toFixed())).toEqual(['0', '1', '2', '3', '4'])
    expect(legWeights(config).map((w) => w.toFixed())).toEqual(['20', '20', '20', '20', '20'])
    expect(config.legTakeProfitPct.toFixed()).toBe('2')
  })
})
