import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DeviceEntity } from '../entities/device.entity';
import { ExpansionExtentEntity } from '../entities/expansion-extent.entity';
import { ExpansionEntity } from '../entities/expansion.entity';
import { HostEntity } from '../entities/host.entity';
import { TenantEntity } from '../entities/tenant.entity';
import { VmEntity } from '../entities/vm.entity';

export const HEX_HASH = 'a'.repeat(64);

/** A tenant, a host with a 1 TiB window, a VM on it and two 256 GiB pooled devices. */
export async function seedFleet(dataSource: DataSource): Promise<void> {
  await dataSource.getRepository(TenantEntity).insert({
    id: 'tenant-a',
    name: 'Tenant A',
    quotaGiB: 4096,
    apiKeyPrefix: 'prefix-a',
    apiKeyHash: HEX_HASH,
  });
  await dataSource.getRepository(HostEntity).insert({ id: 'host-1', state: 'healthy', cfmwsWindowGiB: 1024 });
  await dataSource.getRepository(VmEntity).insert({ id: 'vm-1', tenantId: 'tenant-a', hostId: 'host-1', dramGiB: 64, name: 'vm one' });
  await dataSource.getRepository(DeviceEntity).insert([
    { id: 'dev-1', tier: 'pooled', capacityGiB: 256, health: 'healthy', healthReason: null },
    { id: 'dev-2', tier: 'pooled', capacityGiB: 256, health: 'healthy', healthReason: null },
  ]);
}

/** A new expansion of vm-1, returning its id. */
export async function insertExpansion(dataSource: DataSource, overrides: Partial<ExpansionEntity> = {}): Promise<string> {
  const id = randomUUID();
  await dataSource.getRepository(ExpansionEntity).insert({
    id,
    tenantId: 'tenant-a',
    vmId: 'vm-1',
    hostId: 'host-1',
    sizeGiB: 16,
    tier: 'pooled',
    placedTier: 'pooled',
    layout: 'pack',
    interleaveWays: null,
    maxAddedLatencyNs: null,
    state: 'placed',
    reason: null,
    requestId: null,
    ...overrides,
  });
  return id;
}

export interface ExtentRow {
  readonly deviceId: string;
  readonly offsetGiB: number;
  readonly sizeGiB: number;
  readonly live?: boolean;
}

/** One extent on a new expansion; rejects with the database's error when a rule refuses it. */
export async function insertExtent(dataSource: DataSource, extent: ExtentRow): Promise<string> {
  const expansionId = await insertExpansion(dataSource, { sizeGiB: Math.min(extent.sizeGiB, 2048) });
  await dataSource.getRepository(ExpansionExtentEntity).insert({ expansionId, live: true, ...extent });
  return expansionId;
}

/** The error `action` rejects with; fails the test when it resolves. */
export async function rejectionOf(action: Promise<unknown>): Promise<unknown> {
  try {
    await action;
  } catch (error) {
    return error;
  }
  throw new Error('expected the database to refuse, but it accepted');
}
