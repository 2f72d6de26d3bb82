import { Injectable } from '@nestjs/common';
import { isForeignKeyViolation } from '@mxs/persistence';
import { DataSource } from 'typeorm';
import { ApiError } from '../errors';

export interface VmView {
  readonly id: string;
  readonly tenantId: string;
  readonly hostId: string;
  readonly dramGiB: number;
  readonly name: string;
  /** GiB of CXL memory the VM holds in live expansions. */
  readonly expandedGiB: number;
  readonly createdAt: string;
}

export interface VmRegistration {
  readonly id: string;
  readonly tenantId: string;
  readonly hostId: string;
  readonly dramGiB: number;
  readonly name: string;
}

interface VmRow {
  id: string;
  tenant_id: string;
  host_id: string;
  dram_gib: number;
  name: string;
  created_at: Date;
  expanded_gib: number;
}

const LIVE = `('requested', 'placed', 'attaching', 'active', 'detaching', 'degraded')`;
const SELECT_VM = `SELECT v.id, v.tenant_id, v.host_id, v.dram_gib, v.name, v.created_at,
  (SELECT coalesce(sum(e.size_gib), 0)::int FROM expansions e WHERE e.vm_id = v.id AND e.state IN ${LIVE}) AS expanded_gib
  FROM vms v`;

/** VMs as the compute service registers them; unregistering keeps the row for history. */
@Injectable()
export class VmsService {
  constructor(private readonly db: DataSource) {}

  /** Registers a VM; the same registration again is answered with the VM (`created: false`). */
  async register(r: VmRegistration): Promise<{ vm: VmView; created: boolean }> {
    try {
      const inserted = (await this.db.query(
        `INSERT INTO vms (id, tenant_id, host_id, dram_gib, name) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET tenant_id = $2, host_id = $3, dram_gib = $4, name = $5, created_at = now(), unregistered_at = NULL
           WHERE vms.unregistered_at IS NOT NULL
         RETURNING id`,
        [r.id, r.tenantId, r.hostId, r.dramGiB, r.name],
      )) as { id: string }[];
      if (inserted.length > 0) return { vm: await this.get(r.id), created: true };
    } catch (error) {
      if (isForeignKeyViolation(error, 'vms_tenant_id_fkey')) {
        throw new ApiError('tenant-not-found', `tenant ${r.tenantId} does not exist`);
      }
      if (isForeignKeyViolation(error)) throw new ApiError('host-not-found', `host ${r.hostId} is not in the fleet`);
      throw error;
    }
    const existing = await this.get(r.id);
    const same = existing.tenantId === r.tenantId && existing.hostId === r.hostId && existing.dramGiB === r.dramGiB && existing.name === r.name;
    if (!same) throw new ApiError('vm-exists', `VM ${r.id} is already registered with other attributes`);
    return { vm: existing, created: false };
  }

  /**
   * Unregisters a VM without live expansions. The row lock makes a placement committing for
   * this VM (which share-locks the row) finish first, so its expansion is seen and refuses this.
   */
  async unregister(id: string): Promise<void> {
    const outcome = await this.db.transaction(async (m) => {
      const rows = (await m.query(`SELECT id FROM vms WHERE id = $1 AND unregistered_at IS NULL FOR UPDATE`, [id])) as unknown[];
      if (rows.length === 0) return 'not-found' as const;
      const live = (await m.query(`SELECT 1 FROM expansions WHERE vm_id = $1 AND state IN ${LIVE} LIMIT 1`, [id])) as unknown[];
      if (live.length > 0) return 'has-expansions' as const;
      await m.query(`UPDATE vms SET unregistered_at = now() WHERE id = $1`, [id]);
      return 'done' as const;
    });
    if (outcome === 'not-found') throw new ApiError('vm-not-found', `VM ${id} is not registered`);
    if (outcome === 'has-expansions') throw new ApiError('vm-has-expansions', `VM ${id} still has live expansions; remove them first`);
  }

  async get(id: string, tenantId?: string): Promise<VmView> {
    const rows: VmRow[] = await this.db.query(`${SELECT_VM} WHERE v.id = $1 AND v.unregistered_at IS NULL AND ($2::text IS NULL OR v.tenant_id = $2)`, [id, tenantId ?? null]);
    if (rows[0] === undefined) throw new ApiError('vm-not-found', `VM ${id} is not registered${tenantId === undefined ? '' : ' to your account'}`);
    return toView(rows[0]);
  }

  async list(filter: { tenantId?: string | undefined; after?: string | undefined; limit: number }): Promise<{ items: VmView[]; more: boolean }> {
    const rows: VmRow[] = await this.db.query(
      `${SELECT_VM} WHERE v.unregistered_at IS NULL AND ($1::text IS NULL OR v.tenant_id = $1) AND ($2::text IS NULL OR v.id > $2)
       ORDER BY v.id LIMIT $3`,
      [filter.tenantId ?? null, filter.after ?? null, filter.limit + 1],
    );
    return { items: rows.slice(0, filter.limit).map(toView), more: rows.length > filter.limit };
  }
}

function toView(r: VmRow): VmView {
  return { id: r.id, tenantId: r.tenant_id, hostId: r.host_id, dramGiB: r.dram_gib, name: r.name, expandedGiB: r.expanded_gib, createdAt: r.created_at.toISOString() };
}
