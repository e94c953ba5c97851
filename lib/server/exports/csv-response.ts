import { Readable, pipeline } from 'node:stream'
import { stringify } from 'csv-stringify'
import { csvCell } from './csv-cell'

export interface CsvColumn<T> {
  header: string
  value: (row: T) => string | number | boolean | null | undefined
}

/** `tradeloop-fills-20250131T120000Z.csv` */
export function csvFilename(what: string, now = new Date()): string {
  return `tradeloop-${what}-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.csv`
}

/**
 * A CSV download streamed as it is read: `rows` is pulled a page at a time only as fast as the
 * client takes the bytes (backpressure), so an export of any size never sits in memory, and it
 * stops reading when the client goes away. A header row, RFC 4180 quoting (csv-stringify), every
 * cell through csvCell. The first row is read before answering, so a failure there is still an
 * error status rather than a truncated file.
 */
export async function csvResponse<T>(o: { filename: string; columns: CsvColumn<T>[]; rows: AsyncIterable<T> }): Promise<Response> {
  const rows = o.rows[Symbol.asyncIterator]()
  const first = await rows.next()
  async function* records(): AsyncGenerator<string[]> {
    try {
      let r = first
      while (!r.done) {
        yield o.columns.map((c) => csvCell(c.value(r.value)))
        r = await rows.next()
      }
    } finally {
      // The client went away or the stream failed: stop the reader (its finally blocks run).
      await rows.return?.()
    }
  }
  const source = Readable.from(records())
  const stringifier = stringify({ header: true, columns: o.columns.map((c) => c.header), record_delimiter: 'windows' })
  pipeline(source, stringifier, (err) => {
    if (err && err.name !== 'AbortError' && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error(`[csv] ${o.filename}: export failed`, err)
  })
  const encoder = new TextEncoder()
  const chunks = stringifier[Symbol.asyncIterator]()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next()
      if (done) controller.close()
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : new Uint8Array(value as Buffer))
    },
    async cancel() {
      source.destroy()
      await chunks.return?.()
    },
  })
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${o.filename}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
