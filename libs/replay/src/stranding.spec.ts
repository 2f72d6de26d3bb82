/// <reference types="jest" />
import { strandedGiB } from '@mxs/sla-metrics';
import { generateFleetSpec } from '@mxs/topology';
import { traceEvents } from './events';
import { generateTrace } from './generator';
import { createPolicy } from './policies';
import { ReplaySimulation } from './simulation';
import { StrandingTracker } from './stranding';

describe('StrandingTracker', () => {
  it('keeps strandedGiB(fleet) after every allocation and release, looking only at the host’s devices', () => {
    // Hosts that may online only 60% of their DRAM fill up while their own devices still have room.
    const spec = generateFleetSpec({ preset: 'small', seed: 4, vmsPerHost: 0 });
    const fleet = { ...spec, hosts: spec.hosts.map((h) => ({ ...h, movableRatioPct: 60 })) };
    const trace = generateTrace({ seed: 4, vms: 600, expansionsPerVm: 4 });
    const sim = new ReplaySimulation(trace, fleet, createPolicy('mxs'));
    const tracker = new StrandingTracker(sim.fleet);
    let changes = 0;
    let peakStrandedGiB = 0;
    for (const event of traceEvents(trace)) {
      const outcome = sim.apply(event);
      if ((outcome.kind === 'accepted' || outcome.kind === 'released') && outcome.allocation !== undefined) {
        tracker.hostChanged(outcome.allocation.vm.host);
        expect(tracker.strandedGiB).toBe(strandedGiB(sim.fleet));
        peakStrandedGiB = Math.max(peakStrandedGiB, tracker.strandedGiB);
        changes++;
      }
    }
    expect(changes).toBeGreaterThan(1000);
    expect(peakStrandedGiB).toBeGreaterThan(0);
  });
});
