import { z } from 'zod'
import { DCA_SIZINGS, MAX_GRID_LEGS } from '@/lib/domain/groups/dca-grid'
import { STOP_BASES, TAKE_PROFIT_MODES } from '@/lib/domain/groups/group-targets'
import { PositionSide, PositionStatus } from '@/lib/generated/prisma/enums'
import { ZListGroupsQuery } from './query-schemas'
import { doc } from './response-schemas'

/**
 * Position groups (pyramids of DCA legs built from webhook signals): a trader's group settings,
 * its groups, one group, and closing one. Response shapes go into the shared response registry;
 * the paths are added to the OpenAPI document from here. The settings' descriptions follow
 * lib/server/groups/group-settings.ts, the group's shape lib/server/groups/group-views.ts.
 */
const time = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })
/** Decimals leave the server as exact strings; PnL may be negative. */
const decimal = (description = 'An exact decimal as a string.') => doc(z.string().regex(/^-?\d+(\.\d+)?$/), { description })

/** What each setting does, shared by the settings as shown and the PATCH body. */
const SETTING = {
  enabled: 'Off: signals open single positions, as without groups; on: an entry signal starts a group (or adds a pyramid to the open one) and a `pyramid` signal adds a pyramid to it.',
  maxPyramids: 'Entries (pyramids) per group, the first included.',
  pyramidCapitalQuote: 'Capital of one pyramid (the sum of its legs), in the quote currency.',
  groupBudgetQuote: "Hard cap of a group's total notional across its pyramids; null: maxPyramids × pyramidCapitalQuote.",
  legs: 'Legs of one pyramid, the base leg included.',
  firstGapPct: 'Distance of the first DCA leg from the entry, in %; each further gap is the previous one × stepScale (used when deviationsPct is not given).',
  stepScale: 'Multiplies each gap between DCA legs by this (1: evenly spaced).',
  deviationsPct: 'Cumulative deviation of each DCA leg from the entry, in % (legs − 1 strictly increasing values); overrides firstGapPct/stepScale. null: not used.',
  sizing: 'How a pyramid\'s capital is split over its legs: EQUAL, PYRAMID_UP (later legs larger: 1, 2, 3, …), PYRAMID_DOWN (earlier legs larger), VOLUME_SCALE (raw weights 1, safetyRatio, safetyRatio × volumeScale, …), CUSTOM (weightsPct).',
  weightsPct: 'CUSTOM sizing: one weight per leg, summing to 100. null: not used.',
  volumeScale: 'VOLUME_SCALE sizing: each DCA leg is this many times the previous one.',
  safetyRatio: 'VOLUME_SCALE sizing: the first DCA leg relative to the base leg.',
  maxActiveLegs: 'DCA legs resting at once across the group (all its pyramids); the rest wait and are placed as earlier ones fill.',
  takeProfitMode: "Where a leg takes profit: PER_LEG (its own target, legTakeProfitPct from its fill), AGGREGATE (every leg at the group's target, aggregateTakeProfitPct from the group's average entry) or HYBRID (whichever the market reaches first).",
  legTakeProfitPct: "A leg's own take-profit distance from its fill price, in % (PER_LEG and HYBRID).",
  aggregateTakeProfitPct: "The group's take-profit distance from its average entry, in % (AGGREGATE and HYBRID); it moves with the average on every fill.",
  trailingDeviationPct: 'Trailing take-profit (AGGREGATE mode only): the aggregate target starts the trail instead of selling, and the group is closed once the price falls back this far (in %) from its best since; null: off, the legs sell at the target.',
  stopPct: "The group's stop, this % against the position from stopBasis; only ever tightened.",
  stopBasis: 'The price the stop is measured from: FIRST_ENTRY (the first fill) or AVERAGE (the average entry).',
} as const

const sizings = () => z.enum(DCA_SIZINGS)
const takeProfitModes = () => z.enum(TAKE_PROFIT_MODES)
const stopBases = () => z.enum(STOP_BASES)

doc(
  z.object({
    traderId: z.string(),
    settings: doc(
      z.object({
        enabled: doc(z.boolean(), { description: `${SETTING.enabled} Default false.` }),
        maxPyramids: doc(z.number().int(), { description: `${SETTING.maxPyramids} Default 5.` }),
        pyramidCapitalQuote: decimal(`${SETTING.pyramidCapitalQuote} Default 100.`),
        groupBudgetQuote: doc(decimal().nullable(), { description: `${SETTING.groupBudgetQuote} Default null.` }),
        legs: doc(z.number().int(), { description: `${SETTING.legs} Default 5.` }),
        firstGapPct: decimal(`${SETTING.firstGapPct} Default 1.`),
        stepScale: decimal(`${SETTING.stepScale} Default 1.`),
        deviationsPct: doc(z.array(decimal()).nullable(), { description: SETTING.deviationsPct }),
        sizing: doc(sizings(), { description: `${SETTING.sizing} Default EQUAL.` }),
        weightsPct: doc(z.array(decimal()).nullable(), { description: SETTING.weightsPct }),
        volumeScale: decimal(`${SETTING.volumeScale} Default 1.`),
        safetyRatio: decimal(`${SETTING.safetyRatio} Default 1.`),
        maxActiveLegs: doc(z.number().int(), { description: `${SETTING.maxActiveLegs} Default 3.` }),
        takeProfitMode: doc(takeProfitModes(), { description: `${SETTING.takeProfitMode} Default AGGREGATE.` }),
        legTakeProfitPct: decimal(`${SETTING.legTakeProfitPct} Default 2.`),
        aggregateTakeProfitPct: decimal(`${SETTING.aggregateTakeProfitPct} Default 1.5.`),
        trailingDeviationPct: doc(decimal().nullable(), { description: `${SETTING.trailingDeviationPct} Default null.` }),
        stopPct: decimal(`${SETTING.stopPct} Default 10.`),
        stopBasis: doc(stopBases(), { description: `${SETTING.stopBasis} Default FIRST_ENTRY.` }),
      }),
      { description: 'Decimals as exact strings. Groups already open keep the settings they were created with.' },
    ),
  }),
  { id: 'GroupSettings', description: "How the trader's signals build position groups: pyramids of DCA legs on one symbol and timeframe." },
)

// Decimals are taken as a string ("1.5") or a JSON number, as everywhere in the API.
const decimalIn = () => z.union([z.string(), z.number()])
const decimalListIn = () => z.union([z.array(decimalIn()).max(MAX_GRID_LEGS), z.string(), z.null()]).optional()
const range = (what: string, from: string, to: string) => `${what} ${from}–${to}.`

// The PATCH body: any of the settings, each optional (left out: kept). The service checks the
// merged settings with their own schema and names a bad or unknown field as `groups.<field>`.
doc(
  z.object({
    enabled: doc(z.boolean().optional(), { description: SETTING.enabled }),
    maxPyramids: doc(z.number().int().min(1).max(20).optional(), { description: SETTING.maxPyramids }),
    pyramidCapitalQuote: doc(decimalIn().optional(), { description: `${SETTING.pyramidCapitalQuote} ${range('A decimal,', '0.00000001', '1000000000')}` }),
    groupBudgetQuote: doc(decimalIn().nullable().optional(), { description: `${SETTING.groupBudgetQuote} A decimal at least pyramidCapitalQuote, or null.` }),
    legs: doc(z.number().int().min(1).max(MAX_GRID_LEGS).optional(), { description: SETTING.legs }),
    firstGapPct: doc(decimalIn().optional(), { description: `${SETTING.firstGapPct} ${range('A decimal,', '0.01', '50')}` }),
    stepScale: doc(decimalIn().optional(), { description: `${SETTING.stepScale} ${range('A decimal,', '0.5', '5')}` }),
    deviationsPct: doc(decimalListIn(), { description: `${SETTING.deviationsPct} A list of decimals, or one string of them separated by commas ("1, 2, 3.5"); null or "" for none. The deepest must stay under 100.` }),
    sizing: doc(sizings().optional(), { description: SETTING.sizing }),
    weightsPct: doc(decimalListIn(), { description: `${SETTING.weightsPct} A list of decimals, or one string of them separated by commas; null or "" for none. Required with CUSTOM.` }),
    volumeScale: doc(decimalIn().optional(), { description: `${SETTING.volumeScale} ${range('A decimal,', '0.1', '10')}` }),
    safetyRatio: doc(decimalIn().optional(), { description: `${SETTING.safetyRatio} ${range('A decimal,', '0.1', '10')}` }),
    maxActiveLegs: doc(z.number().int().min(1).max(20).optional(), { description: SETTING.maxActiveLegs }),
    takeProfitMode: doc(takeProfitModes().optional(), { description: SETTING.takeProfitMode }),
    legTakeProfitPct: doc(decimalIn().optional(), { description: `${SETTING.legTakeProfitPct} ${range('A decimal,', '0.01', '100')}` }),
    aggregateTakeProfitPct: doc(decimalIn().optional(), { description: `${SETTING.aggregateTakeProfitPct} ${range('A decimal,', '0.01', '100')}` }),
    trailingDeviationPct: doc(decimalIn().nullable().optional(), { description: `${SETTING.trailingDeviationPct} ${range('A decimal,', '0.01', '50')} Needs takeProfitMode AGGREGATE.` }),
    stopPct: doc(decimalIn().optional(), { description: `${SETTING.stopPct} ${range('A decimal,', '0.1', '90')}` }),
    stopBasis: doc(stopBases().optional(), { description: SETTING.stopBasis }),
  }),
  { id: 'UpdateGroupSettingsRequest', description: 'Fields left out keep their values; the result is checked whole (e.g. CUSTOM sizing needs weightsPct, legs − 1 deviations). Unknown fields are refused by name.' },
)

/** Which group (or waiting entry) a row of the pool or the risk engine is about: fresh schemas on every call. */
export const groupPairFields = () => ({
  id: z.string(),
  traderName: z.string(),
  symbol: z.string(),
  timeframe: doc(z.string(), { description: 'The signal\'s `interval` ("" without one).' }),
  side: z.enum(PositionSide),
})

/** One leg of a pyramid, as lib/server/groups/group-views.ts returns it. */
export const ZGroupLeg = doc(
  z.object({
    id: z.string(),
    index: doc(z.number().int(), { description: '0 is the base leg.' }),
    deviationPct: decimal('Its cumulative distance from the pyramid\'s entry price, in %.'),
    weightPct: decimal('Its share of the pyramid\'s capital, in %.'),
    price: decimal('Its limit price (the base leg: the market price it was planned at).'),
    qty: decimal(),
    takeProfitPct: decimal('Its own take-profit distance from its fill price, in %.'),
    status: doc(z.enum(['PLANNED', 'PLACED', 'CANCELED', 'FAILED']), {
      description: 'PLANNED: not sent yet (waiting for a free resting slot); PLACED: its position exists; CANCELED: never sent, the group ended first; FAILED: refused when placed (see reason).',
    }),
    reason: z.string().nullable(),
    position: doc(
      z
        .object({
          id: z.string(),
          status: z.enum(PositionStatus),
          openQty: decimal(),
          entryQty: decimal(),
          avgEntryPrice: decimal(),
          realizedPnl: decimal('Realized PnL net of fees, in the quote currency.'),
          stopLoss: decimal().nullable(),
          target: doc(decimal().nullable(), { description: 'Its active take-profit price.' }),
        })
        .nullable(),
      { description: 'The position the leg was sent as; null until it is placed.' },
    ),
  }),
  { id: 'GroupLeg' },
)

/** A position group, as lib/server/groups/group-views.ts returns it. */
export const ZGroup = doc(
  z.object({
    id: z.string(),
    traderId: z.string(),
    symbol: z.string(),
    timeframe: doc(z.string(), { description: 'The signal\'s `interval` ("" without one): one open group per trader, symbol and timeframe.' }),
    side: z.enum(PositionSide),
    status: doc(z.enum(['OPEN', 'CLOSING', 'CLOSED']), { description: 'CLOSING: its resting entries are being canceled and what it holds sold; CLOSED once every leg has ended.' }),
    closeReason: z.string().nullable(),
    avgEntryPrice: decimal('The VWAP of every entry fill across its legs; null while nothing has filled.').nullable(),
    entryQty: decimal('Bought (LONG) or sold (SHORT) by its entries in all.'),
    openQty: decimal('Held now across its legs.'),
    stopLoss: decimal("The group's stop, applied to every leg.").nullable(),
    aggregateTarget: decimal("The group's take-profit from its average entry.").nullable(),
    takeProfitMode: doc(z.string(), { description: 'PER_LEG, AGGREGATE or HYBRID, from the settings the group was created with.' }),
    trailingDeviationPct: decimal('A trailing take-profit\'s distance back from the best price, in %, from the settings the group was created with; null: off.').nullable(),
    trailPeak: decimal('With a trailing take-profit: the best price since the aggregate target was reached; null before that (or when off).').nullable(),
    budgetQuote: decimal('Its hard cap of total notional, in the quote currency.'),
    plannedNotional: decimal('The notional of every leg planned so far.'),
    realizedPnl: decimal('Realized PnL of its legs net of fees, in the quote currency.'),
    unrealizedPnl: decimal('Of what it holds at the exit-side price; "0" when it holds nothing, null without a quote.').nullable(),
    legsFilled: doc(z.number().int(), { description: 'Legs with an entry fill, of all legs planned.' }),
    legsPlanned: z.number().int(),
    createdAt: time(),
    closedAt: doc(z.string().nullable(), { format: 'date-time', description: 'When it closed (UTC).' }),
    pyramids: doc(
      z.array(
        z.object({
          id: z.string(),
          index: doc(z.number().int(), { description: '0 is the first entry.' }),
          entryPrice: decimal('The market price the pyramid was planned at.'),
          capitalQuote: decimal(),
          signalId: doc(z.string().nullable(), { description: 'The signal that made it.' }),
          createdAt: time(),
          legs: z.array(ZGroupLeg),
        }),
      ),
      { description: 'Oldest first, each with its legs in order.' },
    ),
  }),
  { id: 'Group' },
)

doc(z.object({ groups: z.array(ZGroup) }), { id: 'GroupList' })


type Json = Record<string, unknown>
type QueryParameters = (schema: z.ZodObject, descriptions: Record<string, string>) => Json[]
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })
const ok = (description: string, id: string) => ({ description, content: { 'application/json': { schema: ref(id) } } })
const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: `The ${what} id.`, schema: { type: 'string' } })
const E400 = err('Invalid input; `error.fields` names each invalid field.')
const E401 = err('Missing, invalid or revoked credentials.')
const noTrader = err('No such trader of yours.')
const noGroup = err('No such position group of yours.')

export function groupPaths(queryParameters: QueryParameters): Record<string, Json> {
  return {
    '/api/v1/traders/{id}/group-settings': {
      parameters: [idParam('trader')],
      get: {
        tags: ['groups'],
        operationId: 'getGroupSettings',
        summary: 'How the trader\'s signals build position groups',
        responses: { 200: ok('The settings', 'GroupSettings'), 401: E401, 404: noTrader },
      },
      patch: {
        tags: ['groups'],
        operationId: 'updateGroupSettings',
        summary: 'Change the group settings (fields left out keep their values)',
        description: 'Groups already open keep the settings they were created with. A bad or unknown field is named `groups.<field>` in the 400, and nothing is written.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('UpdateGroupSettingsRequest') } } },
        responses: { 200: ok('The settings afterwards', 'GroupSettings'), 400: E400, 401: E401, 404: noTrader },
      },
    },
    '/api/v1/traders/{id}/groups': {
      parameters: [idParam('trader')],
      get: {
        tags: ['groups'],
        operationId: 'listGroups',
        summary: 'The trader\'s position groups with their pyramids and legs, newest first',
        parameters: queryParameters(ZListGroupsQuery, { state: 'active (default): OPEN or CLOSING; closed: CLOSED.', limit: 'At most this many groups (1–200, default 50).' }),
        responses: { 200: ok('Groups', 'GroupList'), 400: E400, 401: E401, 404: noTrader },
      },
    },
    '/api/v1/groups/{id}': {
      parameters: [idParam('position group')],
      get: {
        tags: ['groups'],
        operationId: 'getGroup',
        summary: 'One position group with its pyramids and legs',
        responses: { 200: ok('The group', 'Group'), 401: E401, 404: noGroup },
      },
    },
    '/api/v1/groups/{id}/close': {
      parameters: [idParam('position group')],
      post: {
        tags: ['groups'],
        operationId: 'closeGroup',
        summary: 'Close a position group whole',
        description: 'It stops placing legs at once: its waiting legs are canceled, its resting entries canceled and what it holds sold at market. The group is CLOSING until every leg has ended, then CLOSED.',
        responses: { 200: ok('The group afterwards', 'Group'), 401: E401, 404: noGroup, 409: err('The group is already closing or closed.') },
      },
    },
  }
}
