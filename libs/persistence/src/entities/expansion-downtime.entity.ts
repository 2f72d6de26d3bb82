import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A stretch of time an expansion was unusable (a device or switch on its path failed). */
@Entity({ name: 'expansion_downtime' })
export class ExpansionDowntimeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'expansion_id', type: 'uuid' })
  expansionId!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  /** Open (null) while the outage lasts. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'text' })
  reason!: string;
}
