/** What `npm start` prints once everything answers: where things are, the keys, a first request. */
import type { RunningApp } from './apps';
import { redactUrl } from './endpoints';
import type { SeedResult } from './seed';

export interface ServiceOrigin {
  readonly url: string;
  /** "found running", or how we started it. */
  readonly origin: string;
}

export interface SummaryInput {
  readonly apps: readonly Pick<RunningApp, 'spec' | 'url'>[];
  readonly postgres: ServiceOrigin;
  readonly redis: ServiceOrigin;
  readonly adminKey: { readonly key: string; readonly generated: boolean };
  readonly seed: SeedResult;
}

export function formatSummary(input: SummaryInput): string[] {
  const lines: string[] = ['', 'mxs is running', ''];
  const rows: [string, string][] = [];
  for (const app of input.apps) {
    rows.push([app.spec.name, app.url]);
    for (const [label, path] of Object.entries(app.spec.links)) rows.push([`  ${label}`, `${app.url}${path}`]);
  }
  rows.push(['PostgreSQL', `${redactUrl(input.postgres.url)}  (${input.postgres.origin})`]);
  rows.push(['Redis', `${redactUrl(input.redis.url)}  (${input.redis.origin})`]);
  rows.push([
    'admin key',
    input.adminKey.generated ? `${input.adminKey.key}  (generated for this run; set MXS_ADMIN_KEY to keep one)` : 'from MXS_ADMIN_KEY',
  ]);
  const { fleet, tenant, vms } = input.seed;
  rows.push(['fleet', `${fleet.name}: ${fleet.hosts} hosts, ${fleet.devices} CXL devices, ${fleet.capacityGiB} GiB${fleet.loadedNow ? ' (loaded now)' : ''}`]);
  rows.push(['demo tenant', `${tenant.id}${tenant.created ? ' (created now)' : ' (a new key: keys are stored only as hashes)'}`]);
  rows.push(['demo tenant key', tenant.apiKey]);
  rows.push(['demo VMs', vms.map((vm) => `${vm.id} on ${vm.hostId}`).join(', ')]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(width)}  ${value}`);

  const api = input.apps.find((a) => a.spec.name === 'placement-api') ?? input.apps[0];
  if (api !== undefined && 'console' in api.spec.links) lines.push('', `Open the admin console at ${api.url}/console/ and sign in with the admin key.`);
  const vm = vms[0];
  if (api !== undefined && vm !== undefined) {
    lines.push('', 'Ask for 64 GiB more memory for a demo VM:', '', ...expansionCurl(api.url, tenant.apiKey, vm.id).map((l) => `  ${l}`));
    lines.push('', `Then follow it: curl -s -H 'Authorization: Bearer ${tenant.apiKey}' ${api.url}/v1/expansions`);
  }
  const billing = input.apps.find((a) => a.spec.name === 'billing');
  if (billing !== undefined) {
    lines.push('', 'What it costs so far this month (the demo plan), and the SLA report:', '');
    lines.push(`  curl -s -H 'Authorization: Bearer ${tenant.apiKey}' ${billing.url}/v1/invoices/estimate`);
    lines.push(`  curl -s -H 'Authorization: Bearer ${tenant.apiKey}' ${billing.url}/v1/sla`);
  }
  lines.push('', 'Ctrl-C stops the apps, then any PostgreSQL or Redis started here.', '');
  return lines;
}

/** A paste-ready curl creating an expansion (a new Idempotency-Key on every paste). */
export function expansionCurl(apiUrl: string, tenantKey: string, vmId: string): string[] {
  return [
    `curl -s -X POST ${apiUrl}/v1/vms/${vmId}/expansions \\`,
    `  -H 'Authorization: Bearer ${tenantKey}' \\`,
    `  -H "Idempotency-Key: demo-$(date +%s%N)" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"sizeGiB": 64, "tier": "any"}'`,
  ];
}
