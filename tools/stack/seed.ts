/**
 * Seeds a fresh stack through the admin API, the way an operator would, and can run again on a
 * seeded one: the `small` fleet when none is loaded, the `demo` tenant (a new key when it exists,
 * since keys are stored only as hashes), and a few demo VMs on the fleet's first hosts.
 */
import { StackError } from './stack-error';
import { SimulatorControl } from '@mxs/host-agent';
import type { FleetPresetName } from '@mxs/topology';
import { generateFleetSpec } from '@mxs/topology';

export const DEMO_FLEET = { preset: 'small', seed: 1 } as const;

/**
 * Loads the fleet the API was seeded with into the simulated hosts: the same document the API
 * generates for that preset and seed, so every host and device the worker is sent to exists.
 */
export async function loadSimulatedFleet(settings: { hostAgentUrl: string; hostAgentToken: string }, fleet: { preset: FleetPresetName; seed: number }): Promise<void> {
  const sim = new SimulatorControl({ baseUrl: settings.hostAgentUrl, token: settings.hostAgentToken });
  try {
    await sim.loadFleet(generateFleetSpec({ preset: fleet.preset, seed: fleet.seed, vmsPerHost: 0 }));
  } catch (error) {
    throw new StackError('seed-failed', `could not load the fleet into the host simulator: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    sim.close();
  }
}
export const DEMO_TENANT = { id: 'demo', name: 'Demo tenant', quotaGiB: 4096 } as const;
export const DEMO_VM_COUNT = 3;
const DEMO_VM_DRAM_GIB = 64;

export interface SeedResult {
  readonly fleet: { readonly name: string; readonly hosts: number; readonly devices: number; readonly capacityGiB: number; readonly loadedNow: boolean };
  readonly tenant: { readonly id: string; readonly apiKey: string; readonly created: boolean };
  readonly vms: readonly { readonly id: string; readonly hostId: string; readonly outcome: 'created' | 'existing' | 'kept' }[];
}

/** The hosts of GET /admin/v1/fleet that the seed reads. */
export interface FleetHost {
  readonly id: string;
  readonly state?: string;
  readonly dramGiB?: number;
}

interface FleetBody {
  readonly name: string;
  readonly hosts: readonly FleetHost[];
  readonly devices: readonly unknown[];
  readonly totals?: { readonly capacityGiB?: number };
}

export async function seedDemo(options: { apiUrl: string; adminKey: string }): Promise<SeedResult> {
  const admin = adminClient(options.apiUrl, options.adminKey);

  let loadedNow = false;
  let fleet = await admin.call('GET', '/admin/v1/fleet');
  if (fleet.status === 409 && problemSlug(fleet.body) === 'fleet-not-loaded') {
    admin.expect(await admin.call('PUT', '/admin/v1/fleet', DEMO_FLEET), [200], 'load the small fleet');
    loadedNow = true;
    fleet = await admin.call('GET', '/admin/v1/fleet');
  }
  const layout = admin.expect(fleet, [200], 'read the fleet') as FleetBody;

  const created = await admin.call('POST', '/admin/v1/tenants', DEMO_TENANT);
  let tenant: { id: string; apiKey: string; created: boolean };
  if (created.status === 409 && problemSlug(created.body) === 'tenant-exists') {
    const rotated = admin.expect(await admin.call('POST', `/admin/v1/tenants/${DEMO_TENANT.id}/api-key`), [200], 'rotate the demo key') as { apiKey: string };
    tenant = { id: DEMO_TENANT.id, apiKey: rotated.apiKey, created: false };
  } else {
    const body = admin.expect(created, [201], 'create the demo tenant') as { apiKey: string };
    tenant = { id: DEMO_TENANT.id, apiKey: body.apiKey, created: true };
  }

  const vms: SeedResult['vms'][number][] = [];
  for (const [i, host] of demoHosts(layout.hosts, DEMO_VM_COUNT).entries()) {
    const vm = { id: `demo-vm-${i + 1}`, tenantId: DEMO_TENANT.id, hostId: host.id, dramGiB: Math.min(DEMO_VM_DRAM_GIB, host.dramGiB ?? DEMO_VM_DRAM_GIB), name: `Demo VM ${i + 1}` };
    const registered = await admin.call('POST', '/admin/v1/vms', vm);
    if (registered.status === 409 && problemSlug(registered.body) === 'vm-exists') {
      // Registered before with other attributes (another fleet, an edit): keep what is there.
      vms.push({ id: vm.id, hostId: host.id, outcome: 'kept' });
      continue;
    }
    admin.expect(registered, [200, 201], `register ${vm.id}`);
    vms.push({ id: vm.id, hostId: host.id, outcome: registered.status === 201 ? 'created' : 'existing' });
  }

  return {
    fleet: {
      name: layout.name,
      hosts: layout.hosts.length,
      devices: layout.devices.length,
      capacityGiB: layout.totals?.capacityGiB ?? 0,
      loadedNow,
    },
    tenant,
    vms,
  };
}

/** The first `count` hosts, healthy ones first, in fleet order. */
/** The demo's price list: the default plan, so every tenant has one, and the demo tenant's own. */
export const DEMO_PLAN = {
  id: 'demo',
  name: 'Demo (USD)',
  currency: 'USD',
  prices: { direct: '0.0125', pooled: '0.008' },
  isDefault: true,
} as const;

/** Creates the demo plan unless it exists, and puts the demo tenant on it from this month's first second. */
export async function seedBillingDemo(options: { billingUrl: string; adminKey: string; tenantId: string; now?: Date }): Promise<{ planId: string; createdNow: boolean }> {
  const admin = adminClient(options.billingUrl, options.adminKey);
  const created = await admin.call('POST', '/admin/v1/plans', DEMO_PLAN);
  if (!(created.status === 409 && problemSlug(created.body) === 'plan-exists')) admin.expect(created, [201], 'create the demo plan');
  const now = options.now ?? new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const assigned = await admin.call('PUT', `/admin/v1/tenants/${options.tenantId}/plan`, { planId: DEMO_PLAN.id, effectiveFrom: monthStart });
  // A currency or finalized-month refusal means an operator set this tenant up otherwise: keep that.
  if (!(assigned.status === 409)) admin.expect(assigned, [200], 'assign the demo plan');
  return { planId: DEMO_PLAN.id, createdNow: created.status === 201 };
}

export function demoHosts(hosts: readonly FleetHost[], count: number): FleetHost[] {
  const healthy = hosts.filter((h) => h.state === undefined || h.state === 'healthy');
  const others = hosts.filter((h) => !healthy.includes(h));
  const chosen = [...healthy, ...others].slice(0, count);
  if (chosen.length === 0) throw new StackError('seed-failed', 'the loaded fleet has no hosts to put demo VMs on');
  return chosen;
}

/** `fleet-not-loaded` from `{type: 'https://mxs.dev/problems/fleet-not-loaded'}`, or null. */
export function problemSlug(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const type = (body as { type?: unknown }).type;
  return typeof type === 'string' ? (type.split('/').pop() ?? null) : null;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

function adminClient(apiUrl: string, adminKey: string) {
  return {
    async call(method: string, path: string, body?: unknown): Promise<Reply> {
      let response: Response;
      try {
        response = await fetch(`${apiUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (error) {
        throw new StackError('seed-failed', `${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // Not JSON: keep the text for the error message.
      }
      return { status: response.status, body: parsed };
    },
    expect(reply: Reply, statuses: readonly number[], what: string): unknown {
      if (statuses.includes(reply.status)) return reply.body;
      const detail = typeof reply.body === 'object' && reply.body !== null ? JSON.stringify(reply.body) : String(reply.body);
      throw new StackError('seed-failed', `could not ${what}: HTTP ${reply.status} ${detail.slice(0, 500)}`);
    },
  };
}
