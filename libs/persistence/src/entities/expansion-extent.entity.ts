import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A run of one device given to an expansion. While `live`, no other live extent on the device
 * may overlap it (`expansion_extents_no_overlap`); it stops being live once the fabric released it.
 * Its `changed_xid` (xid8, a type TypeORM does not know, so not mapped here) names the transaction
 * that placed or released it, set by default and by trigger: the placement API's views read the
 * changes on a device since a snapshot by it.
 */
@Entity({ name: 'expansion_extents' })
export class ExpansionExtentEntity {
  @PrimaryColumn({ name: 'expansion_id', type: 'uuid' })
  expansionId!: string;

  @PrimaryColumn({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @PrimaryColumn({ name: 'offset_gib', type: 'integer' })
  offsetGiB!: number;

  @Column({ name: 'size_gib', type: 'integer' })
  sizeGiB!: number;

  /**
   * `[offset,end)` as PostgreSQL prints it: a STORED generated column, so never written. Not
   * declared `generatedType` here: that makes TypeORM add a `typeorm_metadata` table of its own.
   */
  @Column({ type: 'int4range', insert: false, update: false })
  readonly span?: string;

  @Column({ type: 'boolean', default: true })
  live!: boolean;
}
