/// <reference types="jest" />
import type { BenchJson, FigureRow } from './figures';
import { KNOWN_FIGURES, failedRow, fallbackRows, figureRows, unitFromName } from './figures';
import { API_SAMPLE, BILLING_SAMPLE, HOTPLUG_SAMPLE, PLACEMENT_SAMPLE, REPLICAS_SAMPLE } from './figures-samples';
import { formatNumber, formatTable } from './figures-table';

const samples: Record<string, BenchJson> = {
  'bench:placement': JSON.parse(PLACEMENT_SAMPLE) as BenchJson,
  'bench:api': JSON.parse(API_SAMPLE) as BenchJson,
  'bench:hotplug': JSON.parse(HOTPLUG_SAMPLE) as BenchJson,
  'bench:billing': JSON.parse(BILLING_SAMPLE) as BenchJson,
  'bench:replicas': JSON.parse(REPLICAS_SAMPLE) as BenchJson,
};

function at(json: BenchJson, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), json);
}

function without(json: BenchJson, key: string): BenchJson {
  return Object.fromEntries(Object.entries(json).filter(([k]) => k !== key));
}

function row(rows: readonly FigureRow[], figure: string): FigureRow | undefined {
  return rows.find((r) => r.figure === figure);
}

describe('figureRows on the recorded samples', () => {
  it('has a sample for every bench it knows, and each known figure is in its sample', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(KNOWN_FIGURES).sort());
    for (const [bench, json] of Object.entries(samples)) {
      expect({ bench, figures: figureRows(bench, json).map((r) => r.figure) }).toEqual({ bench, figures: KNOWN_FIGURES[bench]?.map((s) => s.path) });
    }
  });

  it('takes each value from its path and each target from the bench\'s own targets', () => {
    for (const [bench, json] of Object.entries(samples)) {
      for (const r of figureRows(bench, json)) {
        expect({ bench, figure: r.figure, value: r.value }).toEqual({ bench, figure: r.figure, value: at(json, r.figure) });
        const own = at(json, `targets.${r.figure}`);
        if (typeof own === 'number') expect({ figure: r.figure, target: r.target?.value }).toEqual({ figure: r.figure, target: own });
      }
    }
  });

  it('agrees with each bench\'s own verdict on its targets', () => {
    const verdicts: [string, string][] = [['bench:placement', 'pass'], ['bench:api', 'met'], ['bench:hotplug', 'meetsTargets'], ['bench:billing', 'met']];
    for (const [bench, field] of verdicts) {
      const json = samples[bench] as BenchJson;
      const rows = figureRows(bench, json);
      for (const [key, verdict] of Object.entries(json[field] as Record<string, boolean>)) {
        // placement's `acceptance` verdict is acceptance and stranding both at least the baseline's.
        const met = key === 'acceptance' ? row(rows, 'acceptance')?.met === true && row(rows, 'strandedGiB')?.met === true : row(rows, key)?.met;
        expect({ bench, key, met }).toEqual({ bench, key, met: verdict });
      }
    }
  });

  it('puts the same-run baseline and ratio beside the headline figures', () => {
    const placement = figureRows('bench:placement', samples['bench:placement'] as BenchJson);
    expect(row(placement, 'decisionsPerSec')).toEqual({
      bench: 'bench:placement', figure: 'decisionsPerSec', value: 134879, unit: '/s',
      target: { op: '>=', value: 100000 }, met: true,
      baseline: { name: 'naive first-fit (whole fleet)', value: 5043 }, ratio: 26.746,
    });
    expect(row(placement, 'strandedGiB')).toMatchObject({ target: { op: '<=', value: 2322 }, met: true, ratio: 0.552 });
    const api = figureRows('bench:api', samples['bench:api'] as BenchJson);
    // The bench's own ratio is kept rather than computed again.
    expect(row(api, 'placementsPerSec')).toMatchObject({ value: 419, met: false, baseline: { name: 'floor: BEGIN; INSERT; COMMIT', value: 3319 }, ratio: 0.126 });
    expect(row(api, 'p99Ms')).toMatchObject({ value: 242.71, target: { op: '<=', value: 50 }, met: false, baseline: { value: 26.2 }, ratio: 9.264 });
    const hotplug = figureRows('bench:hotplug', samples['bench:hotplug'] as BenchJson);
    expect(row(hotplug, 'sagasPerSec')).toMatchObject({ value: 279.2, baseline: { name: 'bare BullMQ worker, same Redis', value: 10352 }, ratio: 0.027 });
    expect(row(hotplug, 'overheadP99Ms')).toMatchObject({ value: 256, met: false, baseline: { name: 'bare path, same bursts', value: 341.9 }, ratio: 0.75 });
    expect(row(hotplug, 'overheadBreakdownMs.decisionToBegin.p99')).toMatchObject({ value: 245, unit: 'ms' });
    expect(row(hotplug, 'sustained.overheadP99Ms')).toMatchObject({ value: 59, unit: 'ms' });
    const billing = figureRows('bench:billing', samples['bench:billing'] as BenchJson);
    expect(row(billing, 'invoiceMonthSeconds')).toMatchObject({ value: 18.16, unit: 's', target: { op: '<=', value: 10 }, met: false, baseline: { value: 0.26 }, ratio: 68.6 });
    const replicas = figureRows('bench:replicas', samples['bench:replicas'] as BenchJson);
    expect(row(replicas, 'twoByTwo.completedSagasPerSec')).toMatchObject({ value: 35.7, baseline: { name: '1 API + 1 worker', value: 53.6 }, ratio: 0.666 });
    expect(row(replicas, 'sagasPerSecRatio')).toMatchObject({ value: 0.666, target: { op: '>=', value: 1 }, met: false });
  });

  it('judges against the target the JSON carries, and leaves out figures a bench did not print', () => {
    const json = { ...(samples['bench:api'] as BenchJson), targets: { placementsPerSec: 400, p99Ms: 50 } };
    expect(row(figureRows('bench:api', json), 'placementsPerSec')?.met).toBe(true);
    const older = without(samples['bench:api'] as BenchJson, 'machineBusyPct');
    expect(row(figureRows('bench:api', older), 'machineBusyPct')).toBeUndefined();
    const untargeted = without(samples['bench:billing'] as BenchJson, 'targets');
    expect(row(figureRows('bench:billing', untargeted), 'ingestEventsPerSec')).not.toHaveProperty('met');
  });
});

describe('fallbackRows (a bench:* script the table does not know yet)', () => {
  it('lists every finite numeric top-level field, never nested ones or other types', () => {
    const json = { hostsPerSec: 5, name: 'x', nested: { aMs: 1 }, ok: true, p99Ms: 12, nan: null, ratio: 0.5 };
    expect(figureRows('bench:not-yet-known', json).map((r) => [r.figure, r.unit])).toEqual([['hostsPerSec', '/s'], ['p99Ms', 'ms'], ['ratio', '×']]);
  });

  it('reads the target\'s direction from the bench\'s verdict first, then from the unit', () => {
    // A verdict that only `<=` explains wins over the unit's guess.
    const json = { widgetsPerSec: 90, queueDepth: 3, sizeGiB: 7, targets: { widgetsPerSec: 100, queueDepth: 5, sizeGiB: 8 }, met: { widgetsPerSec: true, queueDepth: true } };
    expect(fallbackRows('bench:new', json)).toEqual([
      { bench: 'bench:new', figure: 'widgetsPerSec', value: 90, unit: '/s', target: { op: '<=', value: 100 }, met: true },
      { bench: 'bench:new', figure: 'queueDepth', value: 3, unit: '', target: { op: '<=', value: 5 }, met: true },
      // No verdict and a unit with no direction: the target cannot be judged, so none is shown.
      { bench: 'bench:new', figure: 'sizeGiB', value: 7, unit: 'GiB' },
    ]);
  });

  it('names units from the usual suffixes', () => {
    expect(['opsPerSec', 'p99Us', 'p50Ms', 'closeSeconds', 'durationSec', 'strandedGiB', 'busyPct', 'ingestRatio', 'count'].map(unitFromName)).toEqual(['/s', 'µs', 'ms', 's', 's', 'GiB', '%', '×', '']);
  });
});

describe('formatTable', () => {
  const rows = [
    ...figureRows('bench:placement', samples['bench:placement'] as BenchJson).slice(0, 3),
    failedRow('bench:hotplug', 'exit code 1'),
    ...figureRows('bench:billing', samples['bench:billing'] as BenchJson).slice(0, 2),
  ];
  const lines = formatTable(rows);

  it('is a header, a rule and one line per row, every line the same width', () => {
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines[0]).toMatch(/^bench\s+figure\s+value\s+unit\s+target\s+met\s+baseline\s+ratio$/);
    expect(lines[1]).toMatch(/^[- ]+$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('aligns words left and numbers right in their columns', () => {
    const header = lines[0] ?? '';
    const valueEnd = header.indexOf('value') + 'value'.length;
    const unitStart = header.indexOf('unit');
    const metStart = header.indexOf('met');
    for (const line of lines.slice(2)) {
      expect(line.slice(0, valueEnd)).toMatch(/\S$/); // each value ends where the header's "value" does
      expect(line[unitStart - 1]).toBe(' ');
      expect(['✓', '✗', ' ']).toContain(line[metStart]);
    }
    expect(lines[2]).toContain('134,879');
    expect(lines[2]).toContain('>= 100,000');
    expect(lines[2]?.slice(metStart, metStart + 1)).toBe('✓');
    expect(lines[2]).toMatch(/5,043 \(naive first-fit \(whole fleet\)\)\s+26\.7×$/);
  });

  it('shows a failed bench as one line that says why, marked ✗', () => {
    const failed = lines.find((l) => l.startsWith('bench:hotplug')) ?? '';
    expect(failed).toContain('FAILED: exit code 1');
    expect(failed.slice((lines[0] ?? '').indexOf('met'))).toMatch(/^✗/);
  });

  it('writes numbers grouped, with fewer decimals as they grow', () => {
    expect([1234567, 242.71, 6.6, 0.0934, 0.126, 26.746, -3].map(formatNumber)).toEqual(['1,234,567', '242.7', '6.6', '0.093', '0.126', '26.7', '-3']);
  });
});
