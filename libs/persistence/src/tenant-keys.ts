import type { DataSource } from 'typeorm';

/** The tenant holding an API key prefix and the stored hash of its key, or null. */
export async function tenantKeyByPrefix(db: DataSource, prefix: string): Promise<{ tenantId: string; apiKeyHash: string } | null> {
  const rows: { id: string; api_key_hash: string }[] = await db.query(`SELECT id, api_key_hash FROM tenants WHERE api_key_prefix = $1`, [prefix]);
  const row = rows[0];
  return row === undefined ? null : { tenantId: row.id, apiKeyHash: row.api_key_hash };
}
