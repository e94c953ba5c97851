import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PrismaPg } from '@prisma/adapter-pg'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'

// Prisma's schema engine compiled to WASM: migrations without the native binary the CLI
// would download (no internet here). Instantiated by hand — the package's entry imports
// the .wasm as an ES module, which Node 20 only allows behind a flag.
export type Engine = {
  free(): void
  diff(input: unknown): Promise<{ exitCode: number; stdout: string }>
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>
}

let glue: Promise<Record<string, unknown>> | undefined

// The engine reports a Rust panic's message through this global just before it traps
// with an opaque "unreachable"; print it so the failure can be understood.
;(globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = {
  set_message: (m: string) => process.stderr.write(`schema engine panic: ${m}\n`),
}

async function loadGlue(): Promise<Record<string, unknown>> {
  const require = createRequire(import.meta.url)
  const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'))
  const mod = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as Record<string, unknown>
  const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'))
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': mod as WebAssembly.ModuleImports })
  ;(mod.__wbg_set_wasm as (w: unknown) => void)(instance.exports)
  ;(instance.exports.__wbindgen_start as () => void)()
  return mod
}

/** Runs fn with an engine connected to `connectionString`, closing its connections afterwards. */
export async function withSchemaEngine<T>(
  connectionString: string,
  schemaPath: string,
  schemaText: string,
  fn: (engine: Engine) => Promise<T>,
): Promise<T> {
  glue ??= loadGlue()
  const mod = await glue
  const SchemaEngine = mod.SchemaEngine as {
    new: (opts: unknown, cb: () => void, adapter: unknown) => Promise<Engine>
  }
  const pool = new pg.Pool({ connectionString, Client: CharAsTextClient as unknown as typeof pg.Client, max: 2 })
  const factory = bindMigrationAwareSqlAdapterFactory(withCharColumns(new PrismaPg(pool)))
  try {
    const engine = await SchemaEngine.new({ datamodels: [[schemaPath, schemaText]] }, () => {}, factory)
    try {
      return await fn(engine)
    } finally {
      engine.free()
    }
  } finally {
    await pool.end()
  }
}

const PG_CHAR_OID = 18
const PG_TEXT_OID = 25
const CHAR_MARK = '\u0000char'
const CHARACTER_COLUMN_TYPE = 6 // ColumnTypeEnum.Character in @prisma/driver-adapter-utils

/**
 * The engine's introspection reads catalog columns of PostgreSQL's one-byte "char" type,
 * which @prisma/adapter-pg 7.10 rejects as unsupported, while the engine's describer needs
 * them typed as Character. The pg client below reports them as text with a marked column
 * name; the adapter wrapper then restores the name and types the column as Character.
 * Only the migration tooling's pool does this; the application client is untouched.
 */
function markCharColumns(res: pg.QueryResult | undefined) {
  for (const f of res?.fields ?? []) {
    if (f.dataTypeID === PG_CHAR_OID) {
      f.dataTypeID = PG_TEXT_OID
      f.name += CHAR_MARK
    }
  }
  return res
}

class CharAsTextClient extends pg.Client {
  // pg-pool calls Client#query callback-style, so both call forms are covered.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args.length - 1
    if (typeof args[last] === 'function') {
      const cb = args[last]
      args[last] = (err: Error | null, res: pg.QueryResult) => cb(err, markCharColumns(res))
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as any)(...args)
    return result && typeof result.then === 'function' ? result.then(markCharColumns) : result
  }
}

type RawResult = { columnNames: string[]; columnTypes: number[]; rows: unknown[][] }
type Queryable = { queryRaw(q: unknown): Promise<RawResult>; startTransaction?(...a: unknown[]): Promise<Queryable> }

function retypeCharColumns<T extends Queryable>(q: T): T {
  const queryRaw = q.queryRaw.bind(q)
  q.queryRaw = async (query) => {
    const res = await queryRaw(query)
    res.columnNames.forEach((name, i) => {
      if (name.endsWith(CHAR_MARK)) {
        res.columnNames[i] = name.slice(0, -CHAR_MARK.length)
        res.columnTypes[i] = CHARACTER_COLUMN_TYPE
      }
    })
    return res
  }
  if (q.startTransaction) {
    const start = q.startTransaction.bind(q)
    q.startTransaction = async (...a) => retypeCharColumns(await start(...a))
  }
  return q
}

function withCharColumns(factory: PrismaPg): PrismaPg {
  const connect = factory.connect.bind(factory)
  const shadow = factory.connectToShadowDb.bind(factory)
  factory.connect = async () => retypeCharColumns(await connect())
  factory.connectToShadowDb = async () => retypeCharColumns(await shadow())
  return factory
}
