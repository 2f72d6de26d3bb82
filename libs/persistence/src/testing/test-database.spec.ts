/// <reference types="jest" />
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { databaseExists, withAdminClient } from '../admin-client';
import { PersistenceError } from '../errors';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from '../migrations';
import { buildTestTemplate, createTestDatabase, dropTestTemplate, testTemplateName } from './test-database';

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const exists = (name: string) => withAdminClient(serverUrl, (client) => databaseExists(client, name));

async function tableCount(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('gives each caller a migrated database of its own, named after its label', async () => {
    const [first, second] = await Promise.all([createTestDatabase('Harness Spec'), createTestDatabase('harness-spec')]);
    try {
      expect(first.name).toMatch(/^mxs_t_harness_spec_[0-9a-f]{8}$/);
      expect(second.name).not.toBe(first.name);
      expect(await tableCount(first.url)).toBe(ENTITIES.length + 1); // every entity's table and TypeORM's migrations table
      expect(await tableCount(second.url)).toBe(ENTITIES.length + 1);
    } finally {
      await first.drop();
      await second.drop();
    }
  });

  it('drops the database even with a connection still open to it', async () => {
    const db = await createTestDatabase('harness-drop');
    const leaked = new Client({ connectionString: db.url });
    leaked.on('error', () => undefined); // the drop ends this session on purpose
    await leaked.connect();
    await db.drop();
    expect(await exists(db.name)).toBe(false);
    await leaked.end().catch(() => undefined);
  });

  it('refuses a label with no letter or digit', async () => {
    await expect(createTestDatabase('--')).rejects.toEqual(expect.any(PersistenceError));
  });

  it('names the template after the migrations, their code included', () => {
    expect(testTemplateName()).toMatch(/^mxs_test_template_[0-9a-f]{10}$/);
    // One migration as first written, the same again, and then with a statement edited.
    const written = [
      class Probe1 implements MigrationInterface {
        async up(runner: QueryRunner): Promise<void> {
          await runner.query('CREATE TABLE probe (id int)');
        }
        async down(runner: QueryRunner): Promise<void> {
          await runner.query('DROP TABLE probe');
        }
      },
      class Probe1 implements MigrationInterface {
        async up(runner: QueryRunner): Promise<void> {
          await runner.query('CREATE TABLE probe (id int)');
        }
        async down(runner: QueryRunner): Promise<void> {
          await runner.query('DROP TABLE probe');
        }
      },
      class Probe1 implements MigrationInterface {
        async up(runner: QueryRunner): Promise<void> {
          await runner.query('CREATE TABLE probe (id bigint)');
        }
        async down(runner: QueryRunner): Promise<void> {
          await runner.query('DROP TABLE probe');
        }
      },
    ].map((m) => testTemplateName([m]));
    expect(written[1]).toBe(written[0]);
    expect(written[2]).not.toBe(written[0]);
    // The same migration beside a helper of its module edited: up() and down() read the same.
    const probe = [
      class Probe2 implements MigrationInterface {
        async up(runner: QueryRunner): Promise<void> {
          await runner.query('SELECT 1');
        }
        async down(runner: QueryRunner): Promise<void> {
          await runner.query('SELECT 2');
        }
      },
    ];
    expect(testTemplateName(probe, ['const helper = 1;'])).not.toBe(testTemplateName(probe, ['const helper = 2;']));
    // The migrations' own files count by default.
    expect(testTemplateName()).not.toBe(testTemplateName(MIGRATIONS, []));
  });
});

describe('buildTestTemplate', () => {
  const templateName = `mxs_test_template_probe_${randomBytes(4).toString('hex')}`;

  afterAll(() => dropTestTemplate(serverUrl, templateName));

  it('builds a template once when several sessions ask at the same time', async () => {
    await Promise.all([1, 2, 3, 4].map(() => buildTestTemplate(serverUrl, templateName)));
    expect(await exists(templateName)).toBe(true);
    expect(await exists(`${templateName}_wip`)).toBe(false);
    const flags = await withAdminClient(serverUrl, (client) =>
      client.query('SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1', [templateName]),
    );
    expect(flags.rows).toEqual([{ datistemplate: true, datallowconn: false }]);
  });
});
