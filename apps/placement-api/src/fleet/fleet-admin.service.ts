import { hasUnstorableText } from '@mxs/service-kit';
import { Injectable } from '@nestjs/common';
import type { DeviceHealth, FleetSpec, HostState, SwitchState } from '@mxs/topology';
import { Fleet, TopologyError, generateFleetSpec, parseFleetSpec, tierOf } from '@mxs/topology';
import type { FleetPresetName } from '@mxs/topology';
import { isForeignKeyViolation } from '@mxs/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { ApiError } from '../errors';
import { updateReturning } from '@mxs/persistence';
import { FleetView } from './fleet-view';

export type FleetSource = { readonly preset: FleetPresetName; readonly seed?: number } | { readonly spec: unknown };

export interface FleetSummary {
  readonly name: string;
  readonly version: number;
  readonly hosts: number;
  readonly switches: number;
  readonly devices: number;
  readonly capacityGiB: number;
}

/** Loading the fleet and operators' state changes (FleetReport reads it). */
@Injectable()
export class FleetAdminService {
  constructor(
    private readonly db: DataSource,
    private readonly view: FleetView,
  ) {}

  async load(source: FleetSource): Promise<FleetSummary> {
    const spec = toHardwareSpec(source);
    const summary = await this.db.transaction(async (m) => {
      // Placements in flight finish first and are counted below; those that start meanwhile
      // wait, then find a new layout version and re-plan on the new fleet.
      await m.query(`LOCK TABLE expansions IN SHARE MODE`);
      const [layout] = (await m.query(`SELECT version FROM fleet_layout WHERE id = 1 FOR UPDATE`)) as { version: number }[];
      const [live] = (await m.query(`SELECT count(*)::int AS n FROM expansions WHERE state NOT IN ('released', 'rejected', 'failed')`)) as { n: number }[];
      if ((live?.n ?? 0) > 0) throw new ApiError('fleet-in-use', `${live?.n} expansion(s) are live; remove them before loading another fleet`);
      const hostIds = spec.hosts.map((h) => h.id);
      const orphans = (await m.query(`SELECT id, host_id FROM vms WHERE unregistered_at IS NULL AND NOT (host_id = ANY($1::text[])) LIMIT 5`, [hostIds])) as { id: string; host_id: string }[];
      if (orphans.length > 0) {
        throw new ApiError('fleet-in-use', `registered VMs sit on hosts the new fleet lacks: ${orphans.map((o) => `${o.id} on ${o.host_id}`).join(', ')}`);
      }
      const version = (layout?.version ?? 0) + 1;
      await replaceHardware(m, spec);
      await m.query(
        `INSERT INTO fleet_layout (id, version, name, spec, loaded_at) VALUES (1, $1, $2, $3::jsonb, now())
         ON CONFLICT (id) DO UPDATE SET version = $1, name = $2, spec = $3::jsonb, loaded_at = now()`,
        [version, spec.name, JSON.stringify(spec)],
      );
      return {
        name: spec.name,
        version,
        hosts: spec.hosts.length,
        switches: spec.switches.length,
        devices: spec.devices.length,
        capacityGiB: spec.devices.reduce((sum, d) => sum + d.capacityGiB, 0),
      };
    }).catch((error: unknown) => {
      if (isForeignKeyViolation(error)) {
        throw new ApiError('fleet-in-use', 'past expansions or VMs still refer to hardware the new fleet lacks');
      }
      throw error;
    });
    this.view.invalidate();
    return summary;
  }

  async setDeviceHealth(id: string, health: DeviceHealth, reason: string | null): Promise<{ id: string; health: DeviceHealth; healthReason: string | null }> {
    const rows = await updateReturning(this.db, `UPDATE devices SET health = $2, health_reason = $3, updated_at = now() WHERE id = $1 RETURNING id`, [id, health, reason]);
    if (rows.length === 0) throw new ApiError('device-not-found', `device ${id} does not exist`);
    return { id, health, healthReason: reason };
  }

  async setHostState(id: string, state: HostState): Promise<{ id: string; state: HostState }> {
    const rows = await updateReturning(this.db, `UPDATE hosts SET state = $2, updated_at = now() WHERE id = $1 RETURNING id`, [id, state]);
    if (rows.length === 0) throw new ApiError('host-not-found', `host ${id} does not exist`);
    return { id, state };
  }

  async setSwitchState(id: string, state: SwitchState): Promise<{ id: string; state: SwitchState }> {
    const rows = await updateReturning(this.db, `UPDATE switches SET state = $2, updated_at = now() WHERE id = $1 RETURNING id`, [id, state]);
    if (rows.length === 0) throw new ApiError('switch-not-found', `switch ${id} does not exist`);
    return { id, state };
  }
}

/** The fleet a PUT names, validated; VMs and allocations are the API's, not the file's. */
function toHardwareSpec(source: FleetSource): FleetSpec {
  try {
    const spec = 'preset' in source ? generateFleetSpec({ preset: source.preset, seed: source.seed ?? 1, vmsPerHost: 0 }) : parseFleetSpec(source.spec);
    if (spec.vms.length > 0 || spec.allocations.length > 0) {
      throw new ApiError('invalid-fleet', 'a loaded fleet carries hardware only: register VMs with POST /admin/v1/vms', {
        errors: [{ path: 'body.vms', message: 'must be empty' }, { path: 'body.allocations', message: 'must be empty' }],
      });
    }
    if (hasUnstorableText(spec)) {
      // The document is kept as jsonb, which refuses these; say so rather than fail on INSERT.
      throw new ApiError('invalid-fleet', 'the fleet document contains a NUL character or half a surrogate pair', {
        errors: [{ path: 'body', message: 'strings must be valid Unicode without U+0000' }],
      });
    }
    Fleet.fromSpec(spec); // the full model check: paths, windows, slots
    return spec;
  } catch (error) {
    if (error instanceof TopologyError) {
      throw new ApiError('invalid-fleet', error.message, { errors: error.details.map((d) => ({ path: 'body', message: d })) });
    }
    throw error;
  }
}

async function replaceHardware(m: EntityManager, spec: FleetSpec): Promise<void> {
  await m.query(`DELETE FROM devices WHERE NOT (id = ANY($1::text[]))`, [spec.devices.map((d) => d.id)]);
  await m.query(`DELETE FROM switches WHERE NOT (id = ANY($1::text[]))`, [spec.switches.map((s) => s.id)]);
  await m.query(`DELETE FROM hosts WHERE NOT (id = ANY($1::text[]))`, [spec.hosts.map((h) => h.id)]);
  await m.query(
    `INSERT INTO hosts (id, state, cfmws_window_gib, mapped_gib)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[])
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, cfmws_window_gib = EXCLUDED.cfmws_window_gib, mapped_gib = 0, updated_at = now()`,
    [spec.hosts.map((h) => h.id), spec.hosts.map((h) => h.state), spec.hosts.map((h) => h.cfmwsWindowGiB), spec.hosts.map(() => 0)],
  );
  await m.query(
    `INSERT INTO switches (id, state) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
    [spec.switches.map((s) => s.id), spec.switches.map((s) => s.state)],
  );
  await m.query(
    `INSERT INTO devices (id, tier, capacity_gib, health, health_reason) SELECT d.*, NULL FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS d
     ON CONFLICT (id) DO UPDATE SET tier = EXCLUDED.tier, capacity_gib = EXCLUDED.capacity_gib, health = EXCLUDED.health, health_reason = NULL, updated_at = now()`,
    [spec.devices.map((d) => d.id), spec.devices.map((d) => tierOf(d.attachment)), spec.devices.map((d) => d.capacityGiB), spec.devices.map((d) => d.health)],
  );
}
