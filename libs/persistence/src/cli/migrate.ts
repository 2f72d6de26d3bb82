// Applies pending migrations: `npx nx run persistence:migrate` (DATABASE_URL, or the local default).
import { DEFAULT_DATABASE_URL, ensureDatabase, redactDatabaseUrl, runMigrations } from '../index';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const shown = redactDatabaseUrl(url);
  if (await ensureDatabase(url)) console.log(`created database ${shown}`);
  const applied = await runMigrations(url);
  if (applied.length === 0) console.log(`${shown}: up to date`);
  for (const name of applied) console.log(`${shown}: applied ${name}`);
}

main().catch((error: unknown) => {
  console.error('migrate failed:', error);
  process.exitCode = 1;
});
