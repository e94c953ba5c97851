import path from 'node:path'
import { buildWebAppIfNeeded } from '../../../scripts/start/build-web-app'

/** Builds the production web app once, before any spec starts it (see buildWebAppIfNeeded). */
export default function globalSetup() {
  buildWebAppIfNeeded(path.resolve(import.meta.dirname, '../../..'), process.env, (m) => console.log(`[e2e] ${m}`))
}
