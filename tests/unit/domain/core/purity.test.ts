import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '../../../..')
const domainDir = join(root, 'lib/domain')

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

const pureFiles = [...tsFiles(domainDir), join(root, 'lib/exchange/paper/fill-model.ts')].map((path) => ({
  file: relative(root, path),
  path,
  source: readFileSync(path, 'utf8'),
}))

function importsOf(source: string): string[] {
  const pattern = /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g
  return [...source.matchAll(pattern)].map((m) => m[1] ?? m[2])
}

function isAllowed(spec: string, fromFile: string): boolean {
  if (spec === 'decimal.js' || spec.startsWith('@/lib/domain/')) return true
  return spec.startsWith('.') && resolve(dirname(fromFile), spec).startsWith(domainDir)
}

// Hidden inputs would make results depend on more than the arguments (and break replays).
const IMPURE = ['fetch(', 'process.', 'require(', 'Math.random(', 'Date.now(', 'new Date(']

describe('the domain core is pure', () => {
  test.each(pureFiles)('$file imports only decimal.js and lib/domain', ({ path, source }) => {
    expect(importsOf(source).filter((spec) => !isAllowed(spec, path))).toEqual([])
  })

  test.each(pureFiles)('$file reads no clock, randomness, network or environment', ({ source }) => {
    expect(IMPURE.filter((token) => source.includes(token))).toEqual([])
  })

  test('the scan finds the domain files and their imports', () => {
    expect(pureFiles.length).toBeGreaterThan(10)
    const fillModel = pureFiles.find((f) => f.file.endsWith('fill-model.ts'))!
    expect(importsOf(fillModel.source)).toContain('@/lib/domain/decimal')
  })
})
