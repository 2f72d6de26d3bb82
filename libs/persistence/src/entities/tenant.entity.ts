import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'quota_gib', type: 'integer' })
  quotaGiB!: number;

  @Column({ type: 'text', default: 'standard' })
  plan!: string;

  /** The public part of the API key, to find the tenant before comparing hashes. */
  @Column({ name: 'api_key_prefix', type: 'text' })
  apiKeyPrefix!: string;

  /** Hex SHA-256 of the whole key; the key itself is shown once and never stored. */
  @Column({ name: 'api_key_hash', type: 'text' })
  apiKeyHash!: string;

  @Column({ name: 'used_gib', type: 'integer', default: 0 })
  usedGiB!: number;

  /** Re-place this tenant's expansions off a failed device; null follows the fleet setting. */
  @Column({ name: 'auto_replace', type: 'boolean', nullable: true })
  autoReplace!: boolean | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
