// npm run db:migrate — applies prisma/migrations to DATABASE_URL or the embedded database.
import { applyMigrations } from '@/lib/db/migrations'
import { withDatabase } from './with-database'

const applied = await withDatabase((url) => applyMigrations(url))
console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.')
