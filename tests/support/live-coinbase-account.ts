import { generateKeyPairSync } from 'node:crypto'
import type { Db } from '@/lib/db/client'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import type { FakeCoinbase } from '@/tests/support/fake-coinbase'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'

/** A CDP key: its name, and an EC P-256 pair (the fake verifies with the public half). */
export function coinbaseTestKey(name: string) {
  const pair = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  return { name, privateKey: pair.privateKey, publicKey: pair.publicKey }
}

/**
 * A user with a LIVE Coinbase account whose REST host is the fake (sealed keys, 0.4 / 0.6 % fees,
 * USD, balances read once), and one trader on it with manual settings. Placing entries on it also
 * needs LIVE_TRADING_ENABLED=true in the test file's environment.
 */
export async function createCoinbaseLiveTrader(db: Db, fake: FakeCoinbase, key: { name: string; privateKey: string }, o: { watchlist: string[] }) {
  const n = Math.random().toString(36).slice(2, 8)
  const userId = (await db.user.create({ data: { email: `cb-${n}@example.com`, passwordHash: 'x' } })).id
  const account = await db.exchangeAccount.create({
    data: {
      userId, name: `Coinbase ${n}`, kind: 'CCXT', venue: 'coinbase', mode: 'LIVE', apiKeyEnc: sealSecret(key.name), secretEnc: sealSecret(key.privateKey),
      keyHint: '••••live', baseUrl: fake.url, quoteCurrency: 'USD', makerFeeRate: '0.004', takerFeeRate: '0.006', reconciledAt: new Date(),
    },
  })
  const traderId = (await db.trader.create({ data: { userId, accountId: account.id, name: `CB ${n}`, quoteCurrency: 'USD', watchlist: o.watchlist } })).id
  await useManualTraderSettings(db, traderId)
  return { userId, accountId: account.id, traderId }
}
