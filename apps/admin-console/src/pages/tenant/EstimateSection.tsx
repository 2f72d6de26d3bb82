import type { Settled } from '../../api/settled';
import type { Estimate } from '../../api/types';
import { Figure } from '../../components/Figure';
import { LoadError } from '../../components/Loaded';
import { Money } from '../../components/Money';
import { formatTimestamp } from '../../format';
import { RatedLines } from '../invoice/RatedLines';

/** This month so far, rated as the invoice will be, with where it is heading. */
export function EstimateSection({ estimate }: { estimate: Settled<Estimate> }): React.JSX.Element {
  if (!estimate.ok) return <LoadError error={estimate.error} />;
  const { value } = estimate;
  return (
    <section data-testid="usage-estimate" aria-label="Usage this month">
      <dl className="figures">
        <Figure label="Period">{value.period}</Figure>
        <Figure label="So far">
          <Money amountMinor={value.totalMinor} currency={value.currency} />
        </Figure>
        <Figure label="Projected month">
          <Money amountMinor={value.projectedTotalMinor} currency={value.currency} />
        </Figure>
        <Figure label="As of">{formatTimestamp(value.asOf)}</Figure>
      </dl>
      <RatedLines figures={value} />
    </section>
  );
}
