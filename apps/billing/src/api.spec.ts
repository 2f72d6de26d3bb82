/// <reference types="jest" />
import type { UsageEvent } from '@mxs/contracts';
import { PROBLEM_TYPE_BASE, generateApiKey } from '@mxs/service-kit';
import type { Reply } from '@mxs/test-kit';
import { call, waitFor } from '@mxs/test-kit';
import { randomUUID } from 'node:crypto';
import { MeterStore } from './metering/meter-store';
import { monthAt, nowSec } from './period/month';
import type { BillingUnderTest, TestEnvironment } from './testing/billing-harness';
import { ADMIN_KEY, createBillingEnvironment, insertTenant, intervalsOf, publishUsageEvents, startBilling, usageEvent } from './testing/billing-harness';

// The billing HTTP API end to end: the real app in this process, its own PostgreSQL database, fetch.
let env: TestEnvironment;
let billing: BillingUnderTest;
let store: MeterStore;

beforeAll(async () => {
  env = await createBillingEnvironment('billing-api');
  billing = await startBilling(env.env());
  store = billing.app.get(MeterStore);
});

afterAll(async () => {
  await billing?.close();
  await env?.drop();
});

interface Problem {
  type: string;
  status: number;
  errors?: { path: string; message: string }[];
}

const admin = (method: string, path: string, body?: unknown): Promise<Reply> => call(billing.url, method, path, { key: ADMIN_KEY, ...(body === undefined ? {} : { body }) });
const tenantGet = (key: string, path: string, headers: Record<string, string> = {}): Promise<Reply> => call(billing.url, 'GET', path, { key, headers });

function expectProblem(reply: Reply, status: number, slug: string): Problem {
  expect({ status: reply.status, type: (reply.body as Problem | null)?.type }).toEqual({ status, type: `${PROBLEM_TYPE_BASE}${slug}` });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return reply.body as Problem;
}

const errorPaths = (problem: Problem): string[] => (problem.errors ?? []).map((e) => e.path).sort();

function planBody(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, name: `Plan ${id}`, currency: 'USD', prices: { direct: '0.02', pooled: '0.01' }, ...fields };
}

async function createPlan(id: string, fields: Record<string, unknown> = {}): Promise<void> {
  const created = await admin('POST', '/admin/v1/plans', planBody(id, fields));
  expect({ id, status: created.status }).toEqual({ id, status: 201 });
}

async function assignPlan(tenantId: string, planId: string, effectiveFrom: string): Promise<void> {
  const assigned = await admin('PUT', `/admin/v1/tenants/${tenantId}/plan`, { planId, effectiveFrom });
  expect({ tenantId, planId, status: assigned.status }).toEqual({ tenantId, planId, status: 200 });
}

/** An expansion's events: active from `from`, released at `to` (still open without it). */
function expansion(tenantId: string, from: string | Date, to: string | Date | null, fields: { sizeGiB?: number; tier?: 'direct' | 'pooled'; expansionId?: string } = {}): UsageEvent[] {
  const base = { tenantId, expansionId: fields.expansionId ?? randomUUID(), sizeGiB: fields.sizeGiB ?? 16, tier: fields.tier ?? 'pooled' };
  const events = [usageEvent({ ...base, type: 'expansion.activated', at: from })];
  if (to !== null) events.push(usageEvent({ ...base, type: 'expansion.released', at: to }));
  return events;
}

async function meter(...events: UsageEvent[][]): Promise<void> {
  await store.meter(events.flat());
}

async function close(period: string, finalize = false): Promise<Reply> {
  return admin('POST', '/admin/v1/billing/close', { period, finalize });
}

interface InvoiceBody {
  id: string;
  tenantId: string;
  period: string;
  status: 'draft' | 'finalized';
  totalMinor: number;
  total: string;
  finalizedAt: string | null;
  finalizedBy: string | null;
  lines: { kind: string; tier: string | null; expansionId: string | null; quantityGiBHours: string | null; amountMinor: number }[];
}

async function invoiceOf(tenantId: string, period: string): Promise<InvoiceBody> {
  const list = await admin('GET', `/admin/v1/invoices?tenantId=${tenantId}&period=${period}`);
  expect(list.status).toBe(200);
  const [invoice] = (list.body as { items: InvoiceBody[] }).items;
  if (invoice === undefined) throw new Error(`no invoice for ${tenantId} in ${period}`);
  return invoice;
}

/** RFC 4180 as invoice-csv.ts writes it: CRLF rows, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('authentication', () => {
  let keyA: string;
  let keyB: string;
  let invoiceA: InvoiceBody;

  beforeAll(async () => {
    keyA = await insertTenant(billing.db, 'auth-a');
    keyB = await insertTenant(billing.db, 'auth-b');
    await createPlan('auth-usd');
    await assignPlan('auth-a', 'auth-usd', '2026-01-01T00:00:00Z');
    await assignPlan('auth-b', 'auth-usd', '2026-01-01T00:00:00Z');
    await meter(expansion('auth-a', '2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z'), expansion('auth-b', '2026-01-05T00:00:00Z', '2026-01-05T12:00:00Z'));
    expect((await close('2026-01')).status).toBe(200);
    invoiceA = await invoiceOf('auth-a', '2026-01');
  });

  it('refuses tenant routes without a bearer key, with an unknown key, or with the admin key: 401 problem+json', async () => {
    const forged = `${keyA.slice(0, 17)}${'A'.repeat(32)}`;
    for (const key of [undefined, 'not-a-key', generateApiKey().key, forged, ADMIN_KEY]) {
      for (const path of ['/v1/invoices', '/v1/usage', '/v1/sla', '/v1/invoices/estimate', `/v1/invoices/${invoiceA.id}`]) {
        const reply = await call(billing.url, 'GET', path, key === undefined ? {} : { key });
        expectProblem(reply, 401, 'unauthorized');
        expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="tenant"');
      }
    }
    expect((await tenantGet(keyA, '/v1/invoices')).status).toBe(200);
  });

  it('refuses admin routes to a tenant key, a wrong admin key and no key: 401 problem+json', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/admin/v1/plans', undefined],
      ['POST', '/admin/v1/plans', planBody('auth-sneaky')],
      ['GET', '/admin/v1/invoices', undefined],
      ['POST', `/admin/v1/invoices/${invoiceA.id}/finalize`, undefined],
      ['POST', '/admin/v1/billing/close', { period: '2026-01' }],
      ['PUT', '/admin/v1/tenants/auth-a/plan', { planId: 'auth-usd' }],
      ['GET', '/admin/v1/sla', undefined],
      ['GET', '/admin/v1/sla/history?hours=1', undefined],
      ['GET', '/admin/v1/tenants/auth-a/estimate', undefined],
    ];
    for (const key of [keyA, `${ADMIN_KEY}x`, undefined]) {
      for (const [method, path, body] of routes) {
        const reply = await call(billing.url, method, path, { ...(key === undefined ? {} : { key }), ...(body === undefined ? {} : { body }) });
        expectProblem(reply, 401, 'unauthorized');
        expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
      }
    }
    expectProblem(await admin('GET', '/admin/v1/plans/auth-sneaky'), 404, 'plan-not-found');
    expect((await admin('GET', `/admin/v1/invoices/${invoiceA.id}`)).body).toMatchObject({ status: 'draft' });
  });

  it('answers another tenant’s invoice with 404, as JSON and as CSV, exactly as an invoice that does not exist', async () => {
    expect((await tenantGet(keyA, `/v1/invoices/${invoiceA.id}`)).body).toMatchObject({ id: invoiceA.id, tenantId: 'auth-a' });
    const json = expectProblem(await tenantGet(keyB, `/v1/invoices/${invoiceA.id}`), 404, 'invoice-not-found');
    const csv = await tenantGet(keyB, `/v1/invoices/${invoiceA.id}`, { accept: 'text/csv' });
    expectProblem(csv, 404, 'invoice-not-found');
    expect(String(csv.body)).not.toContain('auth-a');
    const missing = expectProblem(await tenantGet(keyB, `/v1/invoices/${randomUUID()}`), 404, 'invoice-not-found');
    expect(Object.keys(json).sort()).toEqual(Object.keys(missing).sort());
    const listed = (await tenantGet(keyB, '/v1/invoices')).body as { items: InvoiceBody[] };
    expect(listed.items.map((i) => i.tenantId)).toEqual(['auth-b']);
  });
});

describe('plans', () => {
  it('creates a plan with one price per tier, stored as one unbounded band, with the default credit terms', async () => {
    const created = await admin('POST', '/admin/v1/plans', planBody('pl-flat'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'pl-flat',
      name: 'Plan pl-flat',
      currency: 'USD',
      prices: { direct: [{ upToGiBHours: null, unitPrice: '0.02' }], pooled: [{ upToGiBHours: null, unitPrice: '0.01' }] },
      minimumCommitMinor: 0,
      creditScope: 'expansion',
      creditTiers: [
        { belowUptimePct: '99.99', creditPct: 10 },
        { belowUptimePct: '99', creditPct: 25 },
        { belowUptimePct: '95', creditPct: 100 },
      ],
      isDefault: false,
    });
    expect((await admin('GET', '/admin/v1/plans/pl-flat')).body).toEqual(created.body);
  });

  it('creates a plan with graduated bands', async () => {
    const pooled = [
      { upToGiBHours: 1000, unitPrice: '0.01' },
      { upToGiBHours: 5000, unitPrice: '0.008' },
      { upToGiBHours: null, unitPrice: '0.005' },
    ];
    const created = await admin('POST', '/admin/v1/plans', planBody('pl-graduated', { prices: { direct: '0.02', pooled }, minimumCommitMinor: 5000, creditScope: 'tenant' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ prices: { direct: [{ upToGiBHours: null, unitPrice: '0.02' }], pooled }, minimumCommitMinor: 5000, creditScope: 'tenant' });
    const listed = (await admin('GET', '/admin/v1/plans')).body as { items: { id: string }[] };
    expect(listed.items.find((p) => p.id === 'pl-graduated')).toEqual(created.body);
  });

  it('refuses unknown fields with 400 naming body.<field>, and creates nothing', async () => {
    const problem = expectProblem(await admin('POST', '/admin/v1/plans', planBody('pl-unknown', { colour: 'red', prices: { direct: '1', pooled: '1', dram: '1' } })), 400, 'validation-failed');
    expect(problem.errors).toEqual(expect.arrayContaining([{ path: 'body.colour', message: 'unknown field' }, { path: 'body.prices.dram', message: 'unknown field' }]));
    expectProblem(await admin('GET', '/admin/v1/plans/pl-unknown'), 404, 'plan-not-found');
  });

  it('refuses bands that do not strictly increase or whose last band is bounded, naming the band', async () => {
    const decreasing = planBody('pl-bad-bands', {
      prices: {
        direct: [{ upToGiBHours: 100, unitPrice: '0.02' }],
        pooled: [
          { upToGiBHours: 1000, unitPrice: '0.01' },
          { upToGiBHours: 1000, unitPrice: '0.008' },
          { upToGiBHours: null, unitPrice: '0.005' },
        ],
      },
    });
    const problem = expectProblem(await admin('POST', '/admin/v1/plans', decreasing), 400, 'validation-failed');
    expect(errorPaths(problem)).toEqual(['body.prices.direct[0].upToGiBHours', 'body.prices.pooled[1].upToGiBHours']);
    const nullInTheMiddle = planBody('pl-bad-bands', { prices: { direct: '0.02', pooled: [{ upToGiBHours: null, unitPrice: '0.01' }, { upToGiBHours: null, unitPrice: '0.005' }] } });
    expect(errorPaths(expectProblem(await admin('POST', '/admin/v1/plans', nullInTheMiddle), 400, 'validation-failed'))).toEqual(['body.prices.pooled[0].upToGiBHours']);
    expectProblem(await admin('GET', '/admin/v1/plans/pl-bad-bands'), 404, 'plan-not-found');
  });

  it('refuses a second plan with the same id: 409, and keeps the first', async () => {
    await createPlan('pl-dup');
    expectProblem(await admin('POST', '/admin/v1/plans', planBody('pl-dup', { currency: 'EUR', name: 'Other' })), 409, 'plan-exists');
    expect((await admin('GET', '/admin/v1/plans/pl-dup')).body).toMatchObject({ currency: 'USD', name: 'Plan pl-dup' });
  });

  it('changes only the name and the default flag; prices never change (400)', async () => {
    await createPlan('pl-patch');
    const renamed = await admin('PATCH', '/admin/v1/plans/pl-patch', { name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: 'pl-patch', name: 'Renamed', prices: { pooled: [{ upToGiBHours: null, unitPrice: '0.01' }] } });
    const prices = expectProblem(await admin('PATCH', '/admin/v1/plans/pl-patch', { prices: { direct: '9', pooled: '9' } }), 400, 'validation-failed');
    expect(errorPaths(prices)).toContain('body.prices');
    expectProblem(await admin('PATCH', '/admin/v1/plans/pl-patch', { currency: 'EUR' }), 400, 'validation-failed');
    expectProblem(await admin('PATCH', '/admin/v1/plans/pl-patch', {}), 400, 'validation-failed');
    expectProblem(await admin('PATCH', '/admin/v1/plans/pl-nowhere', { name: 'x' }), 404, 'plan-not-found');
    expect((await admin('GET', '/admin/v1/plans/pl-patch')).body).toMatchObject({ name: 'Renamed', currency: 'USD', prices: { direct: [{ upToGiBHours: null, unitPrice: '0.02' }] } });
  });

  it('keeps one default plan at a time, whether set on create or by PATCH', async () => {
    const defaults = async (): Promise<string[]> => ((await admin('GET', '/admin/v1/plans')).body as { items: { id: string; isDefault: boolean }[] }).items.filter((p) => p.isDefault).map((p) => p.id);
    await createPlan('pl-default-1', { isDefault: true });
    expect(await defaults()).toEqual(['pl-default-1']);
    await createPlan('pl-default-2', { isDefault: true });
    expect(await defaults()).toEqual(['pl-default-2']);
    // A create that fails leaves the default where it was.
    expectProblem(await admin('POST', '/admin/v1/plans', planBody('pl-default-1', { isDefault: true })), 409, 'plan-exists');
    expect(await defaults()).toEqual(['pl-default-2']);
    expect((await admin('PATCH', '/admin/v1/plans/pl-default-1', { isDefault: true })).body).toMatchObject({ isDefault: true });
    expect(await defaults()).toEqual(['pl-default-1']);
    expect((await admin('GET', '/admin/v1/plans/pl-default-2')).body).toMatchObject({ isDefault: false });
    expect((await admin('PATCH', '/admin/v1/plans/pl-default-1', { isDefault: false })).status).toBe(200);
    expect(await defaults()).toEqual([]);
  });

  it('deletes only a plan never assigned and not the default: 409 otherwise; 204 then 404', async () => {
    await insertTenant(billing.db, 'pl-holder');
    await createPlan('pl-assigned');
    await assignPlan('pl-holder', 'pl-assigned', '2026-02-01T00:00:00Z');
    expectProblem(await admin('DELETE', '/admin/v1/plans/pl-assigned'), 409, 'plan-in-use');
    expect((await admin('GET', '/admin/v1/plans/pl-assigned')).status).toBe(200);
    await createPlan('pl-default-kept', { isDefault: true });
    expectProblem(await admin('DELETE', '/admin/v1/plans/pl-default-kept'), 409, 'plan-in-use');
    expect((await admin('PATCH', '/admin/v1/plans/pl-default-kept', { isDefault: false })).status).toBe(200);
    await createPlan('pl-unused');
    const deleted = await admin('DELETE', '/admin/v1/plans/pl-unused');
    expect({ status: deleted.status, body: deleted.body }).toEqual({ status: 204, body: null });
    expectProblem(await admin('GET', '/admin/v1/plans/pl-unused'), 404, 'plan-not-found');
    expectProblem(await admin('DELETE', '/admin/v1/plans/pl-unused'), 404, 'plan-not-found');
  });
});

describe('plan assignments', () => {
  beforeAll(async () => {
    for (const t of ['asg', 'asg-fin']) await insertTenant(billing.db, t);
    await createPlan('asg-usd');
    await createPlan('asg-usd-2');
    await createPlan('asg-eur', { currency: 'EUR' });
  });

  it('answers 404 for an unknown tenant or an unknown plan', async () => {
    expectProblem(await admin('PUT', '/admin/v1/tenants/asg-nobody/plan', { planId: 'asg-usd' }), 404, 'tenant-not-found');
    expectProblem(await admin('PUT', '/admin/v1/tenants/asg/plan', { planId: 'asg-nothing' }), 404, 'plan-not-found');
    expectProblem(await admin('GET', '/admin/v1/tenants/asg-nobody/plan'), 404, 'tenant-not-found');
  });

  it('starts a plan of another currency only at the first second of a month (409 currency-change otherwise), and lists the history', async () => {
    await assignPlan('asg', 'asg-usd', '2026-03-01T00:00:00Z');
    expectProblem(await admin('PUT', '/admin/v1/tenants/asg/plan', { planId: 'asg-eur', effectiveFrom: '2026-03-15T12:00:00Z' }), 409, 'currency-change');
    expectProblem(await admin('PUT', '/admin/v1/tenants/asg/plan', { planId: 'asg-eur', effectiveFrom: '2026-03-31T23:59:59Z' }), 409, 'currency-change');
    await assignPlan('asg', 'asg-usd-2', '2026-03-15T12:00:00Z'); // same currency: any second will do
    const assigned = await admin('PUT', '/admin/v1/tenants/asg/plan', { planId: 'asg-eur', effectiveFrom: '2026-04-01T00:00:00Z' });
    expect(assigned.status).toBe(200);
    const expected = {
      tenantId: 'asg',
      current: 'asg-eur',
      history: [
        { planId: 'asg-usd', effectiveFrom: '2026-03-01T00:00:00.000Z' },
        { planId: 'asg-usd-2', effectiveFrom: '2026-03-15T12:00:00.000Z' },
        { planId: 'asg-eur', effectiveFrom: '2026-04-01T00:00:00.000Z' },
      ],
    };
    expect(assigned.body).toEqual(expected);
    expect((await admin('GET', '/admin/v1/tenants/asg/plan')).body).toEqual(expected);
    // Both months rate, each in its own currency.
    expect((await close('2026-03')).status).toBe(200);
    expect((await close('2026-04')).status).toBe(200);
    expect((await invoiceOf('asg', '2026-03')) as unknown).toMatchObject({ currency: 'USD' });
    expect((await invoiceOf('asg', '2026-04')) as unknown).toMatchObject({ currency: 'EUR' });
  });

  it('refuses a plan at the first second of a month when a plan of another currency starts later in that month', async () => {
    await insertTenant(billing.db, 'asg-first');
    await createPlan('asg-eur-2', { currency: 'EUR' });
    await assignPlan('asg-first', 'asg-eur', '2026-01-01T00:00:00Z');
    await assignPlan('asg-first', 'asg-eur-2', '2026-05-15T00:00:00Z');
    expectProblem(await admin('PUT', '/admin/v1/tenants/asg-first/plan', { planId: 'asg-usd', effectiveFrom: '2026-05-01T00:00:00Z' }), 409, 'currency-change');
    // Every month still rates in one currency.
    expect((await close('2026-05')).status).toBe(200);
    expect(await invoiceOf('asg-first', '2026-05')).toMatchObject({ currency: 'EUR' });
  });

  it('counts the default plan as in force before a tenant’s first plan: another currency may start only with a month', async () => {
    await insertTenant(billing.db, 'asg-new');
    await createPlan('asg-default', { isDefault: true });
    try {
      await meter(expansion('asg-new', '2026-06-02T00:00:00Z', '2026-06-20T00:00:00Z'));
      expectProblem(await admin('PUT', '/admin/v1/tenants/asg-new/plan', { planId: 'asg-eur', effectiveFrom: '2026-06-15T00:00:00Z' }), 409, 'currency-change');
      await assignPlan('asg-new', 'asg-usd-2', '2026-06-15T00:00:00Z');
      expect((await close('2026-06')).status).toBe(200);
      expect(await invoiceOf('asg-new', '2026-06')).toMatchObject({ currency: 'USD' });
      await assignPlan('asg-new', 'asg-eur', '2026-07-01T00:00:00Z');
    } finally {
      expect((await admin('PATCH', '/admin/v1/plans/asg-default', { isDefault: false })).status).toBe(200);
    }
  });

  it('refuses a plan that would start inside a finalized month (409 period-finalized), not after it', async () => {
    await assignPlan('asg-fin', 'asg-usd', '2025-01-01T00:00:00Z');
    await meter(expansion('asg-fin', '2025-05-03T00:00:00Z', '2025-05-04T00:00:00Z'));
    const closed = await close('2025-05', true);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ period: '2025-05', finalized: true });
    expect(await invoiceOf('asg-fin', '2025-05')).toMatchObject({ status: 'finalized', finalizedBy: 'operator' });
    for (const effectiveFrom of ['2025-05-10T00:00:00Z', '2025-05-01T00:00:00Z', '2025-03-01T00:00:00Z']) {
      expectProblem(await admin('PUT', '/admin/v1/tenants/asg-fin/plan', { planId: 'asg-usd-2', effectiveFrom }), 409, 'period-finalized');
    }
    await assignPlan('asg-fin', 'asg-usd-2', '2025-06-01T00:00:00Z');
    expect(((await admin('GET', '/admin/v1/tenants/asg-fin/plan')).body as { history: unknown[] }).history).toEqual([
      { planId: 'asg-usd', effectiveFrom: '2025-01-01T00:00:00.000Z' },
      { planId: 'asg-usd-2', effectiveFrom: '2025-06-01T00:00:00.000Z' },
    ]);
  });
});

describe('invoices', () => {
  it('lists a month’s drafts: a tenant sees its own, the operator walks all of them with limit=1', async () => {
    const keys = new Map<string, string>();
    await createPlan('lst-usd');
    for (const t of ['lst-a', 'lst-b', 'lst-c']) {
      keys.set(t, await insertTenant(billing.db, t));
      await assignPlan(t, 'lst-usd', '2026-01-01T00:00:00Z');
      await meter(expansion(t, '2026-01-20T00:00:00Z', '2026-01-21T00:00:00Z'));
    }
    const closed = await close('2026-01');
    expect(closed.status).toBe(200);
    expect((closed.body as { rated: number }).rated).toBeGreaterThanOrEqual(3);

    const own = (await tenantGet(keys.get('lst-b') ?? '', '/v1/invoices')).body as { items: InvoiceBody[]; nextCursor: string | null };
    expect(own.items.map((i) => [i.tenantId, i.period, i.status])).toEqual([['lst-b', '2026-01', 'draft']]);
    expect(own.nextCursor).toBeNull();

    const all = (await admin('GET', '/admin/v1/invoices?period=2026-01&status=draft&limit=100')).body as { items: InvoiceBody[]; nextCursor: string | null };
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((i) => i.tenantId)).toEqual(expect.arrayContaining(['lst-a', 'lst-b', 'lst-c']));
    expect(all.items.every((i) => i.period === '2026-01' && i.status === 'draft')).toBe(true);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply = await admin('GET', `/admin/v1/invoices?period=2026-01&status=draft&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      const body = page.body as { items: InvoiceBody[]; nextCursor: string | null };
      expect(body.items.length).toBe(1);
      walked.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor !== null && walked.length <= all.items.length);
    expect(walked).toEqual(all.items.map((i) => i.id));
    expect((await admin('GET', '/admin/v1/invoices?period=2026-01&status=finalized')).body).toMatchObject({ items: [] });

    for (const bad of ['not-a-cursor', Buffer.from(JSON.stringify(['2026-01'])).toString('base64url'), Buffer.from(JSON.stringify({ a: 1 })).toString('base64url')]) {
      const problem = expectProblem(await admin('GET', `/admin/v1/invoices?limit=1&cursor=${bad}`), 400, 'invalid-cursor');
      expect(errorPaths(problem)).toEqual(['query.cursor']);
    }
    expectProblem(await tenantGet(keys.get('lst-a') ?? '', '/v1/invoices?cursor=%7B%7D'), 400, 'invalid-cursor');
    expectProblem(await admin('GET', '/admin/v1/invoices?period=2026-13'), 400, 'validation-failed');
  });

  it('exports an invoice as CSV: a header, a row per line, a total row matching the JSON total', async () => {
    const key = await insertTenant(billing.db, 'csv-t');
    const pooled = [
      { upToGiBHours: 1000, unitPrice: '0.01' },
      { upToGiBHours: null, unitPrice: '0.008' },
    ];
    await createPlan('csv-graduated', { prices: { direct: '0.02', pooled } });
    await assignPlan('csv-t', 'csv-graduated', '2026-03-01T00:00:00Z');
    // direct: 8 GiB × 10 h = 80 GiB-h at 0.02 = 1.60; pooled: 100 GiB × 20 h = 2000 GiB-h at 0.01 = 20.00, 1000 of them 0.002 less = -2.00.
    await meter(
      expansion('csv-t', '2026-03-02T00:00:00Z', '2026-03-02T10:00:00Z', { sizeGiB: 8, tier: 'direct' }),
      expansion('csv-t', '2026-03-03T00:00:00Z', '2026-03-03T20:00:00Z', { sizeGiB: 100, tier: 'pooled' }),
    );
    expect((await close('2026-03')).status).toBe(200);
    const listed = (await tenantGet(key, '/v1/invoices?period=2026-03')).body as { items: InvoiceBody[] };
    const id = listed.items[0]?.id ?? '';
    const json = (await tenantGet(key, `/v1/invoices/${id}`)).body as InvoiceBody;
    expect(json).toMatchObject({ tenantId: 'csv-t', period: '2026-03', totalMinor: 1960, total: '19.60' });
    expect(json.lines.map((l) => [l.kind, l.tier, l.quantityGiBHours, l.amountMinor])).toEqual([
      ['usage', 'direct', '80.000000', 160],
      ['usage', 'pooled', '2000.000000', 2000],
      ['volume', 'pooled', '1000.000000', -200],
    ]);

    const reply = await tenantGet(key, `/v1/invoices/${id}`, { accept: 'text/csv' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = String(reply.body);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    const [header, ...body] = rows;
    expect(header).toEqual(['invoice_id', 'tenant_id', 'period', 'status', 'currency', 'kind', 'plan_id', 'tier', 'expansion_id', 'description', 'quantity_gib_hours', 'unit_price', 'amount_minor', 'amount']);
    expect(body).toHaveLength(json.lines.length + 1);
    const column = (name: string): number => header?.indexOf(name) ?? -1;
    json.lines.forEach((line, i) => {
      const row = body[i] ?? [];
      expect(row).toHaveLength(header?.length ?? 0);
      expect([row[column('invoice_id')], row[column('kind')], row[column('tier')], row[column('quantity_gib_hours')], Number(row[column('amount_minor')])]).toEqual([id, line.kind, line.tier ?? '', line.quantityGiBHours ?? '', line.amountMinor]);
    });
    const total = body.at(-1) ?? [];
    expect([total[column('kind')], Number(total[column('amount_minor')]), total[column('amount')]]).toEqual(['total', json.totalMinor, json.total]);
    expect(body.slice(0, -1).reduce((sum, row) => sum + Number(row[column('amount_minor')]), 0)).toBe(json.totalMinor);

    const viaAdmin = await call(billing.url, 'GET', `/admin/v1/invoices/${id}`, { key: ADMIN_KEY, headers: { accept: 'text/csv' } });
    expect(viaAdmin.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(viaAdmin.body).toBe(text);
  });

  it('finalizes an invoice on demand; a later close leaves it as it was while drafts are re-rated', async () => {
    await createPlan('fz-usd', { prices: { direct: '1', pooled: '1' } });
    for (const t of ['fz-a', 'fz-b']) {
      await insertTenant(billing.db, t);
      await assignPlan(t, 'fz-usd', '2026-01-01T00:00:00Z');
      await meter(expansion(t, '2026-02-10T00:00:00Z', '2026-02-10T01:00:00Z'));
    }
    expect((await close('2026-02')).status).toBe(200);
    const draft = await invoiceOf('fz-a', '2026-02');
    expect(draft).toMatchObject({ status: 'draft', totalMinor: 1600, finalizedAt: null });

    const finalized = await admin('POST', `/admin/v1/invoices/${draft.id}/finalize`);
    expect(finalized.status).toBe(200);
    expect(finalized.body).toMatchObject({ id: draft.id, status: 'finalized', totalMinor: 1600, finalizedBy: 'operator' });
    const finalizedAt = (finalized.body as InvoiceBody).finalizedAt;
    expect(finalizedAt).toEqual(expect.any(String));
    expect((await admin('POST', `/admin/v1/invoices/${draft.id}/finalize`)).body).toEqual(finalized.body);
    expect(await invoiceOf('fz-b', '2026-02')).toMatchObject({ status: 'draft' });

    // A late event for each tenant: the draft takes it, the finalized invoice does not.
    await meter(expansion('fz-a', '2026-02-11T00:00:00Z', '2026-02-11T01:00:00Z'), expansion('fz-b', '2026-02-11T00:00:00Z', '2026-02-11T01:00:00Z'));
    expect((await close('2026-02')).status).toBe(200);
    expect(await invoiceOf('fz-a', '2026-02')).toEqual(finalized.body);
    expect(await invoiceOf('fz-b', '2026-02')).toMatchObject({ status: 'draft', totalMinor: 3200 });
    expect((await close('2026-02', true)).status).toBe(200);
    expect(await invoiceOf('fz-a', '2026-02')).toEqual(finalized.body);
    expect(await invoiceOf('fz-b', '2026-02')).toMatchObject({ status: 'finalized', totalMinor: 3200 });
    expectProblem(await admin('POST', `/admin/v1/invoices/${randomUUID()}/finalize`), 404, 'invoice-not-found');
  });

  it('refuses to finalize the running month (409), by invoice or by close', async () => {
    const month = monthAt(nowSec());
    await createPlan('run-usd');
    await insertTenant(billing.db, 'run-t');
    await assignPlan('run-t', 'run-usd', '2026-01-01T00:00:00Z');
    await meter(expansion('run-t', new Date(month.startSec * 1000), null));
    expect((await close(month.name)).status).toBe(200);
    const draft = await invoiceOf('run-t', month.name);
    expect(draft.status).toBe('draft');
    expectProblem(await admin('POST', `/admin/v1/invoices/${draft.id}/finalize`), 409, 'invoice-not-ready');
    expectProblem(await close(month.name, true), 409, 'invoice-not-ready');
    expect(await invoiceOf('run-t', month.name)).toMatchObject({ status: 'draft', finalizedAt: null });
  });

  it('estimates the running month: lines so far, and the total if open expansions run to its end', async () => {
    const month = monthAt(nowSec());
    const key = await insertTenant(billing.db, 'est-t');
    await createPlan('est-usd', { prices: { direct: '100', pooled: '100' } });
    await assignPlan('est-t', 'est-usd', '2026-01-01T00:00:00Z');
    const open = randomUUID();
    await meter(expansion('est-t', new Date(month.startSec * 1000), null, { expansionId: open, sizeGiB: 16 }));
    const reply = await tenantGet(key, '/v1/invoices/estimate');
    expect(reply.status).toBe(200);
    const estimate = reply.body as { period: string; currency: string; totalMinor: number; projectedTotalMinor: number; lines: InvoiceBody['lines'] };
    expect(estimate).toMatchObject({ tenantId: 'est-t', period: month.name, currency: 'USD' });
    expect(estimate.lines.map((l) => [l.kind, l.expansionId])).toEqual([['usage', open]]);
    expect(estimate.totalMinor).toBe(estimate.lines.reduce((sum, l) => sum + l.amountMinor, 0));
    // 16 GiB for the whole month at 100 USD a GiB-hour, in cents.
    const monthHours = (month.endSec - month.startSec) / 3600;
    expect(estimate.projectedTotalMinor).toBe(16 * monthHours * 100 * 100);
    expect(estimate.projectedTotalMinor).toBeGreaterThanOrEqual(estimate.totalMinor);
  });

  it('answers 409 no-plan for an estimate of a tenant with no plan when there is no default plan', async () => {
    const plans = (await admin('GET', '/admin/v1/plans')).body as { items: { id: string; isDefault: boolean }[] };
    for (const p of plans.items.filter((x) => x.isDefault)) expect((await admin('PATCH', `/admin/v1/plans/${p.id}`, { isDefault: false })).status).toBe(200);
    const key = await insertTenant(billing.db, 'nop-t');
    expectProblem(await tenantGet(key, '/v1/invoices/estimate'), 409, 'no-plan');
    await meter(expansion('nop-t', new Date(monthAt(nowSec()).startSec * 1000), null));
    expectProblem(await tenantGet(key, '/v1/invoices/estimate'), 409, 'no-plan');
    // With a default plan the same tenant is estimated on it.
    await createPlan('nop-default', { isDefault: true });
    expect((await tenantGet(key, '/v1/invoices/estimate')).body).toMatchObject({ tenantId: 'nop-t', currency: 'USD' });
    expect((await admin('PATCH', '/admin/v1/plans/nop-default', { isDefault: false })).status).toBe(200);
  });
});

describe('operator estimates', () => {
  type Estimate = { asOf: string; totalMinor: number; projectedTotalMinor: number; lines: InvoiceBody['lines'] } & Record<string, unknown>;

  /** The operator's and the tenant's estimate of one tenant, taken one after the other; only `asOf` may differ. */
  async function bothEstimates(tenantId: string, key: string): Promise<Estimate> {
    const viaAdmin = await admin('GET', `/admin/v1/tenants/${tenantId}/estimate`);
    const own = await tenantGet(key, '/v1/invoices/estimate');
    expect([viaAdmin.status, own.status]).toEqual([200, 200]);
    const { asOf: adminAsOf, ...adminFigures } = viaAdmin.body as Estimate;
    const { asOf: ownAsOf, ...ownFigures } = own.body as Estimate;
    expect(adminFigures).toEqual(ownFigures);
    expect(Math.abs(Date.parse(adminAsOf) - Date.parse(ownAsOf))).toBeLessThan(10_000);
    return viaAdmin.body as Estimate;
  }

  it('gives the operator the tenant’s own estimate of the running month', async () => {
    const month = monthAt(nowSec());
    const key = await insertTenant(billing.db, 'aest-t');
    await createPlan('aest-usd', { prices: { direct: '1', pooled: '1' } });
    await assignPlan('aest-t', 'aest-usd', '2026-01-01T00:00:00Z');
    // Closed usage only, so the figures stay put between the two calls: 16 GiB for up to an hour at 1 USD a GiB-hour.
    const seconds = Math.min(3600, nowSec() - month.startSec);
    await meter(expansion('aest-t', new Date(month.startSec * 1000), new Date((month.startSec + seconds) * 1000)));
    const estimate = await bothEstimates('aest-t', key);
    expect(estimate).toMatchObject({ tenantId: 'aest-t', period: month.name, currency: 'USD', totalMinor: Math.round((16 * seconds * 100) / 3600) });
    expect(estimate.projectedTotalMinor).toBe(estimate.totalMinor);
    expect(estimate.lines.map((l) => l.kind)).toEqual(['usage']);
  });

  it('estimates a tenant with a plan and no usage at zero', async () => {
    const key = await insertTenant(billing.db, 'aest-idle');
    await assignPlan('aest-idle', 'aest-usd', '2026-01-01T00:00:00Z');
    expect(await bothEstimates('aest-idle', key)).toMatchObject({ tenantId: 'aest-idle', currency: 'USD', chargesMinor: 0, creditsMinor: 0, totalMinor: 0, projectedTotalMinor: 0, lines: [] });
  });

  it('answers 404 for a tenant that does not exist, even one with usage, and 400 for an id that cannot be one', async () => {
    const problem = expectProblem(await admin('GET', '/admin/v1/tenants/aest-nobody/estimate'), 404, 'tenant-not-found');
    expect(problem).toMatchObject({ detail: 'tenant aest-nobody does not exist' });
    // Intervals carry no foreign key to tenants: usage alone does not make a tenant.
    await meter(expansion('aest-ghost', new Date(monthAt(nowSec()).startSec * 1000), null));
    expectProblem(await admin('GET', '/admin/v1/tenants/aest-ghost/estimate'), 404, 'tenant-not-found');
    expect(errorPaths(expectProblem(await admin('GET', '/admin/v1/tenants/-bad/estimate'), 400, 'validation-failed'))).toEqual(['params.id']);
  });
});

describe('usage', () => {
  let key: string;
  const exp1 = randomUUID();
  const exp2 = randomUUID();
  const exp3 = randomUUID();

  beforeAll(async () => {
    key = await insertTenant(billing.db, 'use-t');
    await insertTenant(billing.db, 'use-other');
    const e2 = { tenantId: 'use-t', expansionId: exp2, sizeGiB: 8, tier: 'direct' as const };
    await meter(
      expansion('use-t', '2026-01-10T10:00:00Z', '2026-01-10T13:00:00Z', { expansionId: exp1, sizeGiB: 16 }),
      [
        usageEvent({ ...e2, type: 'expansion.activated', at: '2026-01-10T12:00:00Z' }),
        usageEvent({ ...e2, type: 'expansion.degraded', at: '2026-01-10T12:30:00Z' }),
        usageEvent({ ...e2, type: 'expansion.restored', at: '2026-01-10T13:00:00Z' }),
        usageEvent({ ...e2, type: 'expansion.released', at: '2026-01-10T14:00:00Z' }),
      ],
      expansion('use-t', '2026-01-11T00:00:00Z', '2026-01-11T01:00:00Z', { expansionId: exp3 }),
      expansion('use-other', '2026-01-10T10:00:00Z', '2026-01-10T13:00:00Z'),
    );
  });

  interface UsagePage {
    from: string;
    to: string;
    items: { expansionId: string; seq: number; kind: string; tier: string; sizeGiB: number; start: string; end: string | null; gibHoursInWindow: string }[];
    nextCursor: string | null;
  }

  it('lists the intervals that overlap the window, with their GiB-hours inside it', async () => {
    const reply = await tenantGet(key, '/v1/usage?from=2026-01-10T11:00:00Z&to=2026-01-10T12:30:00Z');
    expect(reply.status).toBe(200);
    const page = reply.body as UsagePage;
    expect(page).toMatchObject({ from: '2026-01-10T11:00:00.000Z', to: '2026-01-10T12:30:00.000Z', nextCursor: null });
    const byExpansion = [...page.items].sort((a, b) => (a.expansionId === exp1 ? -1 : b.expansionId === exp1 ? 1 : 0));
    expect(byExpansion).toEqual([
      { expansionId: exp1, seq: 0, kind: 'charged', tier: 'pooled', sizeGiB: 16, start: '2026-01-10T10:00:00.000Z', end: '2026-01-10T13:00:00.000Z', gibHoursInWindow: '24.000000' },
      { expansionId: exp2, seq: 0, kind: 'charged', tier: 'direct', sizeGiB: 8, start: '2026-01-10T12:00:00.000Z', end: '2026-01-10T12:30:00.000Z', gibHoursInWindow: '4.000000' },
    ]);
    // Seconds count exactly: 16 GiB for 20 minutes and 1 second.
    const odd = (await tenantGet(key, '/v1/usage?from=2026-01-10T09:00:00Z&to=2026-01-10T10:20:01Z')).body as UsagePage;
    expect(odd.items.map((i) => [i.expansionId, i.gibHoursInWindow])).toEqual([[exp1, '5.337778']]);
  });

  it('refuses a window that ends before it starts or spans more than 366 days', async () => {
    for (const q of ['from=2026-01-10T12:00:00Z&to=2026-01-10T12:00:00Z', 'from=2026-01-10T12:00:00Z&to=2026-01-10T11:00:00Z', 'from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:01Z']) {
      const problem = expectProblem(await tenantGet(key, `/v1/usage?${q}`), 400, 'validation-failed');
      expect(errorPaths(problem)).toEqual(['query.to']);
    }
    expect((await tenantGet(key, '/v1/usage?from=2025-01-10T00:00:00Z&to=2026-01-11T00:00:00Z')).status).toBe(200);
    expectProblem(await tenantGet(key, '/v1/usage?from=yesterday'), 400, 'validation-failed');
  });

  it('pages through every interval of the tenant with limit, and never shows another tenant’s', async () => {
    const window = 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z';
    const whole = (await tenantGet(key, `/v1/usage?${window}&limit=100`)).body as UsagePage;
    expect(whole.items.map((i) => `${i.expansionId}/${i.seq}`).sort()).toEqual([`${exp1}/0`, `${exp2}/0`, `${exp2}/1`, `${exp2}/2`, `${exp3}/0`].sort());
    expect(whole.items.find((i) => i.kind === 'degraded')).toMatchObject({ expansionId: exp2, gibHoursInWindow: '4.000000' });
    const walked: UsagePage['items'] = [];
    let cursor: string | null = null;
    do {
      const page: UsagePage = (await tenantGet(key, `/v1/usage?${window}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`)).body as UsagePage;
      expect(page.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && walked.length <= whole.items.length);
    expect(walked).toEqual(whole.items);
    expect(walked.length).toBe(5);
    expect((await intervalsOf(billing.db, 'use-other')).length).toBe(1);
    expectProblem(await tenantGet(key, `/v1/usage?${window}&cursor=abc`), 400, 'invalid-cursor');
  });
});

interface ExpressRouter {
  stack: { route?: { path: string; methods: Record<string, boolean> } }[];
}

describe('docs and metrics', () => {
  // What the controllers declare, read off their decorators by hand.
  const DECLARED = [
    'GET /health',
    'GET /v1/invoices',
    'GET /v1/invoices/estimate',
    'GET /v1/invoices/{id}',
    'GET /admin/v1/invoices',
    'GET /admin/v1/invoices/{id}',
    'POST /admin/v1/invoices/{id}/finalize',
    'POST /admin/v1/billing/close',
    'POST /admin/v1/plans',
    'GET /admin/v1/plans',
    'GET /admin/v1/plans/{id}',
    'PATCH /admin/v1/plans/{id}',
    'DELETE /admin/v1/plans/{id}',
    'PUT /admin/v1/tenants/{id}/plan',
    'GET /admin/v1/tenants/{id}/plan',
    'GET /v1/usage',
    'GET /v1/sla',
    'GET /admin/v1/sla',
    'GET /admin/v1/sla/history',
    'GET /admin/v1/tenants/{id}/estimate',
  ];

  it('documents in /docs/openapi.json every route the app serves, with the key each needs', async () => {
    const reply = await call(billing.url, 'GET', '/docs/openapi.json');
    expect(reply.status).toBe(200);
    const doc = reply.body as { openapi: string; paths: Record<string, Record<string, { security?: unknown }>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect([...documented].sort()).toEqual([...DECLARED].sort());
    const router = (billing.app.getHttpAdapter().getInstance() as { router: ExpressRouter }).router;
    const served = router.stack
      .flatMap((layer) => (layer.route === undefined ? [] : Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path ?? ''}`)))
      .filter((route) => !route.includes('/docs') && !route.includes('*'))
      .map((route) => route.replace(/:(\w+)/g, '{$1}'));
    expect(served.filter((route) => route !== 'GET /metrics').sort()).toEqual([...DECLARED].sort());
    for (const route of DECLARED.filter((r) => r.includes('/v1/'))) {
      const [method = '', path = ''] = route.split(' ');
      const scheme = path.startsWith('/admin/') ? 'adminKey' : 'tenantKey';
      expect({ route, security: doc.paths[path]?.[method.toLowerCase()]?.security }).toEqual({ route, security: [{ [scheme]: [] }] });
    }
  });

  it('counts usage events on /metrics without any tenant label', async () => {
    const tenantId = 'metrics-tenant-zq';
    await insertTenant(billing.db, tenantId);
    const events = expansion(tenantId, '2026-01-15T00:00:00Z', '2026-01-15T02:00:00Z');
    await publishUsageEvents(env.queuePrefix, events);
    await waitFor('the events metered', async () => (await intervalsOf(billing.db, tenantId)).some((i) => i.endSec !== null), 10_000);
    const scrape = async (): Promise<string> => String((await call(billing.url, 'GET', '/metrics')).body);
    let text = '';
    await waitFor('the counter updated', async () => /^mxs_billing_usage_events_total\{outcome="claimed"\} [1-9]/m.test((text = await scrape())), 10_000);
    expect(text).toMatch(/^# TYPE mxs_billing_usage_events_total counter$/m);
    const samples = text.split('\n').filter((line) => line.startsWith('mxs_billing_usage_events_total'));
    expect(samples.length).toBeGreaterThan(0);
    for (const line of text.split('\n').filter((l) => !l.startsWith('#'))) {
      expect({ line, tenantLabel: /[{,]\s*tenant(_?id)?=/i.test(line) }).toEqual({ line, tenantLabel: false });
    }
    expect(text).not.toContain(tenantId);
  });
});
