import { formatGiB } from '../format';

interface CapacityBarProps {
  capacityGiB: number;
  usedGiB: number;
  freeGiB: number;
  /** The part of free that no host with room to grow can reach. */
  strandedGiB: number;
  /** Show the GiB figures under the bar. */
  showLegend?: boolean;
}

export interface CapacitySegments {
  usedPct: number;
  freePct: number;
  strandedPct: number;
}

/** Widths in % of capacity; stranded is carved out of free, so the three add up to at most 100. */
export function capacitySegments({ capacityGiB, usedGiB, freeGiB, strandedGiB }: Omit<CapacityBarProps, 'showLegend'>): CapacitySegments {
  if (capacityGiB <= 0) return { usedPct: 0, freePct: 0, strandedPct: 0 };
  const stranded = Math.min(Math.max(strandedGiB, 0), Math.max(freeGiB, 0));
  const pct = (gib: number): number => (Math.max(gib, 0) / capacityGiB) * 100;
  return { usedPct: pct(usedGiB), freePct: pct(freeGiB - stranded), strandedPct: pct(stranded) };
}

export function CapacityBar(props: CapacityBarProps): React.JSX.Element {
  const { capacityGiB, usedGiB, freeGiB, strandedGiB, showLegend = false } = props;
  const { usedPct, freePct, strandedPct } = capacitySegments(props);
  const summary = `${formatGiB(usedGiB)} used, ${formatGiB(freeGiB)} free (${formatGiB(strandedGiB)} stranded) of ${formatGiB(capacityGiB)}`;
  return (
    <div className="capacity">
      <div className="bar" role="img" aria-label={summary} title={summary}>
        <span className="segment segment-used" data-segment="used" style={{ width: `${usedPct}%` }} />
        <span className="segment segment-free" data-segment="free" style={{ width: `${freePct}%` }} />
        <span className="segment segment-stranded" data-segment="stranded" style={{ width: `${strandedPct}%` }} />
      </div>
      {showLegend && (
        <div className="legend">
          <span className="key key-used">used {formatGiB(usedGiB)}</span>
          <span className="key key-free">free {formatGiB(freeGiB - Math.min(strandedGiB, freeGiB))}</span>
          <span className="key key-stranded">stranded {formatGiB(strandedGiB)}</span>
          <span className="muted">of {formatGiB(capacityGiB)}</span>
        </div>
      )}
    </div>
  );
}
