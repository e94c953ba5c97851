import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * Builds the web app (`next build`) unless `.next` already holds a build of the checked-out
 * commit. Used by `npm start` on its first start of a version, and by the browser tests' global
 * setup so that no single test pays for the build inside its own time limit.
 */
export function buildWebAppIfNeeded(root: string, env: NodeJS.ProcessEnv, say: (m: string) => void): void {
  const marker = path.join(root, '.next', 'tradeloop-build-rev')
  const rev = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown'
  const built = existsSync(path.join(root, '.next', 'BUILD_ID')) && existsSync(marker) && readFileSync(marker, 'utf8') === rev
  if (built && rev !== 'unknown') return
  say('building the web app (first start of this version; takes a minute or two)…')
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: root,
    env: { ...env, NODE_ENV: 'production' },
    stdio: 'inherit',
  })
  if (r.status !== 0) throw new Error('next build failed (see above)')
  writeFileSync(marker, rev)
}
