/// <reference types="jest" />
import { resolveAdminKey } from './admin-key';
import { PLACEMENT_API } from './apps';
import type { SeedResult } from './seed';
import { demoHosts, problemSlug } from './seed';
import { StackError } from './stack-error';
import { expansionCurl, formatSummary } from './summary';

const seed: SeedResult = {
  fleet: { name: 'small-seed1', hosts: 16, devices: 20, capacityGiB: 12288, loadedNow: true },
  tenant: { id: 'demo', apiKey: 'mxs_0123456789ab_secret', created: true },
  vms: [
    { id: 'demo-vm-1', hostId: 'h-1', outcome: 'created' },
    { id: 'demo-vm-2', hostId: 'h-2', outcome: 'created' },
  ],
};
const input = {
  apps: [{ spec: PLACEMENT_API, url: 'http://127.0.0.1:3000' }],
  postgres: { url: 'postgres://postgres:pw@127.0.0.1:5432/mxs', origin: 'found running' },
  redis: { url: 'redis://127.0.0.1:6379', origin: 'redis-server on port 6379, started here' },
  adminKey: { key: 'generated-admin-key-0123456789abcdef', generated: true },
  seed,
};

describe('formatSummary', () => {
  const text = formatSummary(input).join('\n');

  it('gives the API, docs and health URLs, where the services are, and both keys', () => {
    expect(text).toMatch(/placement-api\s+http:\/\/127\.0\.0\.1:3000\n/);
    expect(text).toMatch(/docs\s+http:\/\/127\.0\.0\.1:3000\/docs\n/);
    expect(text).toMatch(/health\s+http:\/\/127\.0\.0\.1:3000\/health\n/);
    expect(text).toMatch(/console\s+http:\/\/127\.0\.0\.1:3000\/console\/\n/);
    expect(text).toMatch(/queues\s+http:\/\/127\.0\.0\.1:3000\/admin\/queues\n/);
    expect(text).toContain('Open the admin console at http://127.0.0.1:3000/console/ and sign in with the admin key.');
    expect(text).toMatch(/PostgreSQL\s+postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/mxs {2}\(found running\)/);
    expect(text).toMatch(/Redis\s+redis:\/\/127\.0\.0\.1:6379 {2}\(redis-server on port 6379, started here\)/);
    expect(text).toMatch(/admin key\s+generated-admin-key-0123456789abcdef {2}\(generated/);
    expect(text).toMatch(/demo tenant key\s+mxs_0123456789ab_secret\n/);
    expect(text).toMatch(/demo VMs\s+demo-vm-1 on h-1, demo-vm-2 on h-2/);
    expect(text).toContain('small-seed1: 16 hosts, 20 CXL devices, 12288 GiB (loaded now)');
  });

  it('ends with a curl that creates an expansion for the first demo VM', () => {
    expect(text).toContain(expansionCurl('http://127.0.0.1:3000', 'mxs_0123456789ab_secret', 'demo-vm-1').map((l) => `  ${l}`).join('\n'));
  });

  it('does not print an admin key the operator set', () => {
    const own = formatSummary({ ...input, adminKey: { key: 'my-own-admin-key-123', generated: false } }).join('\n');
    expect(own).toMatch(/admin key\s+from MXS_ADMIN_KEY/);
    expect(own).not.toContain('my-own-admin-key-123');
  });

  it('says when the tenant key is a new one for an existing tenant', () => {
    const again = formatSummary({ ...input, seed: { ...seed, tenant: { ...seed.tenant, created: false } } }).join('\n');
    expect(again).toContain('(a new key: keys are stored only as hashes)');
  });
});

describe('expansionCurl', () => {
  it('is a paste-ready POST with the tenant key, a fresh Idempotency-Key and a JSON body', () => {
    expect(expansionCurl('http://127.0.0.1:3000', 'KEY', 'vm-1')).toEqual([
      'curl -s -X POST http://127.0.0.1:3000/v1/vms/vm-1/expansions \\',
      "  -H 'Authorization: Bearer KEY' \\",
      '  -H "Idempotency-Key: demo-$(date +%s%N)" \\',
      "  -H 'Content-Type: application/json' \\",
      `  -d '{"sizeGiB": 64, "tier": "any"}'`,
    ]);
  });
});

describe('resolveAdminKey', () => {
  it('generates a random 43-character key when MXS_ADMIN_KEY is unset or empty', () => {
    const first = resolveAdminKey({});
    expect(first.generated).toBe(true);
    expect(first.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(resolveAdminKey({ MXS_ADMIN_KEY: '' }).key).not.toBe(first.key);
    expect(resolveAdminKey({}, (n) => Buffer.alloc(n, 1)).key).toBe(Buffer.alloc(32, 1).toString('base64url'));
  });

  it('uses the configured key, and refuses one the API would refuse', () => {
    expect(resolveAdminKey({ MXS_ADMIN_KEY: 'x'.repeat(16) })).toEqual({ key: 'x'.repeat(16), generated: false });
    expect(() => resolveAdminKey({ MXS_ADMIN_KEY: 'short' })).toThrow(StackError);
    expect(() => resolveAdminKey({ MXS_ADMIN_KEY: 'short' })).toThrow(/at least 16 characters \(it has 5\)/);
  });
});

describe('seed helpers', () => {
  it('puts demo VMs on the first healthy hosts, in fleet order', () => {
    const hosts = [{ id: 'a', state: 'maintenance' }, { id: 'b', state: 'healthy' }, { id: 'c', state: 'healthy' }, { id: 'd' }];
    expect(demoHosts(hosts, 3).map((h) => h.id)).toEqual(['b', 'c', 'd']);
    expect(demoHosts(hosts.slice(0, 2), 3).map((h) => h.id)).toEqual(['b', 'a']);
    expect(() => demoHosts([], 3)).toThrow(/no hosts/);
  });

  it('reads the slug of a problem document', () => {
    expect(problemSlug({ type: 'https://mxs.dev/problems/fleet-not-loaded', status: 409 })).toBe('fleet-not-loaded');
    expect(problemSlug('text')).toBeNull();
    expect(problemSlug({})).toBeNull();
  });
});
