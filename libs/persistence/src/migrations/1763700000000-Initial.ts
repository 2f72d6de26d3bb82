import type { MigrationInterface, QueryRunner } from 'typeorm';

// Lists kept here, not imported: a migration is frozen once applied, whatever the code says later.
const EXPANSION_STATES = `'requested','placed','attaching','active','detaching','released','rejected','failed','degraded'`;

const FLEET = [
  // btree_gist lets one GiST index mix `device_id =` with `span &&` (the no-overlap rule).
  `CREATE EXTENSION IF NOT EXISTS btree_gist`,
  `CREATE TABLE tenants (
    id text PRIMARY KEY,
    name text NOT NULL,
    quota_gib integer NOT NULL CONSTRAINT tenants_quota_gib_check CHECK (quota_gib >= 0),
    plan text NOT NULL DEFAULT 'standard',
    api_key_prefix text NOT NULL CONSTRAINT tenants_api_key_prefix_key UNIQUE,
    api_key_hash text NOT NULL CONSTRAINT tenants_api_key_hash_check CHECK (api_key_hash ~ '^[0-9a-f]{64}$'),
    used_gib integer NOT NULL DEFAULT 0 CONSTRAINT tenants_used_gib_check CHECK (used_gib >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE fleet_layout (
    id smallint PRIMARY KEY CONSTRAINT fleet_layout_single_row CHECK (id = 1),
    version integer NOT NULL,
    name text NOT NULL,
    spec jsonb NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE hosts (
    id text PRIMARY KEY,
    state text NOT NULL CONSTRAINT hosts_state_check CHECK (state IN ('healthy','draining','maintenance','failed')),
    cfmws_window_gib integer NOT NULL CONSTRAINT hosts_cfmws_window_gib_check CHECK (cfmws_window_gib >= 0),
    mapped_gib integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT hosts_mapped_within_window CHECK (mapped_gib >= 0 AND mapped_gib <= cfmws_window_gib)
  )`,
  `CREATE TABLE switches (
    id text PRIMARY KEY,
    state text NOT NULL CONSTRAINT switches_state_check CHECK (state IN ('up','down')),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE devices (
    id text PRIMARY KEY,
    tier text NOT NULL CONSTRAINT devices_tier_check CHECK (tier IN ('direct','pooled')),
    capacity_gib integer NOT NULL CONSTRAINT devices_capacity_gib_check CHECK (capacity_gib > 0),
    health text NOT NULL CONSTRAINT devices_health_check CHECK (health IN ('healthy','degraded','draining','failed')),
    health_reason text,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE vms (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    host_id text NOT NULL REFERENCES hosts (id),
    dram_gib integer NOT NULL CONSTRAINT vms_dram_gib_check CHECK (dram_gib > 0),
    name text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX vms_tenant_created_idx ON vms (tenant_id, created_at, id)`,
];

const EXPANSIONS = [
  `CREATE TABLE expansions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id text NOT NULL REFERENCES tenants (id),
    vm_id text NOT NULL REFERENCES vms (id),
    host_id text NOT NULL REFERENCES hosts (id),
    size_gib integer NOT NULL CONSTRAINT expansions_size_gib_check CHECK (size_gib BETWEEN 1 AND 2048),
    tier text NOT NULL CONSTRAINT expansions_tier_check CHECK (tier IN ('direct','pooled','any')),
    placed_tier text CONSTRAINT expansions_placed_tier_check CHECK (placed_tier IN ('direct','pooled')),
    layout text NOT NULL CONSTRAINT expansions_layout_check CHECK (layout IN ('pack','spread','interleave')),
    interleave_ways smallint CONSTRAINT expansions_interleave_ways_check CHECK (interleave_ways >= 1),
    max_added_latency_ns integer CONSTRAINT expansions_max_added_latency_ns_check CHECK (max_added_latency_ns >= 0),
    state text NOT NULL CONSTRAINT expansions_state_check CHECK (state IN (${EXPANSION_STATES})),
    reason text,
    request_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  // Keyset pagination: a tenant's list and the operator's list, newest first.
  `CREATE INDEX expansions_tenant_created_idx ON expansions (tenant_id, created_at DESC, id DESC)`,
  `CREATE INDEX expansions_created_idx ON expansions (created_at DESC, id DESC)`,
  `CREATE INDEX expansions_vm_idx ON expansions (vm_id)`,
  `CREATE INDEX expansions_state_idx ON expansions (state)`,
  `CREATE TABLE expansion_extents (
    expansion_id uuid NOT NULL REFERENCES expansions (id) ON DELETE CASCADE,
    device_id text NOT NULL REFERENCES devices (id),
    offset_gib integer NOT NULL CONSTRAINT expansion_extents_offset_gib_check CHECK (offset_gib >= 0),
    size_gib integer NOT NULL CONSTRAINT expansion_extents_size_gib_check CHECK (size_gib > 0),
    span int4range GENERATED ALWAYS AS (int4range(offset_gib, offset_gib + size_gib)) STORED,
    live boolean NOT NULL DEFAULT true,
    CONSTRAINT expansion_extents_pkey PRIMARY KEY (expansion_id, device_id, offset_gib),
    -- The guarantee behind every placement, whatever the number of API replicas (DESIGN §7).
    CONSTRAINT expansion_extents_no_overlap EXCLUDE USING gist (device_id WITH =, span WITH &&) WHERE (live)
  )`,
  `CREATE INDEX expansion_extents_live_device_idx ON expansion_extents (device_id) WHERE live`,
  // A CHECK cannot read another table, so a trigger compares with the device's capacity.
  `CREATE FUNCTION expansion_extents_within_device() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    capacity integer;
  BEGIN
    SELECT capacity_gib INTO capacity FROM devices WHERE id = NEW.device_id;
    -- No device: the foreign key reports it, with its own error code.
    IF capacity IS NOT NULL AND NEW.offset_gib + NEW.size_gib > capacity THEN
      RAISE EXCEPTION 'extent [%, %) GiB passes the end of device % (% GiB)',
          NEW.offset_gib, NEW.offset_gib + NEW.size_gib, NEW.device_id, capacity
        USING ERRCODE = 'check_violation', CONSTRAINT = 'expansion_extents_within_device',
              TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
  END
  $$`,
  // Only the columns that move an extent: marking it dead needs no capacity check.
  `CREATE TRIGGER expansion_extents_within_device
    BEFORE INSERT OR UPDATE OF device_id, offset_gib, size_gib ON expansion_extents
    FOR EACH ROW EXECUTE FUNCTION expansion_extents_within_device()`,
  `CREATE TABLE expansion_transitions (
    id bigserial PRIMARY KEY,
    expansion_id uuid NOT NULL REFERENCES expansions (id) ON DELETE CASCADE,
    from_state text CONSTRAINT expansion_transitions_from_state_check CHECK (from_state IN (${EXPANSION_STATES})),
    to_state text NOT NULL CONSTRAINT expansion_transitions_to_state_check CHECK (to_state IN (${EXPANSION_STATES})),
    -- clock_timestamp, not now(): several transitions in one transaction keep their order in time.
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    reason text,
    request_id text,
    detail jsonb
  )`,
  `CREATE INDEX expansion_transitions_expansion_idx ON expansion_transitions (expansion_id, id)`,
];

const WORK = [
  `CREATE TABLE operations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    expansion_id uuid NOT NULL REFERENCES expansions (id) ON DELETE CASCADE,
    kind text NOT NULL CONSTRAINT operations_kind_check CHECK (kind IN ('hot-add','hot-remove')),
    state text NOT NULL DEFAULT 'pending',
    step text,
    checkpoint jsonb NOT NULL DEFAULT '{}',
    attempts integer NOT NULL DEFAULT 0 CONSTRAINT operations_attempts_check CHECK (attempts >= 0),
    last_error text,
    request_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX operations_expansion_idx ON operations (expansion_id)`,
  `CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    queue text NOT NULL,
    job_name text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at timestamptz,
    attempts integer NOT NULL DEFAULT 0 CONSTRAINT outbox_attempts_check CHECK (attempts >= 0),
    last_error text
  )`,
  `CREATE INDEX outbox_pending ON outbox (created_at) WHERE published_at IS NULL`,
  // Relays LISTEN on mxs_outbox and wake at once; the notice goes out only when the insert commits.
  `CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('mxs_outbox', '');
    RETURN NULL;
  END
  $$`,
  `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
  `CREATE TABLE idempotency_keys (
    tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key text NOT NULL,
    request_hash text NOT NULL,
    status_code smallint NOT NULL CONSTRAINT idempotency_keys_status_code_check CHECK (status_code BETWEEN 100 AND 599),
    response jsonb NOT NULL,
    resource_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, key)
  )`,
];

/** Reverse dependency order; functions go with their tables' triggers. */
const DOWN = [
  `DROP TABLE idempotency_keys`,
  `DROP TABLE outbox`,
  `DROP FUNCTION outbox_notify()`,
  `DROP TABLE operations`,
  `DROP TABLE expansion_transitions`,
  `DROP TABLE expansion_extents`,
  `DROP FUNCTION expansion_extents_within_device()`,
  `DROP TABLE expansions`,
  `DROP TABLE vms`,
  `DROP TABLE devices`,
  `DROP TABLE switches`,
  `DROP TABLE hosts`,
  `DROP TABLE fleet_layout`,
  `DROP TABLE tenants`,
  `DROP EXTENSION IF EXISTS btree_gist`,
];

/** The service's first schema (DESIGN §7): fleet, tenants, expansions, saga state, outbox. */
export class Initial1763700000000 implements MigrationInterface {
  // Explicit, so a bundler renaming the class cannot change what the migrations table records.
  readonly name = 'Initial1763700000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const sql of [...FLEET, ...EXPANSIONS, ...WORK]) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of DOWN) await runner.query(sql);
  }
}
