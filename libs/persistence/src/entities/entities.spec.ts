/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { insertExpansion, seedFleet } from '../__fixtures__/rows';
import { createDataSource } from '../data-source';
import type { TestDatabase } from '../testing/test-database';
import { createTestDatabase } from '../testing/test-database';
import { ExpansionTransitionEntity } from './expansion-transition.entity';
import { ExpansionEntity } from './expansion.entity';
import { FleetLayoutEntity } from './fleet-layout.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { ENTITIES } from './index';
import { OperationEntity } from './operation.entity';
import { OutboxEntity } from './outbox.entity';
import { TenantEntity } from './tenant.entity';

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDatabase('entities');
  dataSource = createDataSource({ url: db.url });
  await dataSource.initialize();
  await seedFleet(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

interface DbColumn {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  udt_name: string;
}

// TypeORM's type names against PostgreSQL's udt names.
const UDT_OF: Record<string, string> = {
  text: 'text',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  uuid: 'uuid',
  jsonb: 'jsonb',
  boolean: 'bool',
  timestamptz: 'timestamptz',
  int4range: 'int4range',
  date: 'date',
};

// Columns of a type TypeORM cannot declare, written only by PostgreSQL (a default, a trigger)
// and read only in SQL: expansion_extents.changed_xid, the change feed's transaction id.
const UNMAPPED = new Set(['expansion_extents.changed_xid xid8 not null']);

describe('entities', () => {
  it('map every column of every table the migrations create, with its type and nullability', async () => {
    const dbColumns: DbColumn[] = await dataSource.query(
      `SELECT table_name, column_name, is_nullable, udt_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    const fromDb = dbColumns.map((c) => `${c.table_name}.${c.column_name} ${c.udt_name} ${c.is_nullable === 'YES' ? 'null' : 'not null'}`);
    expect(fromDb.filter((c) => UNMAPPED.has(c))).toEqual([...UNMAPPED]);
    const fromEntities = ENTITIES.flatMap((entity) => {
      const metadata = dataSource.getMetadata(entity);
      return metadata.columns.map((column) => {
        // A generated column is nullable in the catalogue; the entity never writes it.
        const nullable = column.isNullable || !column.isInsert;
        return `${metadata.tableName}.${column.databaseName} ${UDT_OF[String(column.type)]} ${nullable ? 'null' : 'not null'}`;
      });
    });
    expect(fromEntities.sort()).toEqual(fromDb.filter((c) => !UNMAPPED.has(c)).sort());
  });

  it('read back what they wrote: dates as Date, jsonb as objects, bigint ids as strings', async () => {
    const tenant = await dataSource.getRepository(TenantEntity).findOneByOrFail({ id: 'tenant-a' });
    expect(tenant).toMatchObject({ quotaGiB: 4096, usedGiB: 0, plan: 'standard' });
    expect(tenant.createdAt).toBeInstanceOf(Date);

    const expansionId = await insertExpansion(dataSource, { layout: 'interleave', interleaveWays: 2, maxAddedLatencyNs: 350 });
    const expansion = await dataSource.getRepository(ExpansionEntity).findOneByOrFail({ id: expansionId });
    expect(expansion).toMatchObject({ sizeGiB: 16, interleaveWays: 2, maxAddedLatencyNs: 350, reason: null });

    const transitions = dataSource.getRepository(ExpansionTransitionEntity);
    const first = await transitions.save(transitions.create({ expansionId, fromState: null, toState: 'requested', detail: { by: 'test' } }));
    const second = await transitions.save(transitions.create({ expansionId, fromState: 'requested', toState: 'placed' }));
    expect(typeof first.id).toBe('string');
    expect(BigInt(second.id)).toBeGreaterThan(BigInt(first.id));
    expect(second.at.getTime()).toBeGreaterThanOrEqual(first.at.getTime());
    expect((await transitions.findOneByOrFail({ id: first.id })).detail).toEqual({ by: 'test' });

    const layout = await dataSource.getRepository(FleetLayoutEntity).save({ id: 1, version: 3, name: 'demo', spec: { format: 'mxs-fleet/1' } as never });
    expect(layout.loadedAt).toBeInstanceOf(Date);
  });

  it('fill database defaults on insert and hand them back', async () => {
    const expansionId = await insertExpansion(dataSource);
    const operations = dataSource.getRepository(OperationEntity);
    const operation = await operations.save(operations.create({ expansionId, kind: 'hot-add' }));
    expect(operation).toMatchObject({ state: 'pending', step: null, checkpoint: {}, attempts: 0 });
    expect(operation.id).toMatch(/^[0-9a-f-]{36}$/);

    const outbox = dataSource.getRepository(OutboxEntity);
    const job = await outbox.save(outbox.create({ id: operation.id, queue: 'hotplug', jobName: 'hot-add', payload: { operationId: operation.id } }));
    expect(job).toMatchObject({ attempts: 0, publishedAt: null });
    expect(job.createdAt).toBeInstanceOf(Date);

    const keys = dataSource.getRepository(IdempotencyKeyEntity);
    await keys.insert({ tenantId: 'tenant-a', key: 'k1', requestHash: 'h', statusCode: 202, response: [1, 'two'], resourceId: randomUUID() });
    expect((await keys.findOneByOrFail({ tenantId: 'tenant-a', key: 'k1' })).response).toEqual([1, 'two']);
  });
});
