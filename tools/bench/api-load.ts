import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import type { BenchVm, ExpansionMix, StatusCounts } from './api-mix';
import { LatencyRecorder, countStatuses } from './api-mix';
import type { PrefillVm } from './prefill';

export interface FleetDescription {
  readonly name: string;
  readonly totals: { capacityGiB: number; usedGiB: number; utilization: number };
  readonly hosts: readonly { id: string }[];
}

export interface Population {
  readonly preset: 'small' | 'rack64' | 'region';
  readonly seed: number;
  readonly tenants: number;
  readonly vmsPerHost: number;
  readonly vmDramGiB: number;
}

export interface LoadResult {
  readonly durationSec: number;
  readonly requests: number;
  readonly statuses: StatusCounts;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency: ReturnType<LatencyRecorder['summary']>;
}

export function describeFleet(url: string, adminKey: string): Promise<FleetDescription> {
  return callJson<FleetDescription>(`${url}/admin/v1/fleet`, { method: 'GET', token: adminKey, expect: [200] });
}

/**
 * Loads the fleet, creates the tenants, and registers VMs on every host (tenants in turn, so
 * each tenant's VMs sit all over the fleet), as the compute service would. Returns the VMs in
 * a fixed order, whatever order the registrations finished in.
 */
export async function populate(url: string, adminKey: string, p: Population): Promise<{ vms: BenchVm[]; registered: PrefillVm[]; hosts: number }> {
  await callJson(`${url}/admin/v1/fleet`, { method: 'PUT', token: adminKey, body: { preset: p.preset, seed: p.seed }, expect: [200] });
  const fleet = await describeFleet(url, adminKey);
  const keys = new Array<string>(p.tenants);
  await inParallel([...keys.keys()], 16, async (t) => {
    const created = await callJson<{ apiKey: string }>(`${url}/admin/v1/tenants`, {
      method: 'POST',
      token: adminKey,
      body: { id: `bench-t${t}`, name: `Bench tenant ${t}`, quotaGiB: 10_000_000 },
      expect: [201],
    });
    keys[t] = created.apiKey;
  });
  const registrations = fleet.hosts.flatMap((h, i) =>
    Array.from({ length: p.vmsPerHost }, (_, k) => {
      const n = i * p.vmsPerHost + k;
      return { n, id: `bench-vm-${n}`, tenant: n % p.tenants, hostId: h.id };
    }),
  );
  const vms = new Array<BenchVm>(registrations.length);
  await inParallel(registrations, 16, async (r) => {
    await callJson(`${url}/admin/v1/vms`, {
      method: 'POST',
      token: adminKey,
      body: { id: r.id, tenantId: `bench-t${r.tenant}`, hostId: r.hostId, dramGiB: p.vmDramGiB, name: r.id },
      expect: [201],
    });
    vms[r.n] = { id: r.id, tenantKey: keys[r.tenant] as string };
  });
  const registered = registrations.map((r) => ({ id: r.id, tenantId: `bench-t${r.tenant}`, hostId: r.hostId, dramGiB: p.vmDramGiB }));
  return { vms, registered, hosts: fleet.hosts.length };
}

/** POSTs from `mix` on `connections` keep-alive connections, for some seconds or some requests. */
export async function postExpansions(url: string, mix: ExpansionMix, connections: number, length: { seconds: number } | { requests: number }): Promise<LoadResult> {
  const byStatus = new Map<number, number>();
  const latencies = new LatencyRecorder();
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    ...('seconds' in length ? { duration: length.seconds } : { amount: length.requests }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const r = mix.next();
          return {
            ...req,
            path: `/v1/vms/${r.vmId}/expansions`,
            headers: { authorization: `Bearer ${r.tenantKey}`, 'idempotency-key': r.idempotencyKey, 'content-type': 'application/json' },
            body: JSON.stringify(r.body),
          };
        },
      },
    ],
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    byStatus.set(statusCode, (byStatus.get(statusCode) ?? 0) + 1);
    latencies.record(responseTime);
  });
  const result = await instance;
  return {
    durationSec: result.duration,
    requests: latencies.count,
    statuses: countStatuses(byStatus),
    errors: result.errors,
    timeouts: result.timeouts,
    latency: latencies.summary(),
  };
}

/** The Redis server's process id when it runs on this machine (for CPU accounting), else null. */
export async function redisServerPid(redisUrl: string): Promise<number | null> {
  const host = new URL(redisUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return null;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const pid = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
    return pid === undefined ? null : Number(pid);
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** JSON over HTTP for the setup calls; anything but the expected status is an error. */
export async function callJson<T>(url: string, init: { method: string; token: string; body?: unknown; expect: readonly number[] }): Promise<T> {
  const res = await fetch(url, {
    method: init.method,
    headers: { authorization: `Bearer ${init.token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  if (!init.expect.includes(res.status)) throw new Error(`${init.method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}
