/// <reference types="jest" />
import { PROBLEM_TYPE_BASE } from '@mxs/service-kit';
import type { TcpProxy } from '@mxs/test-kit';
import { call, startTcpProxy } from '@mxs/test-kit';
import type { BillingUnderTest, TestEnvironment } from './testing/billing-harness';
import { ADMIN_KEY, createBillingEnvironment, startBilling } from './testing/billing-harness';

// Billing reaches its database through a proxy the test cuts: its API answers 503 with
// Retry-After while PostgreSQL is away, and answers again once it is back.
let env: TestEnvironment;
let proxy: TcpProxy;
let billing: BillingUnderTest;

beforeAll(async () => {
  env = await createBillingEnvironment('billing-pg-outage');
  proxy = await startTcpProxy(env.db.url);
  billing = await startBilling(env.env({ DATABASE_URL: proxy.url, MXS_METER_CONCURRENCY: '0' }));
});

afterAll(async () => {
  await billing?.close();
  await proxy?.close();
  await env?.drop();
});

it('answers 503 unavailable with Retry-After while PostgreSQL is away, and serves again once it is back', async () => {
  const plans = (): ReturnType<typeof call> => call(billing.url, 'GET', '/admin/v1/plans', { key: ADMIN_KEY });
  expect((await plans()).status).toBe(200);

  proxy.cut();
  const away = await plans();
  expect(away.status).toBe(503);
  expect(away.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(away.headers.get('retry-after')).toBe('2');
  expect(away.body).toMatchObject({ type: `${PROBLEM_TYPE_BASE}unavailable`, status: 503 });

  proxy.restore();
  expect((await plans()).status).toBe(200);
});
