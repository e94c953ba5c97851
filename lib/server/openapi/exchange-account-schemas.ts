import { z } from 'zod'
import { AccountMode, Venue } from '@/lib/generated/prisma/enums'
import { ZCreateExchangeAccountRequest, ZUpdateExchangeAccountRequest } from '@/lib/server/exchange-accounts/exchange-account-input'
import { doc } from './response-schemas'

/**
 * Exchange accounts (Binance spot, Coinbase Advanced Trade): response shapes in the shared
 * registry, request bodies and paths added to the OpenAPI document from here. No response
 * schema has a field that could carry a key or secret.
 */
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })

export const ZExchangeAccount = doc(
  z.object({
    id: z.string(),
    name: z.string(),
    exchange: z.enum(Venue),
    mode: doc(z.enum(AccountMode), { description: 'TESTNET: the exchange\'s test environment; LIVE: real money (new orders only while the server has LIVE_TRADING_ENABLED=true).' }),
    quoteCurrency: z.string(),
    keyHint: doc(z.string().nullable(), { description: 'The API key\'s last four characters. Keys and secrets are never returned.' }),
    baseUrl: doc(z.string().nullable(), { description: 'The REST host used instead of the exchange\'s own; null: the exchange\'s.' }),
    verified: doc(z.boolean(), { description: 'The last key test passed: the keys work and may trade.' }),
    verifiedAt: doc(timestamp().nullable(), { description: 'When the last key test passed; null when it did not.' }),
    verifyError: doc(z.string().nullable(), { description: 'Why the last key test did not pass (the exchange\'s message).' }),
    canTrade: doc(z.boolean().nullable(), { description: 'What the exchange said at the last test; null when it did not answer.' }),
    canWithdraw: doc(z.boolean().nullable(), { description: 'True is a risk: a trading key should not be able to withdraw. Null when unknown.' }),
    orderUpdates: doc(z.object({ via: z.enum(['stream', 'polling']), detail: z.string().nullable() }).nullable(), {
      description:
        "How the worker last said it hears of this account's orders: from the exchange's private stream, or by polling while the stream connects or is down (detail says why). Null when no stream runs for it (none for the venue, or no worker streaming). Orders are polled in every case.",
    }),
    traders: doc(z.array(z.object({ id: z.string(), name: z.string() })), { description: 'The traders that trade on this account.' }),
    createdAt: timestamp(),
  }),
  { id: 'ExchangeAccount' },
)

export const ZExchangeAccountList = doc(z.object({ accounts: z.array(ZExchangeAccount) }), { id: 'ExchangeAccountList' })

export const ZExchangeAccountTest = doc(
  z.object({
    ok: doc(z.boolean(), { description: 'The keys work and may trade.' }),
    error: doc(z.string().nullable(), { description: 'Why not: the exchange\'s message, or that the key cannot trade.' }),
    balances: doc(z.array(z.object({ asset: z.string(), amount: doc(z.string().regex(/^-?\d+(\.\d+)?$/), { description: 'Free plus locked, an exact decimal.' }) })), {
      description: 'Non-zero holdings as the exchange reported them; empty when it did not answer.',
    }),
    canTrade: z.boolean().nullable(),
    canWithdraw: z.boolean().nullable(),
    warning: doc(z.string().nullable(), { description: 'Set when the key can withdraw funds.' }),
    account: ZExchangeAccount,
  }),
  { id: 'ExchangeAccountTest' },
)

type Json = Record<string, unknown>
type Registry = { add(schema: z.ZodType, meta: { id: string; description?: string }): unknown }

export function registerExchangeAccountRequests(reg: Registry) {
  reg.add(ZCreateExchangeAccountRequest, {
    id: 'CreateExchangeAccountRequest',
    description:
      'The keys are tested before saving (balances and permissions): a key that cannot trade is refused (400); keys the exchange refuses, or that cannot be tested now, ' +
      'are saved as not verified with the exchange\'s message. mode LIVE needs confirmLive: true. Coinbase has no test environment: use LIVE (with baseUrl for a local test server). ' +
      'baseUrl: http(s), no query or fragment. quoteCurrency defaults to USDT (Binance) or USD (Coinbase). Keys are stored encrypted and never returned.',
  })
  reg.add(ZUpdateExchangeAccountRequest, {
    id: 'UpdateExchangeAccountRequest',
    description:
      'apiKey and secret are replaced together. New keys, a new baseUrl (null clears it) or a new mode are tested again as on creation. mode LIVE needs confirmLive: true; ' +
      'the mode cannot change while positions are open on the account (409).',
  })
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const json = (schema: Json) => ({ 'application/json': { schema } })
const ok = (description: string, id: string) => ({ description, content: json(ref(id)) })
const err = (description: string) => ({ description, content: json(ref('Error')) })

const E400 = err('Invalid input or malformed JSON; `error.fields` names each invalid field.')
const E401 = err('Missing, invalid or revoked credentials.')
const E404 = err('No such exchange account of yours.')
const idParam = { name: 'id', in: 'path', required: true, description: 'The exchange account id.', schema: { type: 'string' } }

export function exchangeAccountPaths(): Record<string, Json> {
  return {
    '/api/v1/exchange-accounts': {
      get: {
        tags: ['exchange accounts'],
        operationId: 'listExchangeAccounts',
        summary: 'Your exchange accounts (Binance spot, Coinbase) with their mode, key hint and last test',
        responses: { 200: ok('Accounts, oldest first', 'ExchangeAccountList'), 401: E401 },
      },
      post: {
        tags: ['exchange accounts'],
        operationId: 'createExchangeAccount',
        summary: 'Add an exchange account; its keys are tested first',
        requestBody: { required: true, content: json(ref('CreateExchangeAccountRequest')) },
        responses: {
          201: ok('The account; `verified` says whether the key test passed', 'ExchangeAccount'),
          400: err('Invalid input, LIVE without confirmLive, Coinbase TESTNET, or a key that cannot trade; `error.fields` names the field.'),
          401: E401,
          409: err('An exchange account with this name exists.'),
        },
      },
    },
    '/api/v1/exchange-accounts/{id}': {
      parameters: [idParam],
      get: {
        tags: ['exchange accounts'],
        operationId: 'getExchangeAccount',
        summary: 'One exchange account',
        responses: { 200: ok('The account', 'ExchangeAccount'), 401: E401, 404: E404 },
      },
      patch: {
        tags: ['exchange accounts'],
        operationId: 'updateExchangeAccount',
        summary: 'Rename, replace the keys, change the base URL or the mode',
        requestBody: { required: true, content: json(ref('UpdateExchangeAccountRequest')) },
        responses: {
          200: ok('The account afterwards', 'ExchangeAccount'),
          400: E400,
          401: E401,
          404: E404,
          409: err('The name is taken, or the mode cannot change while positions are open.'),
        },
      },
      delete: {
        tags: ['exchange accounts'],
        operationId: 'deleteExchangeAccount',
        summary: 'Delete an exchange account no trader uses',
        responses: { 204: { description: 'Deleted' }, 401: E401, 404: E404, 409: err('Traders use this account; the message names them.') },
      },
    },
    '/api/v1/exchange-accounts/{id}/test': {
      parameters: [idParam],
      post: {
        tags: ['exchange accounts'],
        operationId: 'testExchangeAccount',
        summary: 'Test the stored keys now: balances, permissions; the outcome is saved on the account',
        responses: { 200: ok('The outcome (a failed test is reported here, not as an error)', 'ExchangeAccountTest'), 401: E401, 404: E404 },
      },
    },
  }
}
