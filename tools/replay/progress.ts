import { formatDurationSec } from './format';

/** Where the bar is drawn: stderr in the CLI, a fake stream in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Milliseconds on any monotonic clock; elapsed time and ETA are read from it. */
  readonly nowMs: () => number;
  /** Least time between two redraws on a terminal (default 100: at most 10 a second). */
  readonly minRedrawMs?: number;
}

const BAR_WIDTH = 24;
const ERASE_TO_END = '\u001b[K';

/**
 * Progress of a replay on stderr, one labelled phase after another (each policy, the pooling
 * study). On a terminal one line is redrawn in place; in a log (not a TTY) a plain line is
 * written at every tenth, so CI output stays short and readable.
 */
export class ProgressBar {
  constructor(
    private readonly stream: ProgressStream,
    private readonly options: ProgressOptions,
  ) {}

  phase(label: string): ProgressPhase {
    return new ProgressPhase(label, this.stream, this.options);
  }
}

export class ProgressPhase {
  private readonly startedMs: number;
  private readonly tty: boolean;
  private lastDrawMs: number | null = null;
  private lastTenth = -1;
  private done = 0;
  private total = 0;
  private finished = false;

  constructor(
    readonly label: string,
    private readonly stream: ProgressStream,
    private readonly options: ProgressOptions,
  ) {
    this.startedMs = options.nowMs();
    this.tty = stream.isTTY === true;
  }

  /** `(done, total)` as the replay reports it; an arrow so it can be handed over as `onProgress`. */
  readonly update = (done: number, total: number): void => {
    if (this.finished) return;
    this.done = Math.max(0, Math.min(done, total));
    this.total = Math.max(0, total);
    const nowMs = this.options.nowMs();
    if (this.tty) {
      const minRedrawMs = this.options.minRedrawMs ?? 100;
      if (this.lastDrawMs !== null && nowMs - this.lastDrawMs < minRedrawMs) return;
      this.lastDrawMs = nowMs;
      this.stream.write(`\r${this.fit(this.barLine(nowMs))}${ERASE_TO_END}`);
      return;
    }
    if (this.done >= this.total) return; // finish() writes the closing line
    const tenth = Math.floor((this.done * 10) / this.total);
    if (tenth <= this.lastTenth) return;
    this.lastTenth = tenth;
    this.stream.write(`${this.label}: ${tenth * 10}% (${this.done}/${this.total}), ${formatDurationSec((nowMs - this.startedMs) / 1000)} elapsed\n`);
  };

  /** The phase is over: the final state, then a new line. Later calls do nothing. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const nowMs = this.options.nowMs();
    const took = formatDurationSec((nowMs - this.startedMs) / 1000);
    const counts = this.total > 0 ? ` ${this.total}/${this.total}` : '';
    if (this.tty) {
      this.done = this.total;
      this.stream.write(`\r${this.fit(this.barLine(nowMs))}${ERASE_TO_END}\n`);
    } else {
      this.stream.write(`${this.label}: done${counts} in ${took}\n`);
    }
  }

  private barLine(nowMs: number): string {
    const fraction = this.total === 0 ? (this.finished ? 1 : 0) : this.done / this.total;
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsedSec = (nowMs - this.startedMs) / 1000;
    const left = this.total - this.done;
    const eta = this.finished ? 'done' : this.done === 0 ? 'ETA ?' : `ETA ${formatDurationSec((elapsedSec * left) / this.done)}`;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    return `${this.label} [${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${percent} ${this.done}/${this.total} ${formatDurationSec(elapsedSec)} ${eta}`;
  }

  /** A line longer than the terminal would wrap, and `\r` would then redraw only its tail. */
  private fit(line: string): string {
    const columns = this.stream.columns;
    return columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
  }
}
