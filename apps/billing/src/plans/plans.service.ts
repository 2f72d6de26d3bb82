import { Injectable } from '@nestjs/common';
import { isForeignKeyViolation, isUniqueViolation, updateReturning } from '@mxs/persistence';
import type { Plan, PriceBand, Tier } from '@mxs/rating';
import { planProblems } from '@mxs/rating';
import { validationProblem } from '@mxs/service-kit';
import { DEFAULT_CREDIT_TIERS } from '@mxs/sla-metrics';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { BillingError } from '../errors';
import type { PlanBody } from './plan.schemas';

export interface PlanView extends Plan {
  readonly name: string;
  readonly isDefault: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface PlanRow {
  id: string;
  name: string;
  currency: string;
  prices: Record<Tier, PriceBand[]>;
  minimum_commit_minor: string;
  credit_scope: 'expansion' | 'tenant';
  credit_tiers: { belowUptimePct: string; creditPct: number }[];
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, currency, prices, minimum_commit_minor, credit_scope, credit_tiers, is_default, created_at, updated_at';

/** A single price is one unbounded band. */
function bands(price: string | readonly PriceBand[]): PriceBand[] {
  return typeof price === 'string' ? [{ upToGiBHours: null, unitPrice: price }] : [...price];
}

/** Plans: price lists that never change under an invoice (only their name and default flag do). */
@Injectable()
export class PlansService {
  constructor(private readonly db: DataSource) {}

  async create(body: PlanBody): Promise<PlanView> {
    const plan: Plan = {
      id: body.id,
      currency: body.currency,
      prices: { direct: bands(body.prices.direct), pooled: bands(body.prices.pooled) },
      minimumCommitMinor: body.minimumCommitMinor,
      creditScope: body.creditScope,
      creditTiers: body.creditTiers ?? DEFAULT_CREDIT_TIERS,
    };
    const problems = planProblems(plan);
    if (problems.length > 0) throw validationProblem(problems.map((p) => ({ path: `body.${p.path}`, message: p.message })));
    return this.db.transaction(async (m) => {
      if (body.isDefault) await m.query(`UPDATE plans SET is_default = false, updated_at = now() WHERE is_default`);
      try {
        const rows: PlanRow[] = await m.query(
          `INSERT INTO plans (id, name, currency, prices, minimum_commit_minor, credit_scope, credit_tiers, is_default)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
          [plan.id, body.name, plan.currency, JSON.stringify(plan.prices), plan.minimumCommitMinor, plan.creditScope, JSON.stringify(plan.creditTiers), body.isDefault],
        );
        return toView(only(rows));
      } catch (error) {
        if (isUniqueViolation(error, 'plans_pkey')) throw new BillingError('plan-exists', `plan ${plan.id} already exists`);
        throw error;
      }
    });
  }

  async update(id: string, patch: { name?: string | undefined; isDefault?: boolean | undefined }): Promise<PlanView> {
    return this.db.transaction(async (m) => {
      if (patch.isDefault === true) await m.query(`UPDATE plans SET is_default = false, updated_at = now() WHERE is_default AND id <> $1`, [id]);
      const [row] = await updateReturning<PlanRow>(
        m,
        `UPDATE plans SET name = coalesce($2, name), is_default = coalesce($3, is_default), updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, patch.name ?? null, patch.isDefault ?? null],
      );
      if (row === undefined) throw new BillingError('plan-not-found', `plan ${id} does not exist`);
      return toView(row);
    });
  }

  /** Only a plan no tenant was ever assigned, and not the default, can go. */
  async remove(id: string): Promise<void> {
    const plan = await this.get(id);
    if (plan.isDefault) throw new BillingError('plan-in-use', `plan ${id} is the default plan; make another plan the default first`);
    try {
      await this.db.query(`DELETE FROM plans WHERE id = $1`, [id]);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new BillingError('plan-in-use', `plan ${id} has been assigned to tenants; it stays for their invoices`);
      throw error;
    }
  }

  async get(id: string, m: EntityManager | DataSource = this.db): Promise<PlanView> {
    const rows: PlanRow[] = await m.query(`SELECT ${COLUMNS} FROM plans WHERE id = $1`, [id]);
    if (rows[0] === undefined) throw new BillingError('plan-not-found', `plan ${id} does not exist`);
    return toView(rows[0]);
  }

  async list(m: EntityManager | DataSource = this.db): Promise<PlanView[]> {
    const rows: PlanRow[] = await m.query(`SELECT ${COLUMNS} FROM plans ORDER BY id`);
    return rows.map(toView);
  }
}

function only(rows: PlanRow[]): PlanRow {
  const row = rows[0];
  if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
  return row;
}

function toView(r: PlanRow): PlanView {
  return {
    id: r.id,
    name: r.name,
    currency: r.currency,
    prices: r.prices,
    minimumCommitMinor: Number(r.minimum_commit_minor),
    creditScope: r.credit_scope,
    creditTiers: r.credit_tiers,
    isDefault: r.is_default,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
