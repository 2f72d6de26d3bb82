/** The admin key every test stack is configured with. */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read replies loosely; their assertions check the shape
export interface Reply<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A thin fetch wrapper for tests: JSON in, JSON (or problem+json) out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function call<T = any>(
  url: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length === 0 ? null : JSON.parse(text);
  } catch {
    // not JSON (docs UI, metrics): keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export const admin = (url: string, method: string, path: string, body?: unknown): Promise<Reply> =>
  call(url, method, path, { key: ADMIN_KEY, ...(body === undefined ? {} : { body }) });

export interface SeededTenant {
  readonly id: string;
  readonly key: string;
  readonly vmIds: readonly string[];
}

/** Loads a preset fleet once per database. */
export async function loadFleet(url: string, preset: 'small' | 'rack64' | 'region' = 'small', seed = 1): Promise<{ hostIds: string[] }> {
  const loaded = await admin(url, 'PUT', '/admin/v1/fleet', { preset, seed });
  if (loaded.status !== 200) throw new Error(`fleet load failed: ${loaded.status} ${JSON.stringify(loaded.body)}`);
  const fleet = await admin(url, 'GET', '/admin/v1/fleet');
  return { hostIds: (fleet.body as { hosts: { id: string }[] }).hosts.map((h) => h.id) };
}

/** A tenant with its key and one VM on each of the given hosts. */
export async function seedTenant(url: string, id: string, hostIds: readonly string[], options: { quotaGiB?: number; dramGiB?: number } = {}): Promise<SeededTenant> {
  const created = await admin(url, 'POST', '/admin/v1/tenants', { id, name: `Tenant ${id}`, quotaGiB: options.quotaGiB ?? 100_000 });
  if (created.status !== 201) throw new Error(`tenant ${id}: ${created.status} ${JSON.stringify(created.body)}`);
  const vmIds: string[] = [];
  for (const [i, hostId] of hostIds.entries()) {
    const vmId = `${id}-vm-${i + 1}`;
    const vm = await admin(url, 'POST', '/admin/v1/vms', { id: vmId, tenantId: id, hostId, dramGiB: options.dramGiB ?? 256, name: `vm ${i + 1}` });
    if (vm.status !== 201) throw new Error(`vm ${vmId}: ${vm.status} ${JSON.stringify(vm.body)}`);
    vmIds.push(vmId);
  }
  return { id, key: (created.body as { apiKey: string }).apiKey, vmIds };
}
