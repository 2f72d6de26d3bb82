/// <reference types="jest" />
import { parseSoakArgs, summaryJson } from './soak-args';
import { SoakError } from './soak-error';
import { runSoak } from './soak-run';

describe('parseSoakArgs', () => {
  it('reads the options, with the defaults for what is left out', () => {
    expect(parseSoakArgs(['--minutes', '10', '--seed', '4', '--workers', '1', '--fleet', 'rack64'])).toEqual({
      options: { minutes: 10, seed: 4, apis: 2, workers: 1, fleet: 'rack64', meanFaultGapMs: 20_000 },
      out: null,
    });
    expect(parseSoakArgs(['--minutes', '0.5', '--vms', '40', '--fault-gap-sec', '3', '--out', 'tmp/x.json']).options).toMatchObject({ minutes: 0.5, vms: 40, meanFaultGapMs: 3_000 });
  });

  it('refuses what it cannot run, saying why', () => {
    expect(() => parseSoakArgs([])).toThrow(/--minutes is required/);
    expect(() => parseSoakArgs(['--minutes', 'ten'])).toThrow(/--minutes must be a number/);
    expect(() => parseSoakArgs(['--minutes', '1', '--fleet', 'galaxy'])).toThrow(/--fleet must be small, rack64 or region/);
    expect(() => parseSoakArgs(['--minutes', '1', '--speed', '3'])).toThrow(/unknown options: --speed/);
    expect(() => parseSoakArgs(['--minutes'])).toThrow(SoakError);
  });
});

// Seed 37 draws one fault of every kind in 30 s (faults.spec checks the planner's kinds on its own).
it('a short soak with every kind of fault ends with every check passing, and its summary says so', async () => {
  const lines: string[] = [];
  const report = await runSoak({
    minutes: 0.5, seed: 37, apis: 1, workers: 2, fleet: 'small', vms: 30, traceHours: 2, meanFaultGapMs: 3_000, simTimeScale: 0.1, log: (line) => lines.push(line),
  });
  const failed = report.checks.filter((c) => !c.passed);
  expect([failed, lines.filter((l) => l.includes('FAILED'))]).toEqual([[], []]);
  expect(report.faults.injectedByKind).toEqual({ 'device-failure': 1, 'switch-link-down': 1, 'host-crash': 1, 'worker-kill': 1, 'redis-restart': 1 });
  // Every fault was healed after it was injected.
  for (let id = 1; id <= report.faults.planned; id++) expect(report.faults.log.filter((e) => e.faultId === id).map((e) => [e.action, e.ok])).toEqual([['inject', true], ['heal', true]]);
  expect(report.requests).toBeGreaterThan(10);
  expect(report.checks.find((c) => c.name === 'after releasing everything: all capacity returned')?.checked).toBeGreaterThan(0);
  const summary = JSON.parse(summaryJson(report)) as { passed: boolean; requests: number; checks: { failures: number }[] };
  expect([summary.passed, summary.requests, summary.checks.length]).toEqual([true, report.requests, report.checks.length]);
}, 170_000);
