import { SoakError } from './soak-error';

/** One interval as billing's `GET /v1/usage` shows it, with its bounds in whole epoch seconds. */
export interface BillingInterval {
  readonly expansionId: string;
  readonly seq: number;
  readonly tier: 'direct' | 'pooled';
  readonly kind: 'charged' | 'degraded';
  readonly sizeGiB: number;
  readonly startSec: number;
  readonly endSec: number | null;
}

/** Where billing is and how to act as a tenant there (its usage route is the tenant's own). */
export interface BillingAccess {
  readonly billingUrl: string;
  tenantKey(tenantId: string): Promise<string>;
}

interface UsagePage {
  items: { expansionId: string; seq: number; tier: 'direct' | 'pooled'; kind: 'charged' | 'degraded'; sizeGiB: number; start: string; end: string | null }[];
  nextCursor: string | null;
}

const MAX_RATE_LIMIT_WAITS = 20;

async function getPage(url: string, key: string): Promise<UsagePage> {
  for (let waits = 0; ; waits++) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    // Billing rate-limits per key: wait as told rather than fail the check.
    if (response.status === 429 && waits < MAX_RATE_LIMIT_WAITS) {
      const retryAfterSec = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, retryAfterSec) * 1000));
      continue;
    }
    if (response.status !== 200) throw new SoakError('billing-unreadable', `GET ${url}: ${response.status} ${(await response.text()).slice(0, 300)}`);
    return (await response.json()) as UsagePage;
  }
}

/** Every usage interval of the tenant that overlaps `[fromSec, now]`, through billing's API, page by page. */
export async function billingIntervals(access: BillingAccess, tenantId: string, fromSec: number): Promise<BillingInterval[]> {
  const key = await access.tenantKey(tenantId);
  const out: BillingInterval[] = [];
  let cursor: string | null = null;
  do {
    // A window ending a minute ahead: by default it ends now, and hides an interval begun this very second.
    const to = new Date(Date.now() + 60_000).toISOString();
    const query = new URLSearchParams({ from: new Date(fromSec * 1000).toISOString(), to, limit: '100', ...(cursor === null ? {} : { cursor }) });
    const page = await getPage(`${access.billingUrl}/v1/usage?${query.toString()}`, key);
    for (const i of page.items) {
      out.push({
        expansionId: i.expansionId,
        seq: i.seq,
        tier: i.tier,
        kind: i.kind,
        sizeGiB: i.sizeGiB,
        startSec: Date.parse(i.start) / 1000,
        endSec: i.end === null ? null : Date.parse(i.end) / 1000,
      });
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}
