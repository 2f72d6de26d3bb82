/**
 * `npx tsx tools/demo/placement-demo.ts`: the placement engine on the seeded `small` fleet. Places a few
 * expansions, shows how each decision was reached, and prints the fleet's capacity figures.
 * The services (placement API, worker, simulator, billing) arrive with later issues.
 */
import type { PlacementRequest } from '@mxs/policy';
import { explainDecision, PlacementEngine } from '@mxs/policy';
import { capacitySummary } from '@mxs/sla-metrics';
import { Fleet, generateFleetSpec } from '@mxs/topology';

const seed = Number(process.env['MXS_SEED'] ?? 1);
const fleet = Fleet.fromSpec(generateFleetSpec({ preset: 'small', seed }));
const engine = new PlacementEngine();
const vms = [...fleet.vms];
const vm = (i: number): string => vms[i % vms.length]?.id ?? '';

console.log(`mxs placement demo: fleet ${fleet.name}, ${fleet.hosts.length} hosts, ${fleet.devices.length} CXL devices, ${fleet.capacityGiB} GiB\n`);

const requests: PlacementRequest[] = [
  { vmId: vm(0), sizeGiB: 64, tier: 'any' },
  { vmId: vm(0), sizeGiB: 128, tier: 'pooled', layout: 'spread' },
  { vmId: vm(5), sizeGiB: 96, tier: 'pooled', layout: 'interleave', interleaveWays: 4, maxAddedLatencyNs: 500 },
  { vmId: vm(9), sizeGiB: 32, tier: 'pooled', maxAddedLatencyNs: 200 },
  { vmId: vm(12), sizeGiB: 48, tier: 'any', tenantQuotaGiB: 32 },
];
requests.forEach((request, i) => {
  const decision = engine.place(fleet, request);
  console.log(explainDecision(decision).join('\n'));
  if (decision.outcome === 'placed') fleet.allocate(`demo-${i + 1}`, request.vmId, decision.extents);
  console.log('');
});

const summary = capacitySummary(fleet);
console.log(
  `capacity: ${summary.usedGiB} of ${summary.capacityGiB} GiB used (${(summary.utilization * 100).toFixed(1)}%), ` +
    `${summary.strandedGiB} GiB stranded, fragmentation ${summary.fragmentation.toFixed(3)}`,
);
console.log('\nnext: `npm run bench:placement -- --quick`, `npm run fleet:generate -- --preset small --seed 1`, `npm test`');
