// npm run db:new-migration -- <name> — writes a migration for the difference between
// prisma/migrations and prisma/schema.prisma (the offline stand-in for `prisma migrate dev`).
import { createMigration } from '@/lib/db/migrations'
import { withDatabase } from './with-database'

const name = process.argv[2]
if (!name) {
  console.error('usage: npm run db:new-migration -- <name>')
  process.exit(2)
}
const created = await withDatabase((url) => createMigration(url, name))
console.log(created ? `Created prisma/migrations/${created}/migration.sql` : 'No schema changes: nothing to do.')
