import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startApp, type AppProcess } from './app-process'

/** The first account the specs' apps create at start (ADMIN_EMAIL / ADMIN_PASSWORD through fakeMarketEnv). */
export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' }

/** A spec file's app: the process as last started (its output stays readable after it stopped). */
export interface SpecApp {
  readonly url: string
  /** The environment it runs with, data directory and ports included. */
  readonly env: Record<string, string>
  output(): string
  /** Ctrl-C, as a person would; resolves with the exit code (at once when it has already stopped). */
  stop(): Promise<number | null>
  /** Starts it again with the same environment: the same data, database and port. */
  start(): Promise<void>
}

/**
 * Registers the hooks that give a spec file one app through the README's start command: before
 * its tests, `setUp` (the local fakes it talks to) and then `npm start` with `env(dataDir)` in a
 * data directory of its own; after each failed test, the app's output attached to the report
 * (the product's log explains most failures); after its tests, the app stopped, `tearDown` (the
 * fakes closed) and the data directory deleted.
 */
export function useSpecApp(o: {
  /** Names the data directory (tradeloop-e2e-<name>-…). */
  name: string
  setUp?: () => Promise<void>
  env: (dataDir: string) => Record<string, string>
  tearDown?: () => Promise<void>
}): SpecApp {
  let proc: AppProcess | null = null
  let dataDir: string | null = null
  let env: Record<string, string> | null = null
  const running = () => {
    if (!proc) throw new Error(`the ${o.name} app has not started`)
    return proc
  }

  test.beforeAll(async () => {
    await o.setUp?.()
    dataDir = await mkdtemp(path.join(os.tmpdir(), `tradeloop-e2e-${o.name}-`))
    // The database port is drawn at random; another run on this machine may hold the one drawn.
    for (let attempt = 1; ; attempt++) {
      env = o.env(dataDir)
      try {
        proc = await startApp(env)
        break
      } catch (e) {
        if (attempt >= 3 || !/for the embedded database is already in use/.test((e as Error).message)) throw e
      }
    }
  })

  test.afterEach(async ({}, info) => {
    if (proc && info.status !== info.expectedStatus) await info.attach('npm start output', { body: proc.output(), contentType: 'text/plain' })
  })

  test.afterAll(async () => {
    await proc?.stop()
    await o.tearDown?.()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  return {
    get url() {
      return running().url
    },
    get env() {
      if (!env) throw new Error(`the ${o.name} app has not started`)
      return env
    },
    output: () => running().output(),
    stop: () => running().stop(),
    async start() {
      if (!env) throw new Error(`the ${o.name} app has not started`)
      proc = await startApp(env)
    },
  }
}

/** Signs in as `who` (the admin) on the sign-in page and waits for the dashboard. */
export async function signIn(page: Page, app: { url: string }, who: { email: string; password: string } = ADMIN) {
  await page.goto(`${app.url}/signin`)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}
