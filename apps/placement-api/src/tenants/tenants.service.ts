import { Injectable } from '@nestjs/common';
import { isUniqueViolation, tenantKeyByPrefix, updateReturning } from '@mxs/persistence';
import { CachedTenantKeyVerifier, generateApiKey } from '@mxs/service-kit';
import type { AuthenticatedTenant, TenantKeyVerifier } from '@mxs/service-kit';
import { DataSource } from 'typeorm';
import { ApiError } from '../errors';

export interface TenantView {
  readonly id: string;
  readonly name: string;
  readonly quotaGiB: number;
  readonly usedGiB: number;
  readonly plan: string;
  readonly apiKeyPrefix: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface TenantRow {
  id: string;
  name: string;
  quota_gib: number;
  used_gib: number;
  plan: string;
  api_key_prefix: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, quota_gib, used_gib, plan, api_key_prefix, created_at, updated_at';

/** Tenants and their API keys: a key is shown once and stored only as a SHA-256 hash. */
@Injectable()
export class TenantsService implements TenantKeyVerifier {
  private readonly keys: CachedTenantKeyVerifier;

  constructor(private readonly db: DataSource) {
    this.keys = new CachedTenantKeyVerifier((prefix) => tenantKeyByPrefix(db, prefix));
  }

  async create(input: { id: string; name: string; quotaGiB: number; plan: string }): Promise<{ tenant: TenantView; apiKey: string }> {
    const key = generateApiKey();
    try {
      const rows: TenantRow[] = await this.db.query(
        `INSERT INTO tenants (id, name, quota_gib, plan, api_key_prefix, api_key_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [input.id, input.name, input.quotaGiB, input.plan, key.prefix, key.hash],
      );
      return { tenant: toView(only(rows)), apiKey: key.key };
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('tenant-exists', `tenant ${input.id} already exists`);
      throw error;
    }
  }

  async update(id: string, patch: { name?: string | undefined; quotaGiB?: number | undefined; plan?: string | undefined }): Promise<TenantView> {
    const [row] = await updateReturning<TenantRow>(
      this.db,
      `UPDATE tenants SET name = coalesce($2, name), quota_gib = coalesce($3, quota_gib), plan = coalesce($4, plan), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, patch.name ?? null, patch.quotaGiB ?? null, patch.plan ?? null],
    );
    if (row === undefined) throw new ApiError('tenant-not-found', `tenant ${id} does not exist`);
    return toView(row);
  }

  /** A new key; the old one stops working (within the verification cache's lifetime). */
  async rotateKey(id: string): Promise<{ tenant: TenantView; apiKey: string }> {
    const key = generateApiKey();
    const [row] = await updateReturning<TenantRow>(
      this.db,
      `UPDATE tenants SET api_key_prefix = $2, api_key_hash = $3, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, key.prefix, key.hash],
    );
    if (row === undefined) throw new ApiError('tenant-not-found', `tenant ${id} does not exist`);
    this.keys.forgetAll();
    return { tenant: toView(row), apiKey: key.key };
  }

  async get(id: string): Promise<TenantView> {
    const rows: TenantRow[] = await this.db.query(`SELECT ${COLUMNS} FROM tenants WHERE id = $1`, [id]);
    if (rows[0] === undefined) throw new ApiError('tenant-not-found', `tenant ${id} does not exist`);
    return toView(rows[0]);
  }

  async list(after: string | undefined, limit: number): Promise<{ items: TenantView[]; more: boolean }> {
    const rows: TenantRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM tenants WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [after ?? null, limit + 1],
    );
    return { items: rows.slice(0, limit).map(toView), more: rows.length > limit };
  }

  /** The tenant a bearer key belongs to, or null; constant-time in the key's secret part. */
  verify(apiKey: string): Promise<AuthenticatedTenant | null> {
    return this.keys.verify(apiKey);
  }
}

function only(rows: TenantRow[]): TenantRow {
  const row = rows[0];
  if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
  return row;
}

function toView(r: TenantRow): TenantView {
  return {
    id: r.id,
    name: r.name,
    quotaGiB: r.quota_gib,
    usedGiB: r.used_gib,
    plan: r.plan,
    apiKeyPrefix: r.api_key_prefix,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
