import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Closer } from '@mxs/service-kit';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Queued } from './batcher';
import { Batcher } from './batcher';
import { OutboxMetrics } from './outbox-metrics';
import { QueueSet, isQueueName } from './queues';

export const OUTBOX_CHANNEL = 'mxs_outbox';
const BATCH = 500;
const POLL_MS = 1_000;
/** How long a kick waits, so the commits of a busy moment go out in one batch. */
const KICK_DELAY_MS = 10;
const MAX_BACKOFF_MS = 10_000;
const ADD_TIMEOUT_MS = 3_000;
const RETENTION = '1 day';
/**
 * How long relays leave a row to the writer that puts it on its queue itself (publishNow): a
 * writer that died meanwhile has its rows relayed after this, at the next poll. Longer than a
 * writer takes to add and mark its rows even in bench:hotplug's bursts (100 ms was not: relays
 * then added 276 of 1,400 jobs a second time), so relays rarely add a job twice.
 */
const OWN_PUBLISH_MS = 1_000;
/** Rows on their queues: by a relay pass, or by publishNow (which a pass may have beaten). */
const MARK_SENT = `UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::uuid[]) AND published_at IS NULL`;

export interface RelayOptions {
  readonly databaseUrl: string;
  /** Off in processes that only write to the outbox (tests of the write path). */
  readonly enabled: boolean;
}

export const RELAY_OPTIONS = Symbol('RELAY_OPTIONS');

/**
 * An outbox row's `relay_after` in a writer's SQL: `param` (a statement parameter holding
 * OutboxRelay.ownPublishMs) milliseconds from the commit, or null when the parameter is null.
 */
export function relayAfterSql(param: string): string {
  return `clock_timestamp() + ${param}::int * interval '1 millisecond'`;
}

/** A row its writer has just committed, as the relay would send it. */
export interface CommittedRow {
  readonly id: string;
  readonly queue: string;
  readonly jobName: string;
  readonly payload: unknown;
}

interface OutboxRow extends CommittedRow {
  /** Rows of the same expansions wait behind these: the next pass may send them. */
  readonly held_back: boolean;
}

/**
 * Moves committed outbox rows to BullMQ, with job id = row id, so a row relayed twice (a crash
 * between the add and the mark) is still one job. Rows are claimed with SKIP LOCKED, so any
 * number of API replicas relay side by side. While Redis is away the rows wait; nothing is lost.
 *
 * Rows are relayed in the order they were committed per queue and `payload.expansionId` (see
 * relayBatch): a hot-remove never reaches the hotplug queue before its hot-add, nor an
 * expansion's `released` usage event before its `activated`. Queues are consumed apart, so
 * there is no order between them to keep.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap {
  private readonly log = new Logger(OutboxRelay.name);
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private dueAtMs = 0;
  private stopped = false;
  private failures = 0;
  private lastSweepMs = 0;
  private wakeDue = false;
  private readonly metrics: OutboxMetrics;
  /** Rows sent by publishNow, marked sent a statement for many. */
  private readonly marks = new Batcher<string, void>({ maxBatch: BATCH, maxInFlight: 1 }, (batch) => this.markSent(batch));

  constructor(
    private readonly db: DataSource,
    private readonly queues: QueueSet,
    @Inject(RELAY_OPTIONS) private readonly options: RelayOptions,
    registry: Registry,
    closer: Closer,
  ) {
    this.metrics = OutboxMetrics.on(registry, () => this.backlog());
    // Stopped with the workers, before the queues and the pool it uses are closed.
    closer.add('workers', 'outbox relay', () => this.stop());
  }

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    void this.listen();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * Something was just committed to the outbox: relay it now rather than at the next poll, or,
   * in a process that does not relay, wake the relays that LISTEN elsewhere.
   */
  kick(): void {
    if (this.stopped) return;
    if (!this.options.enabled) return this.wakeOthers();
    if (this.running !== null) {
      this.again = true;
      return;
    }
    // While backing off from a failure the scheduled retry takes it; otherwise go soon, but
    // let the rows of a busy moment gather into one batch rather than a pass per commit.
    if (this.failures > 0 || (this.timer !== null && this.dueAtMs <= Date.now() + KICK_DELAY_MS)) return;
    this.schedule(KICK_DELAY_MS);
  }

  /**
   * Puts rows its caller has just committed on their queues at once, without waiting for a
   * relay pass, then marks them sent. Only for rows with no older unsent row of their expansion
   * on their queue (a placement's hot-add; a hot-remove once its hot-add is sent), so the order
   * rule holds, and committed with `relay_after` (ownPublishMs) so that relay passes leave them
   * alone meanwhile. Anything that goes wrong gives the rows back to the relays: a row sent by
   * both is still one job (job id = row id). A relay pass is five round trips on a process busy
   * with requests: in bench:hotplug's bursts it put 60–115 ms between a placement's commit and
   * its job.
   */
  publishNow(rows: readonly CommittedRow[]): void {
    if (rows.length === 0) return;
    // A process that does not relay committed them as the relays' already (ownPublishMs).
    if (!this.options.enabled) return this.kick();
    if (this.stopped) return void this.giveBack(rows);
    void this.sendNow(rows).catch(() => this.giveBack(rows));
  }

  /**
   * For a writer about to commit rows it will publishNow: how long relays should leave them to
   * it (the rows' `relay_after`, from now), or null when this process does not publish and the
   * relays should take them at once.
   */
  ownPublishMs(): number | null {
    return this.options.enabled && !this.stopped ? OWN_PUBLISH_MS : null;
  }

  /** Rows publishNow could not send go to the relays now, not when their writer's time is up. */
  private async giveBack(rows: readonly CommittedRow[]): Promise<void> {
    await this.db.query(`UPDATE outbox SET relay_after = NULL WHERE id = ANY($1::uuid[]) AND published_at IS NULL`, [rows.map((r) => r.id)]).catch(() => undefined);
    this.kick();
  }

  private async sendNow(rows: readonly CommittedRow[]): Promise<void> {
    await this.addToQueues(rows, () => undefined);
    this.metrics.relayed(rows.length);
    await Promise.all(rows.map((r) => this.marks.submit(r.id)));
  }

  /**
   * Adds rows to their queues, job id = row id; `sent` hears of each queue's group once all of
   * it went. Each row is an add of its own, sent at once on the shared connection, rather than
   * an addBulk: a bulk builds an ioredis pipeline, which copies each of BullMQ's 52 scripts onto
   * itself, and a bulk of one cost its caller three times an add (160–270 against 50–90 µs of
   * CPU); the relays' groups are a few rows. A bulk was not atomic either: some of a failed
   * group may be on the queue, and go again harmlessly (job id = row id).
   */
  private async addToQueues(rows: readonly CommittedRow[], sent: (ids: string[]) => void): Promise<void> {
    for (const [queue, group] of groupByQueue(rows)) {
      if (!isQueueName(queue)) throw new Error(`outbox row for unknown queue "${queue}"`);
      const target = this.queues.get(queue);
      await withTimeout(Promise.all(group.map((r) => target.add(r.jobName, r.payload, { jobId: r.id }))), ADD_TIMEOUT_MS);
      sent(group.map((r) => r.id));
    }
  }

  private async markSent(batch: readonly Queued<string, void>[]): Promise<void> {
    await this.db.query(MARK_SENT, [batch.map((q) => q.item)]);
    for (const q of batch) q.resolve();
  }

  /**
   * One NOTIFY for the commits of a moment, in a transaction of its own: PostgreSQL commits
   * notifying transactions one at a time, so the writers' own transactions must not notify.
   * A lost notice costs a poll interval.
   */
  private wakeOthers(): void {
    if (this.wakeDue) return;
    this.wakeDue = true;
    setTimeout(() => {
      this.wakeDue = false;
      if (!this.stopped) this.db.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]).catch(() => undefined);
    }, KICK_DELAY_MS).unref();
  }

  /**
   * Passes until nothing more can go now: after a full batch, and after a pass that sent the
   * older row of an expansion whose next row waited behind it. Returns how many rows went out.
   */
  async relayAll(): Promise<number> {
    let total = 0;
    let pass: Pass;
    do {
      pass = await this.relayBatch();
      total += pass.sent;
      this.metrics.relayed(pass.sent);
      if (this.failures > 0) this.log.log(`outbox relay recovered after ${this.failures} failed pass(es)`);
      // Any pass that reached Redis ends the streak, even with nothing to send (another
      // replica may have relayed the backlog): otherwise kicks stay ignored for good.
      this.failures = 0;
    } while ((pass.sent === BATCH || pass.heldBack) && !this.stopped);
    return total;
  }

  /** One pass: relays up to a batch and returns how many rows went out. */
  async relayOnce(): Promise<number> {
    return (await this.relayBatch()).sent;
  }

  private async relayBatch(): Promise<Pass> {
    const result = await this.db.transaction(async (m) => {
      // A plain index scan of the unsent rows, never a bitmap scan: each row the relay marks sent
      // leaves an entry in outbox_pending until VACUUM, and only an index scan marks the entries
      // of dead rows as it passes them so the next pass skips them. With bitmap scans every pass
      // read every row sent since the last VACUUM, 2 ms a pass within bench:hotplug's 20 s.
      await m.query(`SET LOCAL enable_bitmapscan = off`);
      const rows: OutboxRow[] = await m.query(
        // A row waits while an older row of the same expansion on the same queue is unsent
        // (perhaps being relayed by another replica, or left to its writer): a hot-remove must
        // never reach the queue before its hot-add. Only each such line's oldest unsent row is a
        // candidate, found in one pass over the unsent rows, and only once no writer publishes
        // it itself (relay_after); the oldest are then locked by key, each skipped if another
        // relay holds it.
        `WITH pending AS MATERIALIZED (
           SELECT id, created_at, relay_after, queue || ' ' || coalesce(payload->>'expansionId', id::text) AS x FROM outbox
           WHERE published_at IS NULL ORDER BY created_at LIMIT $2
         ), first AS (
           SELECT DISTINCT ON (x) id, created_at, relay_after FROM pending ORDER BY x, created_at
         ), chosen AS MATERIALIZED (
           SELECT id, created_at FROM first WHERE relay_after IS NULL OR relay_after <= clock_timestamp() ORDER BY created_at LIMIT $1
         )
         SELECT o.id, o.queue, o.job_name AS "jobName", o.payload, (SELECT count(*) FROM pending) > (SELECT count(*) FROM first) AS held_back FROM chosen f
         CROSS JOIN LATERAL (
           SELECT o.id, o.queue, o.job_name, o.payload FROM outbox o WHERE o.id = f.id AND o.published_at IS NULL FOR UPDATE SKIP LOCKED OFFSET 0
         ) AS o
         ORDER BY f.created_at`,
        [BATCH, BATCH * 2],
      );
      const sent: string[] = [];
      let failure: string | null = null;
      try {
        await this.addToQueues(rows, (ids) => sent.push(...ids));
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
        const unsent = rows.filter((r) => !sent.includes(r.id)).map((r) => r.id);
        await m.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::uuid[])`, [unsent, failure.slice(0, 500)]);
      }
      if (sent.length > 0) await m.query(MARK_SENT, [sent]);
      return { sent: sent.length, heldBack: sent.length > 0 && rows.some((r) => r.held_back), failure };
    });
    if (result.failure !== null) throw new RelayError(result.failure, result.sent);
    return result;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.dueAtMs = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async pass(): Promise<void> {
    let next = POLL_MS;
    try {
      this.again = false;
      await this.relayAll();
      if (this.again) next = KICK_DELAY_MS;
      await this.sweep();
    } catch (error) {
      this.failures++;
      next = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** Math.min(this.failures, 4));
      if (error instanceof RelayError) this.metrics.relayed(error.sent);
      // Once per outage is enough in the logs; the lag metric tells how long it lasts.
      if (this.failures === 1) this.log.warn(`outbox relay failed, retrying: ${(error as Error).message}`);
    }
    this.schedule(next);
  }

  /** Relayed rows are kept a day for audits, then dropped. */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweepMs < 600_000) return;
    this.lastSweepMs = Date.now();
    await this.db.query(`DELETE FROM outbox WHERE published_at < now() - interval '${RETENTION}'`);
  }

  private async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 AS age FROM outbox WHERE published_at IS NULL`,
    )) as { pending: number; age: number }[];
    return { pending: row?.pending ?? 0, oldestAgeSeconds: row?.age ?? 0 };
  }

  /** LISTEN makes a relay react within milliseconds to rows another replica committed. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: 'mxs-outbox-listener' });
    client.on('notification', () => this.kick());
    client.on('error', () => {
      this.listener = null;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.listen(), POLL_MS).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.listener = client;
    } catch (error) {
      this.log.warn(`outbox LISTEN unavailable, polling every ${POLL_MS} ms: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.listen(), POLL_MS * 5).unref();
    }
  }
}

/** What one pass did: rows sent, and whether rows of their expansions wait behind them. */
interface Pass {
  readonly sent: number;
  readonly heldBack: boolean;
}

class RelayError extends Error {
  constructor(
    message: string,
    readonly sent: number,
  ) {
    super(message);
  }
}

function groupByQueue(rows: readonly CommittedRow[]): Map<string, CommittedRow[]> {
  const groups = new Map<string, CommittedRow[]>();
  for (const r of rows) {
    const group = groups.get(r.queue);
    if (group === undefined) groups.set(r.queue, [r]);
    else group.push(r);
  }
  return groups;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
