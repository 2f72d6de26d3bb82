import type { HotplugJobName } from '@mxs/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `superseded`: the expansion moved on (removed before its hot-add ran) and the saga had nothing to do. */
export type OperationState = 'pending' | 'running' | 'compensating' | 'done' | 'failed' | 'superseded';

/** What one step left behind: kept in `checkpoint.steps[name]` once it is done. */
export interface StepRecord {
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly attempts: number;
  readonly errors: readonly string[];
  /**
   * Its place in its saga's steps (0 first). A checkpoint section is a jsonb object, which keeps
   * no order, and steps at time scale 0 finish within the same millisecond: this orders them.
   * Absent from records written before it was kept.
   */
  readonly position?: number;
}

/** Where a saga stands: the worker writes it step by step; operators read it (the console's saga view). */
export interface OperationCheckpoint {
  readonly steps?: Readonly<Record<string, StepRecord>>;
  /** Steps undone by the compensation, once each. */
  readonly undone?: Readonly<Record<string, StepRecord>>;
  readonly failure?: string;
  /** An operator's force-release: the hot-remove is the fabric's forced release alone. */
  readonly force?: boolean;
}

/** A hot-plug saga's durable state: the worker resumes from `step` and `checkpoint` after a crash. */
@Entity({ name: 'operations' })
export class OperationEntity {
  /** Also the BullMQ job id and the outbox row id, so a job maps to exactly one operation. */
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id!: string;

  @Column({ name: 'expansion_id', type: 'uuid' })
  expansionId!: string;

  @Column({ type: 'text' })
  kind!: HotplugJobName;

  @Column({ type: 'text', default: 'pending' })
  state!: OperationState;

  @Column({ type: 'text', nullable: true })
  step!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  checkpoint!: OperationCheckpoint;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
