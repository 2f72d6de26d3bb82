import { FractionBar } from '../../components/FractionBar';
import { formatGiB, formatPercent } from '../../format';

export function QuotaBar({ usedGiB, quotaGiB }: { usedGiB: number; quotaGiB: number }): React.JSX.Element {
  const fraction = quotaGiB > 0 ? usedGiB / quotaGiB : usedGiB > 0 ? 1 : 0;
  return (
    <div className="quota">
      <FractionBar fraction={fraction} label={`${formatGiB(usedGiB)} of ${formatGiB(quotaGiB)} quota used`} warnAbove={0.9} />
      <span className="muted">
        {formatGiB(usedGiB)} / {formatGiB(quotaGiB)} ({formatPercent(fraction, 0)})
      </span>
    </div>
  );
}
