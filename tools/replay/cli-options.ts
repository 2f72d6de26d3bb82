/**
 * The small option reader the replay tools share: `--name value`, `--name=value` and switches,
 * every problem reported as one sentence (the CLIs print it and exit 2).
 */
export type OptionKind = 'value' | 'switch';

export interface ReadOptions {
  /** Every value given for an option that takes one, in order (repeats allowed). */
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<string>;
}

/** A bad command line: the message is what the user reads. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function readOptions(argv: readonly string[], known: Readonly<Record<string, OptionKind>>): ReadOptions {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) throw new UsageError(`unexpected argument "${arg}": every input is named (for example --trace FILE)`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = Object.hasOwn(known, name) ? known[name] : undefined;
    if (kind === undefined) throw new UsageError(`unknown option ${name}; known: ${Object.keys(known).join(', ')}`);
    if (kind === 'switch') {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      switches.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      // A following option is not a value: `--trace --fleet x` forgot the file.
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`${name} needs a value`);
      i++;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, switches };
}

/** The last value given for `name` (a later one overrides an earlier one). */
export function lastValue(options: ReadOptions, name: string): string | undefined {
  const all = options.values.get(name);
  return all === undefined ? undefined : all[all.length - 1];
}

export function integerOption(options: ReadOptions, name: string, fallback: number, min: number): number {
  const text = lastValue(options, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} takes a whole number >= ${min}, got "${text}"`);
  return n;
}

export function positiveNumberOption(options: ReadOptions, name: string, fallback: number): number {
  const text = lastValue(options, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${name} takes a number > 0, got "${text}"`);
  return n;
}

export function nonNegativeNumberOption(options: ReadOptions, name: string): number | undefined {
  const text = lastValue(options, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${name} takes a number >= 0, got "${text}"`);
  return n;
}

/** An I/O error's own words (its `message`; errors from another realm fail `instanceof Error`). */
export function messageOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : String(error);
}
