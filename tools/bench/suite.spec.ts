/// <reference types="jest" />
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSuiteArgs } from './suite';
import { SUITE_FORMAT, defaultReportPath, suiteExitCode, suiteReport, suiteRows, writeReport } from './suite-report';
import type { BenchOutput, BenchScript } from './suite-runner';
import { BenchSuiteError, benchScripts, lastJsonLine, npmRunner, runBenches } from './suite-runner';

function suiteError(run: () => unknown): BenchSuiteError {
  try {
    run();
  } catch (error) {
    if (error instanceof BenchSuiteError) return error;
    throw error;
  }
  throw new Error('expected a BenchSuiteError');
}

function collector(): BenchOutput & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (c) => void out.push(c), stderr: (c) => void err.push(c) };
}

describe('benchScripts', () => {
  const pkg = { scripts: { start: 'x', bench: 'suite', 'bench:placement': 'p', test: 't', 'bench:api': 'a', 'bench:billing': 'b' } };

  it('takes every bench:* script in package.json order, not the suite itself', () => {
    expect(benchScripts(pkg)).toEqual([
      { name: 'bench:placement', command: 'p' },
      { name: 'bench:api', command: 'a' },
      { name: 'bench:billing', command: 'b' },
    ]);
  });

  it('picks a subset with or without the bench: prefix, still in package.json order', () => {
    expect(benchScripts(pkg, ['billing', 'bench:placement']).map((s) => s.name)).toEqual(['bench:placement', 'bench:billing']);
  });

  it('refuses a bench that does not exist, naming those that do', () => {
    const error = suiteError(() => benchScripts(pkg, ['api', 'replicas']));
    expect(error.code).toBe('unknown-bench');
    expect(error.message).toContain('bench:replicas');
    expect(error.message).toContain('bench:placement, bench:api, bench:billing');
    expect(suiteError(() => benchScripts({ scripts: { test: 't' } })).code).toBe('no-benches');
  });
});

describe('lastJsonLine', () => {
  it('is the last stdout line that is a JSON object, past any lines after it', () => {
    const stdout = ['> npm header', '{"a":1}', 'table line', '  {"b":2}  ', 'cleaning up', '[1,2]', '{not json}', ''].join('\n');
    expect(lastJsonLine(stdout)).toEqual({ b: 2 });
  });

  it('is null when no line is a JSON object', () => {
    expect(lastJsonLine('one\ntwo\n[1]\n"str"\n')).toBeNull();
    expect(lastJsonLine('')).toBeNull();
  });
});

describe('parseSuiteArgs', () => {
  it('reads --only, --out and --quick (passed on to every bench)', () => {
    expect(parseSuiteArgs(['--only', 'api, hotplug', '--out', 'x.json', '--quick'])).toEqual({ only: ['api', 'hotplug'], out: 'x.json', benchArgs: ['--quick'] });
    expect(parseSuiteArgs([])).toEqual({ benchArgs: [] });
  });

  it('refuses an unknown argument or a missing value', () => {
    expect(suiteError(() => parseSuiteArgs(['--fast'])).code).toBe('bad-arguments');
    expect(suiteError(() => parseSuiteArgs(['--only'])).message).toContain('--only takes a value');
    expect(suiteError(() => parseSuiteArgs(['--out', '--quick'])).code).toBe('bad-arguments');
  });
});

describe('a suite run through npm on a package.json of tiny benches', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mxs-bench-suite-'));
    // A bench that passes its arguments on, to see --quick arrive.
    writeFileSync(join(dir, 'args.js'), "console.log('args bench'); console.log(JSON.stringify({ quick: process.argv.includes('--quick') ? 1 : 0 }));\n");
    const scripts = {
      'bench:fast': `node -e "console.log('measuring'); console.log(JSON.stringify({ opsPerSec: 1200, p99Ms: 7, label: 'x', targets: { opsPerSec: 1000, p99Ms: 5 } })); console.error('done')"`,
      'bench:crash': `node -e "console.log(JSON.stringify({ opsPerSec: 1 })); process.exit(3)"`,
      'bench:silent': `node -e "console.log('no figures today')"`,
      'bench:args': 'node args.js',
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'suite-test', version: '1.0.0', private: true, scripts }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs each in turn under a header, goes on past failures, and exits 1', async () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const scripts = benchScripts(pkg);
    const output = collector();
    const runs = await runBenches(scripts, npmRunner(dir), { output });

    expect(runs.map((r) => [r.name, r.exitCode, r.json])).toEqual([
      ['bench:fast', 0, { opsPerSec: 1200, p99Ms: 7, label: 'x', targets: { opsPerSec: 1000, p99Ms: 5 } }],
      ['bench:crash', 3, { opsPerSec: 1 }],
      ['bench:silent', 0, null],
      ['bench:args', 0, { quick: 0 }],
    ]);
    const printed = output.out.join('');
    const headers = [...printed.matchAll(/^=== (bench:\w+) \((\d) of 4\)/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(headers).toEqual(['bench:fast 1', 'bench:crash 2', 'bench:silent 3', 'bench:args 4']);
    expect(printed.indexOf('measuring')).toBeGreaterThan(printed.indexOf('=== bench:fast'));
    expect(printed.indexOf('measuring')).toBeLessThan(printed.indexOf('=== bench:crash'));
    expect(output.err.join('')).toContain('done');

    const rows = suiteRows(runs);
    expect(rows.filter((r) => r.failed !== undefined)).toEqual([
      { bench: 'bench:crash', figure: '(no figures)', value: null, unit: '', met: false, failed: 'exit code 3' },
      { bench: 'bench:silent', figure: '(no figures)', value: null, unit: '', met: false, failed: 'printed no JSON line' },
    ]);
    // An unknown bench keeps its numeric fields, targets and verdicts included.
    expect(rows.filter((r) => r.bench === 'bench:fast')).toEqual([
      { bench: 'bench:fast', figure: 'opsPerSec', value: 1200, unit: '/s', target: { op: '>=', value: 1000 }, met: true },
      { bench: 'bench:fast', figure: 'p99Ms', value: 7, unit: 'ms', target: { op: '<=', value: 5 }, met: false },
    ]);
    expect(suiteExitCode(runs)).toBe(1);
    expect(suiteExitCode(runs.filter((r) => r.name === 'bench:fast' || r.name === 'bench:args'))).toBe(0);
  });

  it('passes the suite\'s bench arguments on to each bench', async () => {
    const scripts = benchScripts(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }, ['args']);
    const runs = await runBenches(scripts, npmRunner(dir, { args: ['--quick'] }), { output: collector() });
    expect(runs.map((r) => r.json)).toEqual([{ quick: 1 }]);
  });

  it('starts no further bench once told to stop, and keeps what ran', async () => {
    const scripts = benchScripts(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> });
    let started = 0;
    const runs = await runBenches(scripts, npmRunner(dir), {
      output: { stdout: (c) => void (c.startsWith('\n=== ') && started++), stderr: () => undefined },
      keepGoing: () => started < 2,
    });
    expect(runs.map((r) => r.name)).toEqual(['bench:fast', 'bench:crash']);
  });

  it('records a command that cannot run as a failed bench', async () => {
    const scripts: BenchScript[] = [{ name: 'bench:gone', command: 'missing' }];
    const output = collector();
    const runs = await runBenches(scripts, npmRunner(join(dir, 'no-such-directory')), { output });
    expect(runs).toEqual([{ name: 'bench:gone', exitCode: 1, durationSec: expect.any(Number), json: null }]);
    expect(output.err.join('')).toMatch(/bench:gone could not run: .*ENOENT/);
  });
});

describe('suiteReport', () => {
  const runs = [
    { name: 'bench:api', exitCode: 0, durationSec: 61.2, json: { placementsPerSec: 1500, targets: { placementsPerSec: 1000 }, floorTxPerSec: 3000, ratio: 0.5 } },
    { name: 'bench:new', exitCode: 0, durationSec: 2, json: { widgetsPerSec: 9 } },
  ];

  it('is mxs-bench-suite/1 with the machine, each run and its JSON, and the rows', () => {
    const startedAt = new Date('2026-05-01T10:00:00.123Z');
    const report = suiteReport(startedAt, runs, { cpus: 2, cpuModel: 'test cpu', memGiB: 23.4, node: 'v20.0.0' });
    expect(report.format).toBe(SUITE_FORMAT);
    expect(report.startedAt).toBe('2026-05-01T10:00:00.123Z');
    expect(report.benches).toEqual(runs);
    expect(report.rows.map((r) => `${r.bench} ${r.figure}`)).toEqual(['bench:api placementsPerSec', 'bench:new widgetsPerSec']);
    expect(report.rows[0]).toMatchObject({ target: { op: '>=', value: 1000 }, met: true, baseline: { value: 3000 }, ratio: 0.5 });
  });

  it('is written to every path asked for, and the default name carries the start time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxs-bench-report-'));
    try {
      const startedAt = new Date('2026-05-01T10:00:00.123Z');
      const path = defaultReportPath(dir, startedAt);
      expect(path).toBe(join(dir, 'tmp', 'bench', 'bench-2026-05-01T10-00-00Z.json'));
      const latest = join(dir, 'tmp', 'bench', 'latest.json');
      const report = suiteReport(startedAt, runs);
      writeReport(report, [path, latest]);
      for (const p of [path, latest]) expect(JSON.parse(readFileSync(p, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
      expect(report.machine.cpus).toBeGreaterThan(0);
      expect(report.machine.node).toBe(process.version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
