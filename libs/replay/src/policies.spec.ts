/// <reference types="jest" />
import { generateFleetSpec } from '@mxs/topology';
import { replayOnEngine } from './engine-replay';
import { generateTrace } from './generator';
import { createPolicy, isPolicyName, POLICY_NAMES } from './policies';
import { ReplaySimulation } from './simulation';
import { parseTrace } from './trace';
import { traceEvents } from './events';
import { handFleet } from './testing/fixtures';

describe('policies', () => {
  it('names mxs, mxs-spread and first-fit', () => {
    expect(POLICY_NAMES).toEqual(['mxs', 'mxs-spread', 'first-fit']);
    expect(POLICY_NAMES.every(isPolicyName)).toBe(true);
    expect(isPolicyName('best-fit')).toBe(false);
    expect(() => createPolicy('best-fit' as never)).toThrow(expect.objectContaining({ code: 'unknown-policy' }));
  });

  it('place one request three ways: pack on the host’s own device, spread away from the VM’s memory, first fit in fleet order', () => {
    const trace = parseTrace(['vm,a,t,0,,32', 'expansion,a,0,4,any,', 'expansion,a,10,4,any,'].join('\n'));
    const devicesBy = (name: (typeof POLICY_NAMES)[number]) => {
      const sim = new ReplaySimulation(trace, handFleet(), createPolicy(name));
      return traceEvents(trace).flatMap((e) => {
        const outcome = sim.apply(e);
        return outcome.kind === 'accepted' ? outcome.allocation.extents.map((x) => `${x.device.id}@${x.offsetGiB}`) : [];
      });
    };
    expect(devicesBy('mxs')).toEqual(['direct-1@0', 'direct-1@4']);
    expect(devicesBy('mxs-spread')).toEqual(['direct-1@0', 'pool@0']);
    expect(devicesBy('first-fit')).toEqual(['direct-1@0', 'direct-1@4']);
  });

  it('differ on a seeded trace: the engine keeps tier any on hosts’ own devices, first fit fills the pools', () => {
    const fleet = generateFleetSpec({ preset: 'small', seed: 1, vmsPerHost: 0 });
    const trace = generateTrace({ seed: 1, vms: 1000 });
    const runs = Object.fromEntries(POLICY_NAMES.map((name) => [name, replayOnEngine(trace, fleet, { policy: name })]));
    const directShare = (name: string) => {
      const r = runs[name]?.revenueByTier;
      return r === undefined ? Number.NaN : r.direct.gibHours / (r.direct.gibHours + r.pooled.gibHours);
    };
    expect(directShare('mxs')).toBeGreaterThan(directShare('mxs-spread'));
    expect(directShare('mxs-spread')).toBeGreaterThan(directShare('first-fit'));
    expect(directShare('mxs')).toBeGreaterThan(2 * directShare('first-fit'));
  });
});
