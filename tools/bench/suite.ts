/**
 * `npm run bench [-- --only api,hotplug] [-- --out FILE] [-- --quick]`: every `bench:*` script
 * of the root package.json, one at a time and in its order, each streamed under a header; then
 * one table of every figure with its target and its same-run baseline, written as JSON to
 * `--out` (default `tmp/bench/bench-<time>.json`, and `tmp/bench/latest.json`). A bench that
 * fails or prints no JSON is a failed row; the suite goes on and exits 1 at the end.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatTable } from './figures-table';
import { defaultReportPath, suiteExitCode, suiteReport, writeReport } from './suite-report';
import type { BenchOutput } from './suite-runner';
import { BenchSuiteError, benchScripts, npmRunner, runBenches } from './suite-runner';

const root = join(__dirname, '..', '..');

interface SuiteArgs {
  readonly only?: readonly string[];
  readonly out?: string;
  /** Passed on to every bench. */
  readonly benchArgs: readonly string[];
}

export function parseSuiteArgs(argv: readonly string[]): SuiteArgs {
  let only: string[] | undefined;
  let out: string | undefined;
  const benchArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new BenchSuiteError('bad-arguments', `${arg} takes a value`);
      return next;
    };
    if (arg === '--only') only = value().split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    else if (arg === '--out') out = value();
    else if (arg === '--quick') benchArgs.push(arg);
    else throw new BenchSuiteError('bad-arguments', `unknown argument "${arg}": use --only a,b, --out FILE or --quick`);
  }
  return { ...(only === undefined ? {} : { only }), ...(out === undefined ? {} : { out }), benchArgs };
}

async function main(): Promise<number> {
  const args = parseSuiteArgs(process.argv.slice(2));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const scripts = benchScripts(pkg, args.only);
  const startedAt = new Date();
  const stop = new AbortController();
  let interrupted = false;
  // A terminal's Ctrl-C reaches the running bench too; SIGTERM is passed on. Either way no
  // further bench starts, and what ran is still reported.
  process.once('SIGINT', () => (interrupted = true));
  process.once('SIGTERM', () => {
    interrupted = true;
    stop.abort();
  });
  const output: BenchOutput = { stdout: (c) => void process.stdout.write(c), stderr: (c) => void process.stderr.write(c) };
  const runs = await runBenches(scripts, npmRunner(root, { args: args.benchArgs, stop: stop.signal }), { output, keepGoing: () => !interrupted });

  const report = suiteReport(startedAt, runs);
  console.log(`\nbench suite: ${runs.length} of ${scripts.length} benches run${interrupted ? ' (interrupted)' : ''}`);
  for (const line of formatTable(report.rows)) console.log(line);
  const paths = args.out === undefined ? [defaultReportPath(root, startedAt), join(root, 'tmp', 'bench', 'latest.json')] : [resolve(args.out)];
  writeReport(report, paths);
  console.log(`\nwritten to ${paths.join(' and ')}`);
  return interrupted ? 130 : suiteExitCode(runs);
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof BenchSuiteError) console.error(`npm run bench (${error.code}): ${error.message}`);
      else console.error('npm run bench failed:', error);
      process.exit(2);
    },
  );
}
