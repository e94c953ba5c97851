import path from 'node:path'

/**
 * Node's arguments for the web process: the production server (scripts/web-server.ts, Next plus
 * the routes it answers directly) or `next dev`. Both listen on PORT.
 */
export function webProcessArgs(root: string, port: number, dev: boolean): string[] {
  if (dev) return [path.join(root, 'node_modules/next/dist/bin/next'), 'dev', '-p', String(port)]
  return ['--import', 'tsx', path.join(root, 'scripts/web-server.ts')]
}
