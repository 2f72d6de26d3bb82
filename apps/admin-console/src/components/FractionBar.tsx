interface FractionBarProps {
  /** 0..1; values outside are drawn clamped (an overspent budget is an empty bar). */
  fraction: number;
  label: string;
  /** 'warn' past this fraction (e.g. a quota nearly used up). */
  warnAbove?: number;
  /** 'warn' under this fraction (e.g. an error budget nearly gone). */
  warnBelow?: number;
}

export function FractionBar({ fraction, label, warnAbove, warnBelow }: FractionBarProps): React.JSX.Element {
  const widthPct = Math.min(Math.max(fraction, 0), 1) * 100;
  const warn = (warnAbove !== undefined && fraction > warnAbove) || (warnBelow !== undefined && fraction < warnBelow);
  return (
    <div className="bar fraction" role="img" aria-label={label} title={label}>
      <span className={`segment ${warn ? 'segment-warn' : 'segment-used'}`} data-segment="fill" style={{ width: `${widthPct}%` }} />
    </div>
  );
}
