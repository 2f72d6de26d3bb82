/// <reference types="jest" />
import { MAX_EXPANSIONS, TARGETS, TARGET_EXPANSIONS, judge, parseHotplugArgs } from './hotplug-args';

describe('parseHotplugArgs', () => {
  it('runs both stages on the target burst by default, three measured bursts, one with --quick', () => {
    expect(parseHotplugArgs([])).toEqual({ quick: false, keep: false, cpuProfile: false, only: null, expansions: TARGET_EXPANSIONS, bursts: 3 });
    expect(parseHotplugArgs(['--quick']).bursts).toBe(1);
  });

  it('takes every option, in any order', () => {
    expect(parseHotplugArgs(['--only', 'latency', '--expansions', '50', '--quick', '--bursts', '4', '--keep', '--cpu-prof'])).toEqual({
      quick: true, keep: true, cpuProfile: true, only: 'latency', expansions: 50, bursts: 4,
    });
  });

  it('skips the `--` that npm passes on when each option comes after one of its own', () => {
    expect(parseHotplugArgs(['--quick', '--', '--only', 'latency', '--', '--keep'])).toMatchObject({ quick: true, only: 'latency', keep: true });
  });

  it.each([
    [['--only'], /--only takes a value/],
    [['--only', 'both'], /--only takes throughput or latency, not "both"/],
    [['--expansions', '0'], new RegExp(`--expansions takes a whole number from 1 to ${MAX_EXPANSIONS}, not "0"`)],
    [['--expansions', String(MAX_EXPANSIONS + 1)], /--expansions takes a whole number/],
    [['--expansions', '2.5'], /not "2.5"/],
    [['--bursts', '21'], /--bursts takes a whole number from 1 to 20, not "21"/],
    [['--bursts', '--quick'], /--bursts takes a value/],
    [['--fast'], /unknown argument "--fast"/],
    [['--only', 'throughput', '--expansions', '50'], /--only throughput leaves out/],
    [['--bursts', '2', '--only', 'throughput'], /--only throughput leaves out/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseHotplugArgs(argv)).toThrow(message);
  });
});

describe('judge', () => {
  it('judges both targets when both stages ran on the target burst, each at its bound', () => {
    expect(judge({ sagasPerSec: TARGETS.sagasPerSec, overheadP99Ms: TARGETS.overheadP99Ms }, TARGET_EXPANSIONS)).toEqual({ targets: TARGETS, meetsTargets: { sagasPerSec: true, overheadP99Ms: true } });
    expect(judge({ sagasPerSec: 299.9, overheadP99Ms: 50.1 }, TARGET_EXPANSIONS).meetsTargets).toEqual({ sagasPerSec: false, overheadP99Ms: false });
  });

  it('neither meets nor misses a target whose stage did not run (--only)', () => {
    expect(judge({ sagasPerSec: 320, overheadP99Ms: null }, TARGET_EXPANSIONS).meetsTargets).toEqual({ sagasPerSec: true, overheadP99Ms: null });
    expect(judge({ sagasPerSec: null, overheadP99Ms: 40 }, TARGET_EXPANSIONS).meetsTargets).toEqual({ sagasPerSec: null, overheadP99Ms: true });
  });

  it('states no overhead target for a burst of another size', () => {
    expect(judge({ sagasPerSec: null, overheadP99Ms: 20 }, 64)).toEqual({ targets: { sagasPerSec: TARGETS.sagasPerSec }, meetsTargets: { sagasPerSec: null } });
  });
});
