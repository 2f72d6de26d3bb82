/**
 * One hot-plug per host inside this process, without polling: sagas for a busy host wait their
 * turn in order. The database lease still arbitrates between processes; this only keeps a
 * process from asking PostgreSQL and Redis again and again for a host it is itself busy with.
 */
export class HostTurns {
  private readonly hosts = new Map<string, { tail: Promise<void>; queued: number }>();

  /** `maxQueued`: the holder and its waiters; past it a caller is told to come back later. */
  constructor(private readonly maxQueued: number) {}

  /** Resolves a release function once it is this caller's turn; null when the line is full. */
  async take(hostId: string): Promise<(() => void) | null> {
    const host = this.hosts.get(hostId) ?? { tail: Promise.resolve(), queued: 0 };
    if (host.queued >= this.maxQueued) return null;
    host.queued++;
    this.hosts.set(hostId, host);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = host.tail;
    host.tail = previous.then(() => mine);
    await previous;
    return () => {
      host.queued--;
      if (host.queued === 0 && this.hosts.get(hostId) === host) this.hosts.delete(hostId);
      release();
    };
  }

  /** Sagas holding or waiting for a turn on the host, in this process. */
  queuedOn(hostId: string): number {
    return this.hosts.get(hostId)?.queued ?? 0;
  }
}
