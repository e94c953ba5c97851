import type { LogEntry } from '@/lib/server/logs/list-logs'
import type { CsvColumn } from './csv-response'

export const LOG_COLUMNS: CsvColumn<LogEntry>[] = [
  { header: 'time', value: (l) => l.at },
  { header: 'kind', value: (l) => l.kind },
  { header: 'level', value: (l) => l.level },
  { header: 'type', value: (l) => l.type },
  { header: 'trader', value: (l) => l.traderName },
  { header: 'symbol', value: (l) => l.symbol },
  { header: 'message', value: (l) => l.message },
  { header: 'detail', value: (l) => l.detail },
  { header: 'position_id', value: (l) => l.positionId },
  { header: 'id', value: (l) => l.id },
]
