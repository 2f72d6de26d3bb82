import type { Drop } from './device-filters';
import type { PlacementDecision } from './engine';

/** One line on why a candidate device was dropped. */
export function describeDrop(drop: Drop): string {
  const why = ((): string => {
    switch (drop.filter) {
      case 'path-down':
        return 'the switch on its path is down';
      case 'tier':
        return 'it is not of the requested tier';
      case 'health':
        return 'it is not healthy';
      case 'latency':
        return `it adds ${drop.actual} ns, over the ${drop.limit} ns bound`;
      case 'block-size':
        return `its extents are multiples of ${drop.limit} GiB, the share is ${drop.actual} GiB`;
      case 'slots':
        return `all ${drop.limit} logical-device slots are bound to other hosts`;
      case 'bandwidth':
        return `${fixed(drop.actual)} GB/s left, ${fixed(drop.limit)} GB/s needed`;
      case 'capacity':
        return `${drop.actual} GiB placeable, ${drop.limit} GiB needed`;
    }
  })();
  return `${drop.deviceId} dropped by ${drop.filter}: ${why}`;
}

/** The whole decision in lines an operator can read. */
export function explainDecision(decision: PlacementDecision): string[] {
  const { explanation: e } = decision;
  const lines = [
    `VM ${e.vmId} on host ${e.hostId}: ${decision.sizeGiB} GiB; ${e.candidates} reachable device(s), ${e.dropped.length} dropped`,
    ...e.dropped.map((d) => `  ${describeDrop(d)}`),
  ];
  if (decision.outcome === 'rejected') {
    lines.push(`rejected (${decision.reason.code}): ${decision.reason.message}`);
    return lines;
  }
  if (e.hostUnderPressure) lines.push(`  host ${e.hostId} is near its limit: devices only it reaches go first`);
  for (const c of e.chosen) {
    const p = c.parts;
    lines.push(`  chose ${c.deviceId}: score ${fixed(c.score, 3)} (fit ${fixed(p.fit, 2)}, latency ${fixed(p.latency, 2)}, domain ${fixed(p.domain, 2)}, sharing ${fixed(p.sharing, 2)})`);
  }
  for (const x of decision.extents) lines.push(`  extent ${x.deviceId} @ ${x.offsetGiB} GiB + ${x.sizeGiB} GiB`);
  return lines;
}

function fixed(value: number | undefined, digits = 1): string {
  return (value ?? 0).toFixed(digits);
}
