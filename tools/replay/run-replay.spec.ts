/// <reference types="jest" />
import type { ReplayReport } from '@mxs/replay';
import { formatTrace, generateTrace, REPORT_FORMAT } from '@mxs/replay';
import { Fleet, generateFleetSpec, saveFleet } from '@mxs/topology';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplayArgs } from './replay-args';
import { parseReplayArgs } from './replay-args';
import type { ReplayIo } from './run-replay';
import { replayMain, runReplay } from './run-replay';

class Captured {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Streams that keep what was written and a clock that moves 5 ms per reading. */
function fakeIo(): ReplayIo & { stdout: Captured; stderr: Captured } {
  let ms = Date.UTC(2025, 0, 2, 3, 4, 5);
  return { stdout: new Captured(), stderr: new Captured(), now: () => (ms += 5) };
}

function args(argv: string[]): ReplayArgs {
  const parsed = parseReplayArgs(argv);
  if ('error' in parsed || 'help' in parsed) throw new Error(`bad test arguments: ${JSON.stringify(parsed)}`);
  return parsed;
}

const dir = mkdtempSync(join(tmpdir(), 'mxs-replay-'));
const trace = generateTrace({ seed: 7, vms: 40, durationSec: 3600, expansionsPerVm: 3 });
const tracePath = join(dir, 'small-trace.csv');
writeFileSync(tracePath, formatTrace(trace));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runReplay in engine mode', () => {
  const outDir = join(dir, 'out');
  const io = fakeIo();
  let outcome: Awaited<ReturnType<typeof runReplay>>;

  beforeAll(async () => {
    outcome = await runReplay(args(['--trace', tracePath, '--policy', 'mxs,first-fit', '--out', outDir]), io);
  });

  it('writes the JSON report: its format, one run per policy, the pooling study', () => {
    expect(outcome.exitCode).toBe(0);
    const json = JSON.parse(readFileSync(join(outDir, 'small-trace.report.json'), 'utf8')) as ReplayReport;
    expect(json.format).toBe(REPORT_FORMAT);
    // Read from the fake clock when the run ended.
    expect(json.generatedAt).toMatch(/^2025-01-02T03:0\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(json.generatedAt)).toBeGreaterThan(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(json.trace).toMatchObject({ source: tracePath, vms: 40, expansions: trace.expansions.length });
    expect(json.fleet).toEqual({ name: 'small-seed1', hosts: 16, devices: 20, capacityGiB: 12288 });
    expect(json.runs.map((r) => [r.policy, r.mode])).toEqual([['mxs', 'engine'], ['first-fit', 'engine']]);
    for (const run of json.runs) {
      expect(run.requests).toBe(trace.expansions.length);
      expect(run.accepted + run.rejected).toBe(run.requests);
      expect(run.timeToReadySec).toBeNull();
    }
    expect(json.pooling?.policy).toBe('mxs');
    expect(json.pooling?.arrangements.map((a) => a.hostsPerPool)).toEqual([null, 8, 16]);
  });

  it('writes the HTML page with both policies, prints the table, and ends with the HTML path', () => {
    const html = readFileSync(join(outDir, 'small-trace.report.html'), 'utf8');
    expect(html).toContain('>first-fit</text>');
    expect(html).toContain('Pooling study');
    const lines = io.stdout.text.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe(join(outDir, 'small-trace.report.html'));
    expect(lines[lines.length - 2]).toBe(join(outDir, 'small-trace.report.json'));
    expect(lines.some((l) => l.startsWith('first-fit '))).toBe(true);
  });

  it('shows progress on stderr, one labelled phase per policy and one for the pooling study', () => {
    for (const label of ['mxs (engine): done', 'first-fit (engine): done', 'pooling study (mxs): done']) expect(io.stderr.text).toContain(label);
  });
});

describe('runReplay with a fleet file', () => {
  it('replays on the file\'s fleet and leaves the pooling study out when asked', async () => {
    const fleetPath = join(dir, 'lab.json');
    writeFileSync(fleetPath, saveFleet(Fleet.fromSpec(generateFleetSpec({ preset: 'small', seed: 3, vmsPerHost: 0 }))));
    const outcome = await runReplay(args(['--trace', tracePath, '--fleet', fleetPath, '--no-pooling', '--out', join(dir, 'lab')]), fakeIo());
    if (outcome.exitCode !== 0) throw new Error(outcome.error);
    expect(outcome.report.fleet.name).toBe('small-seed3');
    expect(outcome.report.pooling).toBeNull();
    expect(outcome.report.runs).toHaveLength(1);
  });
});

describe('replayMain refusals', () => {
  async function refused(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
    const io = fakeIo();
    const code = await replayMain(argv, io);
    return { code, stderr: io.stderr.text, stdout: io.stdout.text };
  }

  it('prints the usage for --help and exits 0', async () => {
    const help = await refused(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run replay -- --trace FILE/);
  });

  it('refuses bad arguments with one line and exit code 2', async () => {
    const bad = await refused(['--trace', tracePath, '--policy', 'best-fit']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('replay: unknown policy "best-fit"; known policies: mxs, mxs-spread, first-fit. Run with --help for the options.\n');
  });

  it('lists every problem of a bad trace, writes nothing, shows no stack trace', async () => {
    const badPath = join(dir, 'bad.csv');
    writeFileSync(badPath, 'vm,a,t,0,,8\nvm,b,t,5,2,8\nexpansion,a,1,0,any,\nexpansion,ghost,1,4,any,\n');
    const out = join(dir, 'never');
    const bad = await refused(['--trace', badPath, '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`replay: "${badPath}" is not a valid mxs-trace/1 trace (the format is in libs/replay/README.md), 3 problems:\n  line 2: departureSec 2 must be after arrivalSec 5`);
    expect(bad.stderr).toContain('  line 3: sizeGiB "0" must be a whole number >= 1');
    expect(bad.stderr).toContain('  line 4: expansion for unknown vm "ghost"');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('says which file it cannot read, and what is wrong with a fleet file', async () => {
    const missing = await refused(['--trace', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^replay: cannot read the trace file ".*nope\.csv": ENOENT/);
    const fleetPath = join(dir, 'bad-fleet.json');
    writeFileSync(fleetPath, JSON.stringify({ format: 'mxs-fleet/1', name: 'bad', regions: [{ id: 'g', name: 'G' }], racks: [{ id: 'r', regionId: 'nope' }], hosts: [], switches: [], devices: [] }));
    const badFleet = await refused(['--trace', tracePath, '--fleet', fleetPath]);
    expect(badFleet.code).toBe(2);
    expect(badFleet.stderr).toContain('racks[0].regionId: unknown region "nope"');
    expect(badFleet.stderr).not.toMatch(/\n\s+at /);
  });
});
