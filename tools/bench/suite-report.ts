/**
 * The suite's JSON (`mxs-bench-suite/1`): the machine it ran on, each bench's run and raw JSON,
 * and the table's rows, so two runs (or two machines) can be compared figure by figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { FigureRow } from './figures';
import { failedRow, figureRows } from './figures';
import type { BenchRun } from './suite-runner';
import { runFailure } from './suite-runner';

export const SUITE_FORMAT = 'mxs-bench-suite/1';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memGiB: number;
  readonly node: string;
}

export interface SuiteReport {
  readonly format: typeof SUITE_FORMAT;
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly benches: readonly BenchRun[];
  readonly rows: readonly FigureRow[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return { cpus: list.length, cpuModel: list[0]?.model.trim() ?? 'unknown', memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version };
}

/** Every run's rows in run order: its figures, or the one failed row. */
export function suiteRows(runs: readonly BenchRun[]): FigureRow[] {
  return runs.flatMap((run) => {
    const failure = runFailure(run);
    return failure !== null || run.json === null ? [failedRow(run.name, failure ?? 'printed no JSON line')] : figureRows(run.name, run.json);
  });
}

export function suiteReport(startedAt: Date, runs: readonly BenchRun[], machine: MachineInfo = machineInfo()): SuiteReport {
  return { format: SUITE_FORMAT, startedAt: startedAt.toISOString(), machine, benches: runs, rows: suiteRows(runs) };
}

/** 0 when every bench gave its figures, else 1 (a target not met is a ✗ in the table, not a failure). */
export function suiteExitCode(runs: readonly BenchRun[]): number {
  return runs.every((run) => runFailure(run) === null) ? 0 : 1;
}

/** The default file for a run started at `startedAt`: `tmp/bench/bench-2026-05-01T10-00-00Z.json`. */
export function defaultReportPath(root: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return join(root, 'tmp', 'bench', `bench-${stamp}.json`);
}

/** Writes the report to each path (directories made as needed). */
export function writeReport(report: SuiteReport, paths: readonly string[]): void {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  for (const path of paths) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}
