import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BillingError } from '../errors';
import { monthAt, nowSec, periodDate } from '../period/month';
import { PlansService } from './plans.service';

export interface TenantPlanView {
  readonly tenantId: string;
  readonly current: string | null;
  readonly history: readonly { planId: string; effectiveFrom: string }[];
}

/**
 * Which plan a tenant is on, since when. An assignment starts at a whole second and lasts until
 * the next; a month with two plans is rated in two segments, each on its own plan.
 */
@Injectable()
export class TenantPlansService {
  constructor(
    private readonly db: DataSource,
    private readonly plans: PlansService,
  ) {}

  async assign(tenantId: string, planId: string, effectiveFrom: string | undefined): Promise<TenantPlanView> {
    const fromSec = effectiveFrom === undefined ? nowSec() : Math.floor(Date.parse(effectiveFrom) / 1000);
    const month = monthAt(fromSec);
    await this.db.transaction(async (m) => {
      // One assignment at a time per tenant: the checks below read what the insert relies on.
      const tenants: { id: string }[] = await m.query(`SELECT id FROM tenants WHERE id = $1 FOR UPDATE`, [tenantId]);
      if (tenants[0] === undefined) throw new BillingError('tenant-not-found', `tenant ${tenantId} does not exist`);
      const plan = await this.plans.get(planId, m);
      const finalized: { period: string }[] = await m.query(
        `SELECT to_char(period, 'YYYY-MM') AS period FROM invoices WHERE tenant_id = $1 AND status = 'finalized' AND period >= $2::date ORDER BY period LIMIT 1`,
        [tenantId, periodDate(month)],
      );
      if (finalized[0] !== undefined) {
        throw new BillingError('period-finalized', `the invoice for ${finalized[0].period} is finalized; a plan can start only after it`);
      }
      // An invoice has one currency: a plan of another currency may start only with a month, and
      // only when no plan of another currency starts later in that month.
      const neighbours: { currency: string; plan_id: string }[] = await m.query(
        `(SELECT p.currency, p.id AS plan_id FROM tenant_plans t JOIN plans p ON p.id = t.plan_id
           WHERE t.tenant_id = $1 AND t.effective_from < to_timestamp($2) AND t.effective_from >= to_timestamp($3)
           ORDER BY t.effective_from DESC LIMIT 1)
         UNION ALL
         (SELECT p.currency, p.id FROM tenant_plans t JOIN plans p ON p.id = t.plan_id
           WHERE t.tenant_id = $1 AND t.effective_from > to_timestamp($2) AND t.effective_from < to_timestamp($4)
           ORDER BY t.effective_from LIMIT 1)`,
        [tenantId, fromSec, month.startSec, month.endSec],
      );
      // Mid-month, the plan in force at the month's start stays for its first part: the tenant's
      // last plan by then, else the default plan the month is rated on.
      const atStart: { currency: string; plan_id: string }[] =
        fromSec === month.startSec
          ? []
          : await m.query(
              `SELECT currency, plan_id FROM (
                 (SELECT p.currency, p.id AS plan_id, 0 AS rank FROM tenant_plans t JOIN plans p ON p.id = t.plan_id
                   WHERE t.tenant_id = $1 AND t.effective_from <= to_timestamp($2) ORDER BY t.effective_from DESC LIMIT 1)
                 UNION ALL
                 (SELECT currency, id, 1 FROM plans WHERE is_default)
               ) x ORDER BY rank LIMIT 1`,
              [tenantId, month.startSec],
            );
      const clash = [...neighbours, ...atStart].find((n) => n.currency !== plan.currency);
      if (clash !== undefined) {
        throw new BillingError(
          'currency-change',
          `plan ${planId} bills in ${plan.currency} but plan ${clash.plan_id} (${clash.currency}) is in force in ${month.name}; start it at the first second of a month without other plans later in it`,
        );
      }
      await m.query(
        `INSERT INTO tenant_plans (tenant_id, effective_from, plan_id) VALUES ($1, to_timestamp($2), $3)
         ON CONFLICT (tenant_id, effective_from) DO UPDATE SET plan_id = EXCLUDED.plan_id, assigned_at = now()`,
        [tenantId, fromSec, planId],
      );
      // The tenant record shows the plan in force now, as the placement API lists it.
      await m.query(
        `UPDATE tenants SET plan = (SELECT plan_id FROM tenant_plans WHERE tenant_id = $1 AND effective_from <= now() ORDER BY effective_from DESC LIMIT 1), updated_at = now()
          WHERE id = $1 AND EXISTS (SELECT 1 FROM tenant_plans WHERE tenant_id = $1 AND effective_from <= now())`,
        [tenantId],
      );
    });
    return this.get(tenantId);
  }

  async get(tenantId: string): Promise<TenantPlanView> {
    const tenants: { id: string }[] = await this.db.query(`SELECT id FROM tenants WHERE id = $1`, [tenantId]);
    if (tenants[0] === undefined) throw new BillingError('tenant-not-found', `tenant ${tenantId} does not exist`);
    const rows: { plan_id: string; effective_from: Date }[] = await this.db.query(
      `SELECT plan_id, effective_from FROM tenant_plans WHERE tenant_id = $1 ORDER BY effective_from`,
      [tenantId],
    );
    const now = Date.now();
    const current = rows.filter((r) => r.effective_from.getTime() <= now).at(-1)?.plan_id ?? null;
    return { tenantId, current, history: rows.map((r) => ({ planId: r.plan_id, effectiveFrom: r.effective_from.toISOString() })) };
  }
}
