import type { ExpansionState } from '@mxs/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One step of an expansion's life, kept so its timeline can be shown and measured. */
@Entity({ name: 'expansion_transitions' })
export class ExpansionTransitionEntity {
  /** bigint: node-postgres returns it as a string so no precision is lost. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'expansion_id', type: 'uuid' })
  expansionId!: string;

  /** Null for the first row: the expansion came into being. */
  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: ExpansionState | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: ExpansionState;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  at!: Date;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail!: Record<string, unknown> | null;
}
