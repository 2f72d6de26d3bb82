/// <reference types="jest" />
import { POLICY_NAMES } from '@mxs/replay';
import type { ParsedReplayArgs, ReplayArgs } from './replay-args';
import { parseReplayArgs } from './replay-args';

function args(argv: string[]): ReplayArgs {
  const parsed = parseReplayArgs(argv);
  if ('error' in parsed || 'help' in parsed) throw new Error(`expected arguments, got ${JSON.stringify(parsed)}`);
  return parsed;
}

function error(argv: string[]): string {
  const parsed: ParsedReplayArgs = parseReplayArgs(argv);
  if (!('error' in parsed)) throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.error;
}

describe('parseReplayArgs', () => {
  it('fills every default: small fleet, policy mxs, engine mode, tmp/replay, pooling on', () => {
    expect(args(['--trace', 'traces/a.csv'])).toEqual({
      tracePath: 'traces/a.csv',
      fleet: { kind: 'preset', preset: 'small' },
      policies: ['mxs'],
      mode: 'engine',
      outDir: 'tmp/replay',
      pooling: true,
      seed: 1,
      timeScale: 0.01,
      apis: 1,
      workers: 1,
      samples: undefined,
    });
  });

  it('reads policy lists, comma-separated and repeated, keeping the first of each name', () => {
    expect(args(['--trace', 't.csv', '--policy', 'mxs,first-fit', '--policy=mxs-spread,mxs']).policies).toEqual(['mxs', 'first-fit', 'mxs-spread']);
  });

  it('tells a preset from a fleet file, and reads --name=value and the engine options', () => {
    const parsed = args(['--trace=t.csv', '--fleet', 'rack64', '--out', 'out/x', '--no-pooling', '--seed', '9', '--samples', '50']);
    expect(parsed).toMatchObject({ fleet: { kind: 'preset', preset: 'rack64' }, outDir: 'out/x', pooling: false, seed: 9, samples: 50 });
    expect(args(['--trace', 't.csv', '--fleet', 'fleets/lab.json']).fleet).toEqual({ kind: 'file', path: 'fleets/lab.json' });
  });

  it('turns pooling off by default in stack mode and takes the stack options there', () => {
    expect(args(['--trace', 't.csv', '--mode', 'stack', '--time-scale', '0.5', '--apis', '2', '--workers', '3'])).toMatchObject({ mode: 'stack', pooling: false, timeScale: 0.5, apis: 2, workers: 3 });
    expect(args(['--trace', 't.csv', '--mode', 'stack', '--pooling']).pooling).toBe(true);
    expect(args(['--trace', 't.csv', '--mode', 'stack', '--time-scale', '0']).timeScale).toBe(0);
  });

  it('answers --help before anything else', () => {
    expect(parseReplayArgs(['--policy', 'nope', '--help'])).toEqual({ help: true });
  });

  it('names the known policies when one is unknown', () => {
    expect(error(['--trace', 't.csv', '--policy', 'mxs,best'])).toBe(`unknown policy "best"; known policies: ${POLICY_NAMES.join(', ')}`);
  });

  it('refuses stack mode with a policy other than mxs, and says why', () => {
    expect(error(['--trace', 't.csv', '--mode', 'stack', '--policy', 'mxs,first-fit'])).toMatch(/^stack mode replays through the real API, whose placement engine is the mxs policy; first-fit can only be replayed with --mode engine$/);
  });

  it.each([
    [[], /^--trace FILE is required/],
    [['--trace'], /^--trace needs a value$/],
    [['--trace', '--fleet', 'small'], /^--trace needs a value$/],
    [['t.csv'], /^unexpected argument "t.csv"/],
    [['--trace', 't.csv', '--fast'], /^unknown option --fast; known: --trace, --fleet/],
    [['--trace', 't.csv', '--mode', 'cluster'], /^--mode is engine or stack, got "cluster"$/],
    [['--trace', 't.csv', '--seed', '1.5'], /^--seed takes a whole number >= 0, got "1.5"$/],
    [['--trace', 't.csv', '--samples', '1'], /^--samples takes a whole number >= 2/],
    [['--trace', 't.csv', '--policy', 'mxs,'], /^--policy has an empty name/],
    [['--trace', 't.csv', '--pooling', '--no-pooling'], /^give --pooling or --no-pooling, not both$/],
    [['--trace', 't.csv', '--time-scale', '0.1', '--apis', '2'], /^--time-scale, --apis only apply to --mode stack$/],
    [['--trace', 't.csv', '--mode', 'stack', '--samples', '10'], /^--samples only applies to --mode engine/],
    [['--trace', 't.csv', '--mode', 'stack', '--time-scale', '-1'], /^--time-scale takes a number >= 0, got "-1"$/],
    [['--trace', 't.csv', '--mode', 'stack', '--workers', '0'], /^--workers takes a whole number >= 1, got "0"$/],
    [['--trace', 't.csv', '--help=yes'], /^--help takes no value$/],
  ])('refuses %p', (argv, message) => {
    expect(error(argv)).toMatch(message);
  });
});
