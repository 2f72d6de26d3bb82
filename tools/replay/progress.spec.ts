/// <reference types="jest" />
import type { ProgressStream } from './progress';
import { ProgressBar } from './progress';

/** A writable that keeps what was written: the progress bar's real output, read back. */
class CapturedStream implements ProgressStream {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
  get text(): string {
    return this.writes.join('');
  }
}

/** A clock the test moves by hand. */
function manualClock(startMs = 1_000_000): { nowMs: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { nowMs: () => t, advance: (ms) => (t += ms) };
}

describe('ProgressBar on a terminal', () => {
  it('redraws one line in place with the bar, percent, counts, elapsed time and ETA', () => {
    const out = new CapturedStream(true, 200);
    const clock = manualClock();
    const phase = new ProgressBar(out, { nowMs: clock.nowMs }).phase('mxs (engine)');
    clock.advance(4000);
    phase.update(250, 1000);
    expect(out.writes).toHaveLength(1);
    const line = out.writes[0] ?? '';
    expect(line.startsWith('\rmxs (engine) [')).toBe(true);
    expect(line).toContain('██████░░░░░░░░░░░░░░░░░░]');
    expect(line).toContain(' 25% 250/1000 4.0s ETA 12.0s');
    expect(line).not.toContain('\n');
  });

  it('draws at most once per 100 ms of its clock however often the replay reports', () => {
    const out = new CapturedStream(true);
    const clock = manualClock();
    const phase = new ProgressBar(out, { nowMs: clock.nowMs }).phase('first-fit (engine)');
    for (let done = 1; done <= 500; done++) phase.update(done, 1000);
    expect(out.writes).toHaveLength(1);
    clock.advance(99);
    phase.update(600, 1000);
    expect(out.writes).toHaveLength(1);
    clock.advance(1);
    phase.update(700, 1000);
    expect(out.writes).toHaveLength(2);
    expect(out.writes[1]).toContain(' 70% 700/1000');
  });

  it('ends the phase with the full bar and a new line, and ignores reports after that', () => {
    const out = new CapturedStream(true);
    const clock = manualClock();
    const phase = new ProgressBar(out, { nowMs: clock.nowMs }).phase('pooling study (mxs)');
    phase.update(10, 40);
    clock.advance(2500);
    phase.finish();
    const last = out.writes[out.writes.length - 1] ?? '';
    expect(last).toContain(`[${'█'.repeat(24)}] 100% 40/40 2.5s done`);
    expect(last.endsWith('\n')).toBe(true);
    const count = out.writes.length;
    clock.advance(1000);
    phase.update(20, 40);
    phase.finish();
    expect(out.writes).toHaveLength(count);
  });

  it('cuts the line to the terminal width, so a redraw never wraps', () => {
    const out = new CapturedStream(true, 30);
    const phase = new ProgressBar(out, { nowMs: manualClock().nowMs }).phase('a rather long phase label');
    phase.update(1, 3);
    const drawn = (out.writes[0] ?? '').replace('\r', '').replace('\u001b[K', '');
    expect(drawn).toHaveLength(29);
  });
});

describe('ProgressBar in a log (not a TTY)', () => {
  it('writes a plain line at each tenth and one when done, never a carriage return', () => {
    const out = new CapturedStream(false);
    const clock = manualClock();
    const phase = new ProgressBar(out, { nowMs: clock.nowMs }).phase('mxs (engine)');
    for (let done = 0; done <= 1000; done++) {
      clock.advance(10);
      phase.update(done, 1000);
    }
    phase.finish();
    const lines = out.text.trimEnd().split('\n');
    expect(lines.map((l) => /: (\d+)%/.exec(l)?.[1])).toEqual(['0', '10', '20', '30', '40', '50', '60', '70', '80', '90', undefined]);
    expect(lines[3]).toBe('mxs (engine): 30% (300/1000), 3.0s elapsed');
    expect(lines[10]).toBe('mxs (engine): done 1000/1000 in 10.0s');
    expect(out.text).not.toContain('\r');
  });

  it('labels each phase on its own lines', () => {
    const out = new CapturedStream(false);
    const bar = new ProgressBar(out, { nowMs: manualClock().nowMs });
    for (const label of ['mxs (engine)', 'first-fit (engine)', 'pooling study (mxs)']) {
      const phase = bar.phase(label);
      phase.update(5, 5);
      phase.finish();
    }
    expect(out.text).toBe('mxs (engine): done 5/5 in 0 ms\nfirst-fit (engine): done 5/5 in 0 ms\npooling study (mxs): done 5/5 in 0 ms\n');
  });
});
