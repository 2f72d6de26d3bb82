import type { UsageEvent, UsageEventType } from '@mxs/contracts';
import { QUEUES } from '@mxs/contracts';
import { JOB_DEFAULTS } from '@mxs/messaging';
import { createTestDatabase } from '@mxs/persistence';
import { generateApiKey } from '@mxs/service-kit';
import type { InProcessApp, TestEnvironment } from '@mxs/test-kit';
import { ADMIN_KEY, startInProcess, testEnvironment, testRedisUrl } from '@mxs/test-kit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import type { BillingConfig } from '../config';
import { loadBillingConfig } from '../config';

export { ADMIN_KEY };
export type { TestEnvironment };

export interface BillingUnderTest extends InProcessApp {
  readonly config: BillingConfig;
  readonly db: DataSource;
}

export async function createBillingEnvironment(label: string): Promise<TestEnvironment> {
  return testEnvironment(await createTestDatabase(label));
}

/** The real billing app in this process on a free port; `MXS_METER_CONCURRENCY=0` leaves the queue alone. */
export async function startBilling(env: Record<string, string>): Promise<BillingUnderTest> {
  const config = loadBillingConfig({ MXS_BILLING_CLOSE_INTERVAL_MS: '0', MXS_SLA_EVALUATION_INTERVAL_MS: '0', ...env });
  const app = await startInProcess((logDestination) => AppModule.forRoot(config, { logDestination }), 'mxs billing API');
  return { ...app, config, db: app.app.get(DataSource) };
}

/** A tenant as the placement API would create it; answers its API key. */
export async function insertTenant(db: DataSource, id: string): Promise<string> {
  const key = generateApiKey();
  await db.query(`INSERT INTO tenants (id, name, quota_gib, plan, api_key_prefix, api_key_hash) VALUES ($1, $1, 100000, 'standard', $2, $3)`, [id, key.prefix, key.hash]);
  return key.key;
}

/** A usage event as the worker emits it. */
export function usageEvent(fields: { expansionId: string; tenantId: string; type: UsageEventType; at: string | Date; sizeGiB?: number; tier?: 'direct' | 'pooled'; eventId?: string }): UsageEvent {
  return {
    eventId: fields.eventId ?? randomUUID(),
    type: fields.type,
    expansionId: fields.expansionId,
    tenantId: fields.tenantId,
    vmId: `vm-${fields.tenantId}`,
    hostId: 'host-1',
    tier: fields.tier ?? 'pooled',
    sizeGiB: fields.type === 'expansion.released' ? 0 : (fields.sizeGiB ?? 16),
    at: typeof fields.at === 'string' ? fields.at : fields.at.toISOString(),
    reason: null,
  };
}

/** Puts events on the `usage-events` queue as the outbox relay does: job id = event id. */
export async function publishUsageEvents(queuePrefix: string, events: readonly UsageEvent[]): Promise<void> {
  const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.usageEvents, { connection, prefix: queuePrefix, defaultJobOptions: JOB_DEFAULTS[QUEUES.usageEvents] });
  try {
    for (let i = 0; i < events.length; i += 1_000) {
      await queue.addBulk(events.slice(i, i + 1_000).map((e) => ({ name: 'usage-event', data: e, opts: { jobId: e.eventId } })));
    }
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** Every interval of a tenant, in a stable order, as plain values. */
export async function intervalsOf(db: DataSource, tenantId: string): Promise<{ expansionId: string; seq: number; kind: string; sizeGiB: number; startSec: number; endSec: number | null }[]> {
  const rows: { expansion_id: string; seq: number; kind: string; size_gib: number; start_sec: string; end_sec: string | null }[] = await db.query(
    `SELECT expansion_id, seq, kind, size_gib, start_sec, end_sec FROM usage_intervals WHERE tenant_id = $1 ORDER BY expansion_id, seq`,
    [tenantId],
  );
  return rows.map((r) => ({ expansionId: r.expansion_id, seq: r.seq, kind: r.kind, sizeGiB: r.size_gib, startSec: Number(r.start_sec), endSec: r.end_sec === null ? null : Number(r.end_sec) }));
}
