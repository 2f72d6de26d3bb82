import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What billing keeps (DESIGN §8): every usage event it has claimed, the metered intervals built
 * from them, plans and who is on which since when, and invoices. Interval bounds are epoch
 * seconds: billing is to the second, and month sums stay integer arithmetic in SQL.
 */
export class Billing1763700300000 implements MigrationInterface {
  name = 'Billing1763700300000';

  async up(q: QueryRunner): Promise<void> {
    // The primary key is the claim: an event's effect commits with its row, or neither does.
    await q.query(`CREATE TABLE usage_events (
      event_id uuid PRIMARY KEY,
      expansion_id uuid NOT NULL,
      tenant_id text NOT NULL,
      type text NOT NULL CONSTRAINT usage_events_type_check CHECK (type IN ('expansion.activated','expansion.resized','expansion.degraded','expansion.restored','expansion.released')),
      tier text NOT NULL CONSTRAINT usage_events_tier_check CHECK (tier IN ('direct','pooled')),
      size_gib integer NOT NULL CONSTRAINT usage_events_size_gib_check CHECK (size_gib >= 0),
      at timestamptz NOT NULL,
      vm_id text NOT NULL,
      host_id text NOT NULL,
      reason text,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX usage_events_expansion_idx ON usage_events (expansion_id)`);
    await q.query(`CREATE TABLE usage_intervals (
      expansion_id uuid NOT NULL,
      seq smallint NOT NULL,
      tenant_id text NOT NULL,
      tier text NOT NULL CONSTRAINT usage_intervals_tier_check CHECK (tier IN ('direct','pooled')),
      kind text NOT NULL CONSTRAINT usage_intervals_kind_check CHECK (kind IN ('charged','degraded')),
      size_gib integer NOT NULL CONSTRAINT usage_intervals_size_gib_check CHECK (size_gib > 0),
      start_sec bigint NOT NULL,
      end_sec bigint,
      CONSTRAINT usage_intervals_pkey PRIMARY KEY (expansion_id, seq),
      CONSTRAINT usage_intervals_order CHECK (end_sec IS NULL OR end_sec > start_sec)
    )`);
    await q.query(`CREATE INDEX usage_intervals_tenant_idx ON usage_intervals (tenant_id, start_sec)`);
    await q.query(`CREATE TABLE plans (
      id text PRIMARY KEY,
      name text NOT NULL,
      currency text NOT NULL CONSTRAINT plans_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      prices jsonb NOT NULL,
      minimum_commit_minor bigint NOT NULL DEFAULT 0 CONSTRAINT plans_minimum_commit_minor_check CHECK (minimum_commit_minor >= 0),
      credit_scope text NOT NULL CONSTRAINT plans_credit_scope_check CHECK (credit_scope IN ('expansion','tenant')),
      credit_tiers jsonb NOT NULL,
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Tenants without an assignment are billed on the default plan; there is at most one.
    await q.query(`CREATE UNIQUE INDEX plans_one_default_idx ON plans (is_default) WHERE is_default`);
    await q.query(`CREATE TABLE tenant_plans (
      tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      effective_from timestamptz NOT NULL,
      plan_id text NOT NULL REFERENCES plans (id),
      assigned_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT tenant_plans_pkey PRIMARY KEY (tenant_id, effective_from),
      CONSTRAINT tenant_plans_whole_second CHECK (effective_from = date_trunc('second', effective_from))
    )`);
    await q.query(`CREATE INDEX tenant_plans_plan_idx ON tenant_plans (plan_id)`);
    await q.query(`CREATE TABLE invoices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id text NOT NULL REFERENCES tenants (id),
      period date NOT NULL CONSTRAINT invoices_period_check CHECK (extract(day FROM period) = 1),
      status text NOT NULL CONSTRAINT invoices_status_check CHECK (status IN ('draft','finalized')),
      currency text NOT NULL,
      charges_minor bigint NOT NULL,
      credits_minor bigint NOT NULL CONSTRAINT invoices_credits_minor_check CHECK (credits_minor <= 0),
      total_minor bigint NOT NULL,
      lines jsonb NOT NULL,
      uptime jsonb NOT NULL,
      rated_at timestamptz NOT NULL,
      finalized_at timestamptz,
      finalized_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT invoices_tenant_period_key UNIQUE (tenant_id, period),
      CONSTRAINT invoices_total_is_sum CHECK (total_minor = charges_minor + credits_minor),
      CONSTRAINT invoices_finalized_has_time CHECK ((status = 'finalized') = (finalized_at IS NOT NULL))
    )`);
    await q.query(`CREATE INDEX invoices_period_idx ON invoices (period, tenant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invoices`);
    await q.query(`DROP TABLE tenant_plans`);
    await q.query(`DROP TABLE plans`);
    await q.query(`DROP TABLE usage_intervals`);
    await q.query(`DROP TABLE usage_events`);
  }
}
