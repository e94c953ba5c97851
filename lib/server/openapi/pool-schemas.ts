import { z } from 'zod'
import { PoolQueueStatus, PositionSide } from '@/lib/generated/prisma/enums'
import { groupPairFields } from './group-schemas'
import { doc } from './response-schemas'

/**
 * The group pool (how many position groups a user may have open across their traders) and its
 * queue of entries waiting for a slot. Shapes follow lib/server/groups/pool-views.ts.
 */
const time = (description = 'ISO 8601 timestamp (UTC).') => doc(z.string(), { format: 'date-time', description })

const SETTING = {
  maxOpenGroups: 'Position groups open at once across all your traders; an entry that finds them all taken waits in the queue.',
  pyramidsTakeSlot: 'Each further pyramid of an open group takes a slot of its own too (and may wait for one); off: only a new group takes a slot.',
  queueExpiryMinutes: 'An entry waiting for a slot is dropped (its signal rejected) after this many minutes.',
} as const

const ZPoolSettingsView = doc(
  z.object({
    maxOpenGroups: doc(z.number().int(), { description: `${SETTING.maxOpenGroups} Default 10.` }),
    pyramidsTakeSlot: doc(z.boolean(), { description: `${SETTING.pyramidsTakeSlot} Default false.` }),
    queueExpiryMinutes: doc(z.number().int(), { description: `${SETTING.queueExpiryMinutes} Default 60.` }),
  }),
  { id: 'PoolSettings' },
)

/** The pool, as lib/server/groups/pool-views.ts returns it. */
export const ZPool = doc(
  z.object({
    settings: ZPoolSettingsView,
    slots: doc(z.object({ cap: z.number().int(), used: z.number().int(), free: z.number().int() }), {
      description: 'Slots taken by open (and closing) groups, and by entries promoted whose signal has not run yet.',
    }),
    waiting: doc(
      z.array(
        z.object({
          rank: doc(z.number().int(), { description: '1 gets the next free slot.' }),
          id: z.string(),
          traderId: z.string(),
          traderName: z.string(),
          symbol: z.string(),
          timeframe: doc(z.string(), { description: 'The signal\'s `interval` ("" without one).' }),
          side: z.enum(PositionSide),
          signalId: doc(z.string(), { description: 'The signal waiting (the newest, after replacements).' }),
          continuation: doc(z.boolean(), { description: 'A pyramid for a group that is open (queued only when pyramids take a slot).' }),
          replacements: doc(z.number().int(), { description: 'How often a newer signal for the pair replaced the waiting one.' }),
          pairPnlPct: doc(z.string(), { description: "The pair's current PnL % on your open groups (deepest of them), \"0.00\" when none is open." }),
          queuedAt: time('When the pair first queued (a replacement keeps its place in time).'),
          expiresAt: time(),
        }),
      ),
      { description: 'Best first: a continuation of an open group, then the pair losing most, then the pair replaced most often, then the earliest.' },
    ),
    recent: doc(
      z.array(
        z.object({
          ...groupPairFields(),
          status: doc(z.enum(PoolQueueStatus), { description: 'PROMOTED (given a slot: its signal ran through the signal queue), REPLACED, REMOVED (by an exit signal or by hand) or EXPIRED.' }),
          endReason: z.string().nullable(),
          signalId: z.string(),
          replacements: z.number().int(),
          queuedAt: time(),
          endedAt: doc(z.string().nullable(), { format: 'date-time' }),
        }),
      ),
      { description: 'The last 20 entries that left the queue, newest first.' },
    ),
  }),
  { id: 'Pool', description: 'Your group pool: its settings, slots, the queue in rank order, and what left the queue lately.' },
)

doc(
  z.object({
    maxOpenGroups: doc(z.number().int().min(1).max(1000).optional(), { description: `${SETTING.maxOpenGroups} 1–1000.` }),
    pyramidsTakeSlot: doc(z.boolean().optional(), { description: SETTING.pyramidsTakeSlot }),
    queueExpiryMinutes: doc(z.number().int().min(1).max(10_080).optional(), { description: `${SETTING.queueExpiryMinutes} 1–10080.` }),
  }),
  { id: 'UpdatePoolSettingsRequest', description: 'Fields left out keep their values; an unknown field is refused by name (`pool.<field>`).' },
)

type Json = Record<string, unknown>
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })
const ok = (description: string) => ({ description, content: { 'application/json': { schema: ref('Pool') } } })
const entryParam = { name: 'id', in: 'path', required: true, description: 'The queue entry id.', schema: { type: 'string' } }
const E401 = err('Missing, invalid or revoked credentials.')
const noEntry = err('No such queue entry of yours.')

export function poolPaths(): Record<string, Json> {
  return {
    '/api/v1/pool': {
      get: {
        tags: ['groups'],
        operationId: 'getPool',
        summary: 'Your group pool: slots, the queue in rank order, recent departures',
        responses: { 200: ok('The pool'), 401: E401 },
      },
    },
    '/api/v1/pool/settings': {
      patch: {
        tags: ['groups'],
        operationId: 'updatePoolSettings',
        summary: 'Change the pool settings (fields left out keep their values)',
        description: 'A larger pool lets the best-ranked waiting entries run within a second or so (the worker promotes them).',
        requestBody: { required: true, content: { 'application/json': { schema: ref('UpdatePoolSettingsRequest') } } },
        responses: { 200: ok('The pool afterwards'), 400: err('Invalid input; `error.fields` names each invalid field (`pool.<field>`).'), 401: E401 },
      },
    },
    '/api/v1/pool/queue/{id}/promote': {
      parameters: [entryParam],
      post: {
        tags: ['groups'],
        operationId: 'promotePoolEntry',
        summary: 'Give a waiting entry the next free slot, ahead of its rank',
        description: 'Its signal goes back to the signal queue and runs, checked against the market again (its age is not held against it).',
        responses: { 200: ok('The pool afterwards'), 401: E401, 404: noEntry, 409: err('The pool is full, or the entry is no longer waiting.') },
      },
    },
    '/api/v1/pool/queue/{id}/remove': {
      parameters: [entryParam],
      post: {
        tags: ['groups'],
        operationId: 'removePoolEntry',
        summary: 'Take a waiting entry out of the queue',
        description: 'Its signal is rejected with the reason "removed by hand".',
        responses: { 200: ok('The pool afterwards'), 401: E401, 404: noEntry, 409: err('The entry is no longer waiting.') },
      },
    },
  }
}
