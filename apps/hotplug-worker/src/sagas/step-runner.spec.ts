/// <reference types="jest" />
import { HostAgentError } from '@mxs/host-agent';
import type { Progress } from '@mxs/host-agent';
import type { Step, StepTiming } from './step-runner';
import { SagaStop, runStep } from './step-runner';

/** A clock that moves only when the runner sleeps or an agent call takes time. */
function virtualTiming(): StepTiming & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    advance: (ms) => (now += ms),
    sleep: async (ms) => {
      now += ms;
    },
    pollWaitMs: 1_000,
    backoff: (attempt) => 100 * attempt,
  };
}

const step = (run: Step['run'], deadlineMs = 10_000): Step => ({ name: 'host-offline', run, deadlineMs });

describe('runStep', () => {
  it('returns at once when the agent says done, with one attempt', async () => {
    const record = await runStep(step(async () => ({ done: true })), new AbortController().signal, virtualTiming(), () => undefined);
    expect(record).toMatchObject({ attempts: 1, errors: [] });
  });

  it('retries transient failures with back-off and keeps their codes', async () => {
    let calls = 0;
    const retried: string[] = [];
    const record = await runStep(
      step(async () => {
        if (++calls < 3) throw new HostAgentError('ebusy', 'pinned pages');
        return { done: true };
      }),
      new AbortController().signal,
      virtualTiming(),
      (code) => retried.push(code),
    );
    expect(record.attempts).toBe(3);
    expect(retried).toEqual(['ebusy', 'ebusy']);
    expect(record.durationMs).toBe(100 + 200);
  });

  it('gives up on a transient failure at the deadline, saying what kept failing', async () => {
    const run = runStep(step(async () => { throw new HostAgentError('ebusy', 'pinned pages'); }, 1_000), new AbortController().signal, virtualTiming(), () => undefined);
    await expect(run).rejects.toMatchObject({ kind: 'deadline', step: 'host-offline' });
    await expect(run).rejects.toThrow(/pinned pages/);
  });

  it('stops at once on a permanent failure', async () => {
    let calls = 0;
    const run = runStep(step(async () => { calls++; throw new HostAgentError('enomem', 'no memory for the memmap'); }), new AbortController().signal, virtualTiming(), () => undefined);
    await expect(run).rejects.toBeInstanceOf(SagaStop);
    await expect(run).rejects.toMatchObject({ kind: 'permanent' });
    expect(calls).toBe(1);
  });

  it('polls a long step until done, long-polling within the time left', async () => {
    const timing = virtualTiming();
    const waits: number[] = [];
    let polls = 0;
    const record = await runStep(
      step(async (o): Promise<Progress> => {
        waits.push(o.waitMs ?? -1);
        timing.advance(o.waitMs ?? 0);
        return ++polls < 3 ? { done: false, detail: 'onlining blocks' } : { done: true };
      }, 2_500),
      new AbortController().signal,
      timing,
      () => undefined,
    );
    expect(record.attempts).toBe(3);
    expect(waits[0]).toBe(1_000);
    expect(waits[2]).toBeLessThan(1_000);
  });

  it('a step that never finishes ends at its deadline with what it waited for', async () => {
    const timing = virtualTiming();
    const run = runStep(step(async (o) => { timing.advance(o.waitMs ?? 0); return { done: false, detail: 'block 7 will not go offline' }; }, 3_000), new AbortController().signal, timing, () => undefined);
    await expect(run).rejects.toThrow(/block 7 will not go offline/);
  });

  it('a shutdown interrupts between calls, not in the middle of one', async () => {
    const shutdown = new AbortController();
    let calls = 0;
    const run = runStep(step(async () => { calls++; shutdown.abort(); throw new HostAgentError('host-down', 'rebooting'); }), shutdown.signal, virtualTiming(), () => undefined);
    await expect(run).rejects.toMatchObject({ kind: 'interrupted' });
    expect(calls).toBe(1);
  });
});
