import type { SimulatorControl } from '@mxs/host-agent';
import type { CheckResult } from './check-result';
import { Check, mapLimited } from './check-result';
import { withDb } from './db-state';

/** What driving the system to rest needs: the database, the simulator, and the API as operator and as tenants. */
export interface SettleTarget {
  readonly dbUrl: string;
  readonly sim: SimulatorControl;
  readonly apiUrl: string;
  readonly adminKey: string;
  tenantKey(tenantId: string): Promise<string>;
}

export interface SettleOptions {
  /** Longest wait for work in flight to end, per wait. */
  readonly timeoutMs: number;
  /** How long degraded expansions get to come back (the telemetry sweep restores them) before they are force-released. */
  readonly degradedWaitMs: number;
  /** How long failed expansions that still hold capacity get for the reconciler to return it. */
  readonly reconcileWaitMs: number;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

interface InFlight {
  readonly transient: string[];
  readonly degraded: string[];
  readonly failedHolding: string[];
  readonly unfinishedOperations: number;
  readonly unpublishedOutbox: number;
  readonly releasing: string[];
}

async function inFlight(target: SettleTarget): Promise<InFlight> {
  const rows = await withDb(target.dbUrl, async (db) => {
    const q = async <T>(sql: string): Promise<T[]> => (await db.query(sql)).rows as T[];
    return {
      expansions: await q<{ id: string; state: string; reason: string | null; holding: boolean }>(
        `SELECT e.id, e.state, e.reason, EXISTS (SELECT 1 FROM expansion_extents x WHERE x.expansion_id = e.id AND x.live) AS holding
         FROM expansions e WHERE e.state NOT IN ('active', 'released', 'rejected') ORDER BY e.id`,
      ),
      ops: (await q<{ n: number }>(`SELECT count(*)::int AS n FROM operations WHERE state IN ('pending', 'running', 'compensating')`))[0]?.n ?? 0,
      outbox: (await q<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`))[0]?.n ?? 0,
      devices: (await q<{ id: string }>(`SELECT id FROM devices ORDER BY id`)).map((d) => d.id),
    };
  });
  const states = await mapLimited(rows.devices, 16, (id) => target.sim.device(id).catch(() => null));
  const releasing = states.flatMap((d, i) => (d === null ? [`device ${rows.devices[i] ?? '?'} unreadable`] : d.extents.filter((e) => e.state !== 'accepted').map((e) => `${d.deviceId} ${e.expansionId} ${e.state}`)));
  const describe = (x: { id: string; state: string; reason: string | null }): string => `${x.id} ${x.state}${x.reason === null ? '' : ` (${x.reason})`}`;
  return {
    transient: rows.expansions.filter((x) => !['degraded', 'failed'].includes(x.state)).map(describe),
    degraded: rows.expansions.filter((x) => x.state === 'degraded').map((x) => x.id),
    failedHolding: rows.expansions.filter((x) => x.state === 'failed' && x.holding).map(describe),
    unfinishedOperations: rows.ops,
    unpublishedOutbox: rows.outbox,
    releasing,
  };
}

const busy = (f: InFlight): boolean => f.transient.length > 0 || f.unfinishedOperations > 0 || f.unpublishedOutbox > 0 || f.releasing.length > 0;

async function waitUntil(target: SettleTarget, what: string, done: (f: InFlight) => boolean, budgetMs: number, options: SettleOptions): Promise<InFlight> {
  const deadline = Date.now() + budgetMs;
  let lastLogMs = 0;
  for (;;) {
    const f = await inFlight(target);
    if (done(f) || Date.now() >= deadline) return f;
    if (Date.now() - lastLogMs >= 10_000) {
      lastLogMs = Date.now();
      options.log?.(`waiting for ${what}: ${f.transient.length} in flight, ${f.unfinishedOperations} operations, ${f.unpublishedOutbox} outbox rows, ${f.releasing.length} extents releasing, ${f.degraded.length} degraded, ${f.failedHolding.length} failed holding capacity`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

async function api(target: SettleTarget, method: string, path: string, key: string): Promise<{ status: number; body: string }> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${target.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    if (response.status !== 429 || attempt >= 20) return { status: response.status, body };
    await new Promise((resolve) => setTimeout(resolve, 1000 * Math.max(1, Number(response.headers.get('retry-after') ?? '1'))));
  }
}

/**
 * Drives the system to rest after the load and the faults: waits for every saga, outbox row and
 * fabric release to end; gives degraded expansions `degradedWaitMs` to be restored by the
 * telemetry sweep (every fault is healed by now), then force-releases the rest — the operator's
 * way out, which ends their billing — and gives failed expansions still holding capacity
 * `reconcileWaitMs` for the reconciler to return it. Answers a check of what never came to rest.
 */
export async function settle(target: SettleTarget, options: SettleOptions, name = 'settled: no work in flight, nothing degraded'): Promise<{ check: CheckResult; forceReleased: string[] }> {
  await waitUntil(target, 'work in flight', (f) => !busy(f), options.timeoutMs, options);
  let f = await waitUntil(target, 'degraded expansions to be restored', (x) => !busy(x) && x.degraded.length === 0, options.degradedWaitMs, options);
  const forceReleased: string[] = [];
  for (const id of f.degraded) {
    const reply = await api(target, 'POST', `/admin/v1/expansions/${id}/force-release`, target.adminKey);
    options.log?.(`force-release ${id}: ${reply.status}`);
    if (reply.status === 202) forceReleased.push(id);
  }
  f = await waitUntil(target, 'forced releases and failed capacity', (x) => !busy(x) && x.degraded.length === 0 && x.failedHolding.length === 0, options.timeoutMs + options.reconcileWaitMs, options);
  const check = new Check(name, forceReleased.length === 0 ? undefined : `force-released ${forceReleased.length} expansions still degraded after ${options.degradedWaitMs} ms: ${forceReleased.join(', ')}`);
  check.compare(f.transient.length === 0 ? null : `${f.transient.length} expansions still in flight: ${f.transient.slice(0, 10).join(', ')}`);
  check.compare(f.unfinishedOperations === 0 ? null : `${f.unfinishedOperations} operations unfinished`);
  check.compare(f.unpublishedOutbox === 0 ? null : `${f.unpublishedOutbox} outbox rows never published`);
  check.compare(f.releasing.length === 0 ? null : `extents not settled at the fabric: ${f.releasing.slice(0, 10).join(', ')}`);
  check.compare(f.degraded.length === 0 ? null : `still degraded: ${f.degraded.join(', ')}`);
  check.compare(f.failedHolding.length === 0 ? null : `failed but still holding capacity: ${f.failedHolding.join(', ')}`);
  return { check: check.result(), forceReleased };
}

/** Removes every active expansion the tenant's way (DELETE), so all capacity must come back. Answers how many were asked. */
export async function releaseEverything(target: SettleTarget, log?: (line: string) => void): Promise<{ requested: number; refused: string[] }> {
  const active = await withDb(target.dbUrl, async (db) => (await db.query(`SELECT id, tenant_id AS "tenantId" FROM expansions WHERE state = 'active' ORDER BY id`)).rows as { id: string; tenantId: string }[]);
  const keys = new Map<string, Promise<string>>();
  const keyOf = (tenantId: string): Promise<string> => {
    const known = keys.get(tenantId) ?? target.tenantKey(tenantId);
    keys.set(tenantId, known);
    return known;
  };
  const refused: string[] = [];
  await mapLimited(active, 8, async (x) => {
    const reply = await api(target, 'DELETE', `/v1/expansions/${x.id}`, await keyOf(x.tenantId));
    if (reply.status !== 202) refused.push(`${x.id}: ${reply.status} ${reply.body.slice(0, 200)}`);
  });
  log?.(`release everything: ${active.length} removals asked, ${refused.length} refused`);
  return { requested: active.length, refused };
}
