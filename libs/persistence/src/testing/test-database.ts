import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationInterface } from 'typeorm';
import { databaseExists, withAdminClient } from '../admin-client';
import { runMigrations } from '../data-source';
import { quoteIdent, withDatabase } from '../database-url';
import { PersistenceError } from '../errors';
import { MIGRATIONS } from '../migrations';

/** A database of its own for one test file, cloned from the migrated template. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Ends every connection still open to it, then drops it. */
  drop(): Promise<void>;
}

const DEFAULT_TEST_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

// One key for every process on the server: Jest workers of several Nx projects build in turn.
const TEMPLATE_LOCK_KEY = 7_316_550_422;

function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_SERVER_URL;
}

/**
 * Named after the migrations it holds, their names and their code, so adding a migration or
 * editing one not yet released builds a new template instead of reusing a stale one. The code
 * is as the running transpiler emitted it: Jest and tsx each build a template of their own.
 * `sources`, the migration files as written, covers what up() and down() only call (a helper
 * of the module): an edit there alone had reused the stale template.
 */
export function testTemplateName(migrations: readonly (new () => MigrationInterface)[] = MIGRATIONS, sources: readonly string[] = migrationSources()): string {
  const hash = createHash('sha256');
  for (const Migration of migrations) {
    const m = new Migration();
    hash.update(`${m.name ?? Migration.name}\n${m.up.toString()}\n${m.down.toString()}\n`);
  }
  for (const source of sources) hash.update(source);
  return `mxs_test_template_${hash.digest('hex').slice(0, 10)}`;
}

/** The migrations' files, each named, in name order (none where they are not beside this code, as in a bundle). */
function migrationSources(): string[] {
  const dir = join(__dirname, '..', 'migrations');
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).sort().map((f) => `${f}\0${readFileSync(join(dir, f), 'utf8')}\0`);
  } catch {
    return [];
  }
}

/**
 * Builds `templateName` unless it exists. Safe to call from many processes at once: the build
 * runs under an advisory lock and looks again once it holds it. A build goes into `<name>_wip`
 * and is renamed when complete, so a crashed build never leaves a half-migrated template.
 */
export async function buildTestTemplate(serverUrl: string, templateName: string): Promise<void> {
  await withAdminClient(serverUrl, async (client) => {
    if (await databaseExists(client, templateName)) return;
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      if (await databaseExists(client, templateName)) return;
      const building = `${templateName}_wip`;
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(building)}`);
      await runMigrations(withDatabase(serverUrl, building));
      await client.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(templateName)}`);
      // No one may connect: a session on a template makes every CREATE … TEMPLATE fail.
      await client.query(`ALTER DATABASE ${quoteIdent(templateName)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}

/** Drops a template built by `buildTestTemplate` (templates refuse DROP until unmarked). */
export async function dropTestTemplate(serverUrl: string, templateName: string): Promise<void> {
  await withAdminClient(serverUrl, async (client) => {
    if (!(await databaseExists(client, templateName))) return;
    await client.query(`ALTER DATABASE ${quoteIdent(templateName)} WITH IS_TEMPLATE false`);
    await client.query(`DROP DATABASE ${quoteIdent(templateName)}`);
  });
}

// Within one process, build (or find) the template once.
const templates = new Map<string, Promise<void>>();

function templateReady(serverUrl: string, templateName: string): Promise<void> {
  const key = `${serverUrl} ${templateName}`;
  let ready = templates.get(key);
  if (ready === undefined) {
    ready = buildTestTemplate(serverUrl, templateName);
    // A failed build is not remembered: the next test file tries again.
    ready.catch(() => templates.delete(key));
    templates.set(key, ready);
  }
  return ready;
}

function labelOf(label: string): string {
  const cleaned = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  if (cleaned === '') {
    throw new PersistenceError('invalid-test-label', `a test database label needs a letter or digit: "${label}"`);
  }
  return cleaned;
}

/**
 * A fresh, migrated database `mxs_t_<label>_<random>` on TEST_DATABASE_URL's server (default
 * the local one), cloned from the template in about a tenth of a second. Drop it in `afterAll`.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const templateName = testTemplateName();
  const name = `mxs_t_${labelOf(label)}_${randomBytes(4).toString('hex')}`;
  await templateReady(serverUrl, templateName);
  await withAdminClient(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(templateName)}`),
  );
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () =>
      withAdminClient(serverUrl, async (client) => {
        // FORCE ends the connections a test left open (PostgreSQL 13+), then drops.
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      }),
  };
}
