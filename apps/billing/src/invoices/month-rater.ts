import { Injectable, Logger } from '@nestjs/common';
import type { ExpansionSegmentUsage, Plan, RatedInvoice, RatedSegment, Tier } from '@mxs/rating';
import { RatingError, rateMonth } from '@mxs/rating';
import type { DataSource, EntityManager } from 'typeorm';
import type { Month } from '../period/month';
import { PlansService } from '../plans/plans.service';

/** A stretch of a month on one plan. */
export interface PlanSegment {
  readonly planId: string;
  readonly startSec: number;
  readonly endSec: number;
}

/** A month read from the database in one snapshot, rated tenant by tenant from here on (no I/O). */
export interface PreparedMonth {
  /** Tenants with a plan for the month. */
  readonly tenantIds: readonly string[];
  /** Tenants with usage but no plan (no assignment, no default). */
  readonly unplanned: readonly string[];
  /** The tenant's invoice, or null when its month cannot be rated (plans of two currencies; logged). */
  rate(tenantId: string): RatedInvoice | null;
}

export interface MonthRating {
  readonly invoices: ReadonlyMap<string, RatedInvoice>;
  /** Tenants whose month cannot be rated: no plan (no assignment, no default), or plans of two currencies. */
  readonly unrated: readonly string[];
}

interface UsageRow {
  tenant_id: string;
  idx: number;
  expansion_id: string;
  tier: Tier;
  charged_gib_sec: string;
  charged_sec: string;
  degraded_gib_sec: string;
  degraded_sec: string;
}

/**
 * The plan segments of one tenant's month: the plan in force at its first second (the tenant's
 * last assignment before it, else the default plan), then one more segment per assignment inside.
 */
export function planSegments(assignments: readonly { planId: string; fromSec: number }[], month: Month, defaultPlanId: string | null): PlanSegment[] {
  const sorted = [...assignments].sort((a, b) => a.fromSec - b.fromSec);
  const atStart = sorted.filter((a) => a.fromSec <= month.startSec).at(-1)?.planId ?? defaultPlanId;
  const changes = sorted.filter((a) => a.fromSec > month.startSec && a.fromSec < month.endSec);
  const segments: PlanSegment[] = [];
  let planId = atStart;
  let startSec = month.startSec;
  for (const change of changes) {
    if (planId !== null) segments.push({ planId, startSec, endSec: change.fromSec });
    planId = change.planId;
    startSec = change.fromSec;
  }
  if (planId !== null) segments.push({ planId, startSec, endSec: month.endSec });
  return segments;
}

/**
 * Rates one month for many tenants at once: PostgreSQL sums each expansion's GiB-seconds per
 * plan segment (usage up to `asOfSec`), and `@mxs/rating` turns those into invoice lines.
 */
@Injectable()
export class MonthRater {
  private readonly log = new Logger(MonthRater.name);

  constructor(private readonly plans: PlansService) {}

  /** `tenantIds` null rates every tenant with usage or a plan in the month. */
  async rate(m: EntityManager | DataSource, month: Month, asOfSec: number, tenantIds: readonly string[] | null): Promise<MonthRating> {
    const prepared = await this.prepare(m, month, asOfSec, tenantIds);
    const invoices = new Map<string, RatedInvoice>();
    const unrated = [...prepared.unplanned];
    for (const tenantId of prepared.tenantIds) {
      const invoice = prepared.rate(tenantId);
      if (invoice === null) unrated.push(tenantId);
      else invoices.set(tenantId, invoice);
    }
    return { invoices, unrated };
  }

  /** Reads what rating the month takes; closing a month rates it in chunks while earlier ones are written. */
  async prepare(m: EntityManager | DataSource, month: Month, asOfSec: number, tenantIds: readonly string[] | null): Promise<PreparedMonth> {
    const all = await this.plans.list(m);
    const plans = new Map<string, Plan>(all.map((p) => [p.id, p]));
    const defaultPlanId = all.find((p) => p.isDefault)?.id ?? null;
    const usageEndSec = Math.min(month.endSec, asOfSec);
    const tenants: { tenant_id: string }[] = await m.query(
      `SELECT DISTINCT tenant_id FROM usage_intervals
        WHERE start_sec < $2 AND coalesce(end_sec, $2) > $1 AND ($3::text[] IS NULL OR tenant_id = ANY($3::text[]))
       UNION
       SELECT DISTINCT tenant_id FROM tenant_plans
        WHERE effective_from < to_timestamp($4) AND ($3::text[] IS NULL OR tenant_id = ANY($3::text[]))`,
      [month.startSec, usageEndSec, tenantIds, month.endSec],
    );
    const assignments: { tenant_id: string; plan_id: string; from_sec: string }[] = await m.query(
      `SELECT tenant_id, plan_id, extract(epoch FROM effective_from)::bigint AS from_sec FROM tenant_plans
        WHERE effective_from < to_timestamp($1) AND tenant_id = ANY($2::text[])`,
      [month.endSec, tenants.map((t) => t.tenant_id)],
    );
    const byTenant = new Map<string, { planId: string; fromSec: number }[]>(tenants.map((t) => [t.tenant_id, []]));
    for (const a of assignments) byTenant.get(a.tenant_id)?.push({ planId: a.plan_id, fromSec: Number(a.from_sec) });
    const segments = new Map<string, PlanSegment[]>();
    const unrated: string[] = [];
    for (const [tenantId, list] of byTenant) {
      const s = planSegments(list, month, defaultPlanId);
      if (s.length === 0) unrated.push(tenantId);
      else segments.set(tenantId, s);
    }
    const usage = await this.usageBySegment(m, segments, usageEndSec);
    const rate = (tenantId: string): RatedInvoice | null => {
      const rated: RatedSegment[] = (segments.get(tenantId) ?? []).map((s, idx) => ({
        plan: planOrThrow(plans, s.planId),
        // The rating counts seconds from the month's first.
        startSec: s.startSec - month.startSec,
        endSec: s.endSec - month.startSec,
        usage: usage.get(`${tenantId}\u0000${idx}`) ?? [],
      }));
      try {
        return rateMonth({ periodSeconds: month.endSec - month.startSec, segments: rated });
      } catch (error) {
        // One tenant's month that cannot be rated (plans of two currencies) must not stop the others.
        if (!(error instanceof RatingError)) throw error;
        this.log.warn(`${month.name}: tenant ${tenantId} cannot be rated: ${error.message}`);
        return null;
      }
    };
    return { tenantIds: [...segments.keys()], unplanned: unrated, rate };
  }

  private async usageBySegment(m: EntityManager | DataSource, segments: ReadonlyMap<string, readonly PlanSegment[]>, usageEndSec: number): Promise<Map<string, ExpansionSegmentUsage[]>> {
    const arrays = { tenant: [] as string[], idx: [] as number[], start: [] as number[], end: [] as number[] };
    for (const [tenantId, list] of segments) {
      list.forEach((s, idx) => {
        arrays.tenant.push(tenantId);
        arrays.idx.push(idx);
        arrays.start.push(s.startSec);
        arrays.end.push(Math.min(s.endSec, usageEndSec));
      });
    }
    const rows: UsageRow[] = await m.query(
      `SELECT s.tenant_id, s.idx, i.expansion_id, i.tier,
              sum(CASE WHEN i.kind = 'charged' THEN i.size_gib * x.d ELSE 0 END)::text AS charged_gib_sec,
              sum(CASE WHEN i.kind = 'charged' THEN x.d ELSE 0 END)::text AS charged_sec,
              sum(CASE WHEN i.kind = 'degraded' THEN i.size_gib * x.d ELSE 0 END)::text AS degraded_gib_sec,
              sum(CASE WHEN i.kind = 'degraded' THEN x.d ELSE 0 END)::text AS degraded_sec
         FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[]) AS s(tenant_id, idx, start_sec, end_sec)
         JOIN usage_intervals i ON i.tenant_id = s.tenant_id AND i.start_sec < s.end_sec AND coalesce(i.end_sec, $5) > s.start_sec
         CROSS JOIN LATERAL (SELECT least(coalesce(i.end_sec, $5), s.end_sec) - greatest(i.start_sec, s.start_sec) AS d) x
        GROUP BY s.tenant_id, s.idx, i.expansion_id, i.tier`,
      [arrays.tenant, arrays.idx, arrays.start, arrays.end, usageEndSec],
    );
    const out = new Map<string, ExpansionSegmentUsage[]>();
    for (const r of rows) {
      const key = `${r.tenant_id}\u0000${r.idx}`;
      const list = out.get(key) ?? [];
      list.push({
        expansionId: r.expansion_id,
        tier: r.tier,
        chargedGiBSeconds: BigInt(r.charged_gib_sec),
        chargedSeconds: Number(r.charged_sec),
        degradedGiBSeconds: BigInt(r.degraded_gib_sec),
        degradedSeconds: Number(r.degraded_sec),
      });
      out.set(key, list);
    }
    return out;
  }
}

function planOrThrow(plans: ReadonlyMap<string, Plan>, id: string): Plan {
  const plan = plans.get(id);
  // tenant_plans.plan_id references plans(id): a missing one is a broken database, not input.
  if (plan === undefined) throw new Error(`plan ${id} is assigned but does not exist`);
  return plan;
}
