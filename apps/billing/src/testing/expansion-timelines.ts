import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

// Expansions and their timelines as the placement API and the worker write them, for the SLA figures.

const HOST_ID = 'host-sla';

/** The tenant's VM (`vm-<tenant>`) on the one test host. */
export async function insertVm(db: DataSource, tenantId: string): Promise<string> {
  const vmId = `vm-${tenantId}`;
  await db.query(`INSERT INTO hosts (id, state, cfmws_window_gib) VALUES ($1, 'healthy', 4096) ON CONFLICT (id) DO NOTHING`, [HOST_ID]);
  await db.query(`INSERT INTO vms (id, tenant_id, host_id, dram_gib) VALUES ($1, $2, $3, 64)`, [vmId, tenantId, HOST_ID]);
  return vmId;
}

export async function transition(db: DataSource, expansionId: string, from: string | null, to: string, when: Date): Promise<void> {
  await db.query(`INSERT INTO expansion_transitions (expansion_id, from_state, to_state, at) VALUES ($1, $2, $3, $4)`, [expansionId, from, to, when]);
}

export async function insertExpansion(db: DataSource, tenantId: string, state: string, requested: Date): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO expansions (id, tenant_id, vm_id, host_id, size_gib, tier, placed_tier, layout, state, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 16, 'pooled', 'pooled', 'pack', $5, $6, $6)`,
    [id, tenantId, `vm-${tenantId}`, HOST_ID, state, requested],
  );
  return id;
}

/** A hot-add requested at `requested` that became active (or failed) `readyMs` later. */
export async function hotAdd(db: DataSource, tenantId: string, requested: Date, readyMs: number, outcome: 'active' | 'failed' = 'active'): Promise<string> {
  const id = await insertExpansion(db, tenantId, outcome, requested);
  const ms = requested.getTime();
  await transition(db, id, null, 'requested', requested);
  await transition(db, id, 'requested', 'placed', new Date(ms + 50));
  await transition(db, id, 'placed', 'attaching', new Date(ms + 100));
  await transition(db, id, 'attaching', outcome, new Date(ms + readyMs));
  return id;
}

/** A hot-remove asked for at `detaching`, released (or given up, back to active) `durationMs` later. */
export async function hotRemove(db: DataSource, expansionId: string, detaching: Date, durationMs: number, outcome: 'released' | 'active' = 'released'): Promise<void> {
  await transition(db, expansionId, 'active', 'detaching', detaching);
  await transition(db, expansionId, 'detaching', outcome, new Date(detaching.getTime() + durationMs));
  await db.query(`UPDATE expansions SET state = $2 WHERE id = $1`, [expansionId, outcome]);
}
