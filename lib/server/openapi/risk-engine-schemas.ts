import { z } from 'zod'
import { PositionSide, RiskEngineRunStatus } from '@/lib/generated/prisma/enums'
import { groupPairFields } from './group-schemas'
import { doc } from './response-schemas'

/**
 * The group risk engine: its settings, the open groups it weighs, its decisions, "run now" and a
 * group's controls. Shapes follow lib/server/groups/risk-engine-views.ts.
 */
const amount = (description: string) => doc(z.string(), { description: `${description} In the quote currency, to six significant digits (at least 2 and at most 8 places), as a string.` })
const pct = (description: string) => doc(z.string(), { description: `${description} Two decimals, as a string.` })

const SETTING = {
  enabled: 'Off: it never acts or reports.',
  dryRun: 'Only record what it would do (PLANNED decisions), never act.',
  lossThresholdPct: "A group qualifies as the loser once its unrealized loss reaches this % of its cost (0.1–90).",
  minAgeMinutes: 'And once its last entry (or a skip) is at least this many minutes old (0–10080).',
  requireAllPyramids: 'And only once it has all of its pyramids.',
  maxWinners: 'Winners it takes profit from, the most profitable first (1–10).',
} as const

const ZRiskEngineSettingsView = doc(
  z.object({
    enabled: doc(z.boolean(), { description: `${SETTING.enabled} Default false.` }),
    dryRun: doc(z.boolean(), { description: `${SETTING.dryRun} Default true.` }),
    lossThresholdPct: doc(z.string(), { description: `${SETTING.lossThresholdPct} A decimal string; default "5".` }),
    minAgeMinutes: doc(z.number().int(), { description: `${SETTING.minAgeMinutes} Default 60.` }),
    requireAllPyramids: doc(z.boolean(), { description: `${SETTING.requireAllPyramids} Default true.` }),
    maxWinners: doc(z.number().int(), { description: `${SETTING.maxWinners} Default 3.` }),
  }),
  { id: 'RiskEngineSettings' },
)

const ZStep = doc(
  z.union([
    z.object({
      kind: z.literal('PARTIAL_CLOSE'),
      groupId: z.string(),
      symbol: z.string(),
      side: z.enum(PositionSide),
      qty: doc(z.string(), { description: 'Taken from the group first in, first out by leg.' }),
      price: doc(z.string(), { description: 'The exit-side price it was planned at.' }),
      netPerUnit: doc(z.string(), { description: 'Profit a unit realizes there, net of the exit fee.' }),
      realized: z.string(),
      orderIds: doc(z.array(z.string()).optional(), { description: 'Its exit orders, once sent.' }),
      error: z.string().optional(),
    }),
    z.object({ kind: z.literal('CLOSE_LOSER'), groupId: z.string(), symbol: z.string(), status: z.enum(['CLOSING', 'CLOSED']).optional(), error: z.string().optional() }),
  ]),
  { id: 'RiskEngineStep' },
)

/** One decision, as lib/server/groups/risk-engine-views.ts returns it. */
export const ZRiskEngineRun = doc(
  z.object({
    id: z.string(),
    trigger: doc(z.string(), { description: 'SCHEDULE (the worker) or MANUAL (run now).' }),
    dryRun: z.boolean(),
    status: doc(z.enum(RiskEngineRunStatus), {
      description: 'PLANNED (dry run), RUNNING, DONE, FAILED (a step failed: see its error; the loser is not closed), SKIPPED (a person\'s skip once), NOT_COVERED (the winners could not cover the loss; nothing done).',
    }),
    loserGroupId: z.string(),
    loserSymbol: z.string(),
    loss: amount("The loser's unrealized PnL (negative) at the exit-side price."),
    lossPct: pct('The same as % of its cost.'),
    covered: amount("Profit the planned partial closes realize, net of their exit fees."),
    steps: z.array(ZStep),
    message: z.string(),
    createdAt: doc(z.string(), { format: 'date-time' }),
    finishedAt: doc(z.string().nullable(), { format: 'date-time' }),
  }),
  { id: 'RiskEngineRun' },
)

export const ZRiskEngine = doc(
  z.object({
    settings: ZRiskEngineSettingsView,
    groups: doc(
      z.array(
        z.object({
          ...groupPairFields(),
          pnl: amount('Unrealized PnL at the exit-side price.'),
          pnlPct: pct('As % of its cost.'),
          pyramids: z.number().int(),
          maxPyramids: z.number().int(),
          ageMinutes: doc(z.number().int(), { description: 'Minutes since its last entry, or since a skip.' }),
          blocked: z.boolean(),
          skipOnce: z.boolean(),
          eligible: doc(z.boolean(), { description: 'Qualifies as the loser now.' }),
          notEligible: doc(z.string().nullable(), { description: 'Why not, when it does not.' }),
        }),
      ),
      { description: 'Your open groups with a fill, oldest first.' },
    ),
    runs: doc(z.array(ZRiskEngineRun), { description: 'The last 20 decisions, newest first.' }),
  }),
  { id: 'RiskEngine', description: 'The group risk engine: settings, the groups it weighs, its decisions.' },
)

doc(z.object({ run: ZRiskEngineRun.nullable(), message: z.string() }), { id: 'RiskEngineRunResult', description: 'run is null when no group qualified as the loser.' })

doc(
  z.object({
    enabled: doc(z.boolean().optional(), { description: SETTING.enabled }),
    dryRun: doc(z.boolean().optional(), { description: SETTING.dryRun }),
    lossThresholdPct: doc(z.union([z.string(), z.number()]).optional(), { description: SETTING.lossThresholdPct }),
    minAgeMinutes: doc(z.number().int().min(0).max(10_080).optional(), { description: SETTING.minAgeMinutes }),
    requireAllPyramids: doc(z.boolean().optional(), { description: SETTING.requireAllPyramids }),
    maxWinners: doc(z.number().int().min(1).max(10).optional(), { description: SETTING.maxWinners }),
  }),
  { id: 'UpdateRiskEngineSettingsRequest', description: 'Fields left out keep their values; an unknown field is refused by name (`riskEngine.<field>`).' },
)

doc(
  z.object({
    blocked: doc(z.boolean().optional(), { description: 'Never pick this group, as the loser or as a winner.' }),
    skipOnce: doc(z.boolean().optional(), { description: 'Pass it over the next time it would be the loser; its timer then starts again.' }),
  }),
  { id: 'GroupRiskControlsRequest' },
)

type Json = Record<string, unknown>
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })
const ok = (description: string, id = 'RiskEngine') => ({ description, content: { 'application/json': { schema: ref(id) } } })
const body = (id: string) => ({ required: true, content: { 'application/json': { schema: ref(id) } } })
const E400 = err('Invalid input; `error.fields` names each invalid field.')
const E401 = err('Missing, invalid or revoked credentials.')

export function riskEnginePaths(): Record<string, Json> {
  return {
    '/api/v1/risk-engine': {
      get: { tags: ['groups'], operationId: 'getRiskEngine', summary: 'The group risk engine: settings, the groups it weighs, its last decisions', responses: { 200: ok('The risk engine'), 401: E401 } },
    },
    '/api/v1/risk-engine/settings': {
      patch: {
        tags: ['groups'],
        operationId: 'updateRiskEngineSettings',
        summary: 'Change the risk engine settings (fields left out keep their values)',
        requestBody: body('UpdateRiskEngineSettingsRequest'),
        responses: { 200: ok('The risk engine afterwards'), 400: E400, 401: E401 },
      },
    },
    '/api/v1/risk-engine/run': {
      post: {
        tags: ['groups'],
        operationId: 'runRiskEngine',
        summary: 'One decision now, whatever the schedule',
        description: 'Picks the loser among the groups that qualify, plans the winners\' partial closes and, unless in dry run, carries them out first in, first out by leg, then closes the loser. Nothing is done when the winners cannot cover the loss.',
        responses: { 200: ok('The decision (null when no group qualified)', 'RiskEngineRunResult'), 401: E401, 409: err('The risk engine is off, or a run is still acting.') },
      },
    },
    '/api/v1/groups/{id}/risk-engine': {
      parameters: [{ name: 'id', in: 'path', required: true, description: 'The position group id.', schema: { type: 'string' } }],
      patch: {
        tags: ['groups'],
        operationId: 'setGroupRiskControls',
        summary: 'Block a group from the risk engine, or have it passed over once',
        requestBody: body('GroupRiskControlsRequest'),
        responses: { 200: ok('The risk engine afterwards'), 400: E400, 401: E401, 404: err('No such position group of yours.') },
      },
    },
  }
}
