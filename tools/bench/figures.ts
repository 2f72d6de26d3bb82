/**
 * What `npm run bench` shows of each benchmark: its last JSON line mapped to rows of figures,
 * each with its target (from the bench's own `targets`, so a changed target shows up here) and
 * its same-run baseline. One small table of figures per known bench; any other `bench:*`
 * script gets its numeric top-level fields, so a new bench is never dropped from the table.
 */

export type BenchJson = Readonly<Record<string, unknown>>;

export interface FigureTarget {
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface FigureRow {
  readonly bench: string;
  /** The figure's path in the bench's JSON (`decisionsPerSec`, `rack64.p99Us`). */
  readonly figure: string;
  /** Null only on a failed bench's row. */
  readonly value: number | null;
  readonly unit: string;
  readonly target?: FigureTarget;
  readonly met?: boolean;
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value ÷ baseline (or the ratio the bench itself reports). */
  readonly ratio?: number;
  /** Why the bench gave no figures: its exit code, or that it printed no JSON. */
  readonly failed?: string;
}

interface FigureSpec {
  readonly path: string;
  readonly unit: string;
  /** Key of the bench's `targets` object, and which way the target points. */
  readonly target?: { readonly key: string; readonly op: FigureTarget['op'] };
  /** A fixed target relative to the same run (e.g. at least the baseline's acceptance). */
  readonly targetFrom?: { readonly path: string; readonly op: FigureTarget['op'] };
  readonly baseline?: { readonly name: string; readonly path: string };
  /** Where the bench reports the ratio itself; else value ÷ baseline. */
  readonly ratioPath?: string;
}

const NAIVE = 'naive first-fit (whole fleet)';
const BARE_BULLMQ = 'bare BullMQ worker, same Redis';

/** bench:placement: the engine on the region fleet (rack64 beside it) against the naive scan. */
const PLACEMENT: readonly FigureSpec[] = [
  { path: 'decisionsPerSec', unit: '/s', target: { key: 'decisionsPerSec', op: '>=' }, baseline: { name: NAIVE, path: 'baselineDecisionsPerSec' } },
  { path: 'p50Us', unit: 'µs' },
  { path: 'p99Us', unit: 'µs', target: { key: 'p99Us', op: '<=' } },
  { path: 'regionOverRack64', unit: '×', target: { key: 'regionOverRack64', op: '<=' } },
  { path: 'acceptance', unit: 'share', targetFrom: { path: 'baselineAcceptance', op: '>=' }, baseline: { name: NAIVE, path: 'baselineAcceptance' } },
  { path: 'strandedGiB', unit: 'GiB', targetFrom: { path: 'baselineStrandedGiB', op: '<=' }, baseline: { name: NAIVE, path: 'baselineStrandedGiB' } },
  { path: 'utilization', unit: 'share' },
  { path: 'rack64.decisionsPerSec', unit: '/s', baseline: { name: NAIVE, path: 'rack64.baselineDecisionsPerSec' } },
  { path: 'rack64.p99Us', unit: 'µs' },
];

/** bench:api: create-expansion POSTs against a real API process, beside PostgreSQL's floor. */
const API: readonly FigureSpec[] = [
  { path: 'placementsPerSec', unit: '/s', target: { key: 'placementsPerSec', op: '>=' }, baseline: { name: 'floor: BEGIN; INSERT; COMMIT', path: 'floorTxPerSec' }, ratioPath: 'ratio' },
  { path: 'requestsPerSec', unit: '/s' },
  { path: 'p50Ms', unit: 'ms' },
  { path: 'p99Ms', unit: 'ms', target: { key: 'p99Ms', op: '<=' }, baseline: { name: 'floor p99', path: 'floorP99Ms' } },
  { path: 'statusCounts.409', unit: 'requests' },
  { path: 'statusCounts.422', unit: 'requests' },
  { path: 'errors', unit: 'requests' },
  { path: 'timeouts', unit: 'requests' },
  { path: 'utilization', unit: 'share' },
  { path: 'machineBusyPct', unit: '%' },
];

/** bench:hotplug: sagas through API → outbox → BullMQ → worker → simulator, and their latency. */
const HOTPLUG: readonly FigureSpec[] = [
  { path: 'sagasPerSec', unit: '/s', target: { key: 'sagasPerSec', op: '>=' }, baseline: { name: BARE_BULLMQ, path: 'bareBullmqJobsPerSec' }, ratioPath: 'ratioToBareBullmq' },
  { path: 'sagasCompleted', unit: 'sagas' },
  { path: 'sagaPairsPerSec', unit: '/s' },
  { path: 'readyP50Ms', unit: 'ms' },
  { path: 'readyP99Ms', unit: 'ms' },
  { path: 'hostStepsP50Ms', unit: 'ms' },
  { path: 'overheadP50Ms', unit: 'ms' },
  { path: 'overheadP99Ms', unit: 'ms', target: { key: 'overheadP99Ms', op: '<=' }, baseline: { name: 'bare path, same bursts', path: 'bareOverheadP99Ms' }, ratioPath: 'overheadRatioToBare' },
  { path: 'overheadWithHostWaitP50Ms', unit: 'ms' },
  { path: 'overheadWithHostWaitP99Ms', unit: 'ms' },
  { path: 'overheadFromPostP99Ms', unit: 'ms' },
  { path: 'overheadBreakdownMs.decisionToBegin.p99', unit: 'ms' },
  { path: 'overheadBreakdownMs.handoff.p99', unit: 'ms' },
  { path: 'coldReadyP99Ms', unit: 'ms' },
  { path: 'coldOverheadP99Ms', unit: 'ms' },
  { path: 'sustained.readyP99Ms', unit: 'ms' },
  { path: 'sustained.overheadP99Ms', unit: 'ms' },
  { path: 'sustained.hotAddsPerSec', unit: '/s' },
  { path: 'machineBusyPct', unit: '%' },
];

/** bench:billing: usage events ingested, and one month invoiced, each beside its floor. */
const BILLING: readonly FigureSpec[] = [
  { path: 'ingestEventsPerSec', unit: '/s', target: { key: 'ingestEventsPerSec', op: '>=' }, baseline: { name: BARE_BULLMQ, path: 'ingestBaselineJobsPerSec' }, ratioPath: 'ingestRatio' },
  { path: 'invoiceMonthSeconds', unit: 's', target: { key: 'invoiceMonthSeconds', op: '<=' }, baseline: { name: 'one SQL sum per tenant', path: 'invoiceBaselineSeconds' }, ratioPath: 'invoiceRatio' },
  { path: 'invoiceRerateSeconds', unit: 's' },
  { path: 'invoices', unit: 'invoices' },
  { path: 'intervals', unit: 'intervals' },
  { path: 'events', unit: 'events' },
];

/** bench:replicas: the same trace through 2 APIs + 2 workers beside 1 + 1, invariants checked. */
const REPLICAS: readonly FigureSpec[] = [
  { path: 'twoByTwo.completedSagasPerSec', unit: '/s', baseline: { name: '1 API + 1 worker', path: 'oneByOne.completedSagasPerSec' }, ratioPath: 'sagasPerSecRatio' },
  { path: 'sagasPerSecRatio', unit: '×', target: { key: 'sagasPerSecRatio', op: '>=' } },
  { path: 'twoByTwo.readyP99Sec', unit: 's', baseline: { name: '1 API + 1 worker', path: 'oneByOne.readyP99Sec' } },
  { path: 'twoByTwo.operationsBegunTwice', unit: 'operations' },
  { path: 'twoByTwo.machineBusyPct', unit: '%' },
];

/** The benches whose figures are known, by script name. */
export const KNOWN_FIGURES: Readonly<Record<string, readonly FigureSpec[]>> = {
  'bench:placement': PLACEMENT,
  'bench:api': API,
  'bench:hotplug': HOTPLUG,
  'bench:billing': BILLING,
  'bench:replicas': REPLICAS,
};

/** The rows of one bench's JSON: its known figures, or every numeric top-level field. */
export function figureRows(bench: string, json: BenchJson): FigureRow[] {
  const specs = KNOWN_FIGURES[bench];
  if (specs === undefined) return fallbackRows(bench, json);
  return specs.flatMap((spec) => {
    const row = knownRow(bench, json, spec);
    return row === null ? [] : [row];
  });
}

/** The one row a bench that failed, or printed no JSON, leaves in the table. */
export function failedRow(bench: string, reason: string): FigureRow {
  return { bench, figure: '(no figures)', value: null, unit: '', met: false, failed: reason };
}

function knownRow(bench: string, json: BenchJson, spec: FigureSpec): FigureRow | null {
  const value = numberAt(json, spec.path);
  // A figure the bench did not print this time (an older bench, a skipped stage) is left out.
  if (value === null) return null;
  const target = targetOf(json, spec);
  const baselineValue = spec.baseline === undefined ? null : numberAt(json, spec.baseline.path);
  const baseline = spec.baseline === undefined || baselineValue === null ? undefined : { name: spec.baseline.name, value: baselineValue };
  const ratio = (spec.ratioPath === undefined ? null : numberAt(json, spec.ratioPath)) ?? (baseline === undefined ? null : ratioOf(value, baseline.value));
  return {
    bench,
    figure: spec.path,
    value,
    unit: spec.unit,
    ...(target === undefined ? {} : { target, met: meets(value, target) }),
    ...(baseline === undefined ? {} : { baseline }),
    ...(ratio === null ? {} : { ratio }),
  };
}

function targetOf(json: BenchJson, spec: FigureSpec): FigureTarget | undefined {
  if (spec.target !== undefined) {
    const value = numberAt(json, `targets.${spec.target.key}`);
    return value === null ? undefined : { op: spec.target.op, value };
  }
  if (spec.targetFrom !== undefined) {
    const value = numberAt(json, spec.targetFrom.path);
    return value === null ? undefined : { op: spec.targetFrom.op, value };
  }
  return undefined;
}

/**
 * An unknown bench: each finite numeric top-level field, its unit read from its name's suffix.
 * A field with a numeric `targets` entry gets it as target; the way it points comes from the
 * bench's own verdict (`met`, `pass` or `meetsTargets`) when that settles it, else from the unit
 * (rates at least, times at most); when neither does, the row has no target.
 */
export function fallbackRows(bench: string, json: BenchJson): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const row: FigureRow = { bench, figure: key, value, unit: unitFromName(key) };
    const targetValue = numberAt(json, `targets.${key}`);
    const op = targetValue === null ? null : (opFromVerdict(json, key, value, targetValue) ?? opFromUnit(row.unit));
    if (targetValue === null || op === null) rows.push(row);
    else rows.push({ ...row, target: { op, value: targetValue }, met: meets(value, { op, value: targetValue }) });
  }
  return rows;
}

const UNIT_SUFFIXES: readonly [RegExp, string][] = [
  [/PerSec$/, '/s'],
  [/Us$/, 'µs'],
  [/Ms$/, 'ms'],
  [/(Seconds|Sec)$/, 's'],
  [/GiB$/, 'GiB'],
  [/Pct$/, '%'],
  [/(Ratio|^ratio)$/, '×'],
];

export function unitFromName(key: string): string {
  return UNIT_SUFFIXES.find(([pattern]) => pattern.test(key))?.[1] ?? '';
}

function opFromUnit(unit: string): FigureTarget['op'] | null {
  if (unit === '/s') return '>=';
  if (unit === 'µs' || unit === 'ms' || unit === 's') return '<=';
  return null;
}

/** The op under which the bench's own verdict for `key` holds, when only one of them does. */
function opFromVerdict(json: BenchJson, key: string, value: number, target: number): FigureTarget['op'] | null {
  const verdict = ['met', 'pass', 'meetsTargets'].map((name) => valueAt(json, `${name}.${key}`)).find((v) => typeof v === 'boolean');
  if (typeof verdict !== 'boolean') return null;
  const atLeast = value >= target === verdict;
  const atMost = value <= target === verdict;
  if (atLeast === atMost) return null;
  return atLeast ? '>=' : '<=';
}

export function meets(value: number, target: FigureTarget): boolean {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

function ratioOf(value: number, baseline: number): number | null {
  return baseline === 0 ? null : Math.round((value / baseline) * 1000) / 1000;
}

function valueAt(json: BenchJson, path: string): unknown {
  let at: unknown = json;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function numberAt(json: BenchJson, path: string): number | null {
  const value = valueAt(json, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
