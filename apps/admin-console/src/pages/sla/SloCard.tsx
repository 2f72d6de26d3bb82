import type { Slo } from '../../api/types';
import { FractionBar } from '../../components/FractionBar';
import { formatCount, formatMs, formatPercent } from '../../format';

const sloTitles: Record<Slo['name'], string> = { 'time-to-ready': 'Time to ready', 'hot-remove': 'Hot remove' };

/** One SLO: how much of its error budget is left, and whether it is burning too fast. */
export function SloCard({ slo }: { slo: Slo }): React.JSX.Element {
  const { errorBudget } = slo;
  const remaining = errorBudget.remainingFraction;
  return (
    <section className="card slo" data-testid={`slo-${slo.name}`} aria-label={`SLO ${slo.name}`}>
      <h3>{sloTitles[slo.name]}</h3>
      <p className="muted">
        {formatPercent(slo.objective, 2)} under {formatMs(slo.thresholdMs)} · {formatCount(slo.good)} good, {formatCount(slo.bad)} bad of{' '}
        {errorBudget.allowedBad < 10 ? errorBudget.allowedBad.toFixed(1) : formatCount(errorBudget.allowedBad)} allowed
      </p>
      <FractionBar fraction={remaining} label={`${formatPercent(remaining)} of the error budget left`} warnBelow={0.25} />
      <p>{remaining > 0 ? `${formatPercent(remaining)} of the error budget left` : 'Error budget exhausted'}</p>
      <table>
        <thead>
          <tr>
            <th>Burn alert</th>
            <th className="num">Factor</th>
            <th className="num">Long burn</th>
            <th className="num">Short burn</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {slo.burnAlerts.map((alert) => (
            <tr key={alert.name} data-testid={`burn-${slo.name}-${alert.name}`}>
              <td>{alert.name}</td>
              <td className="num">×{alert.factor}</td>
              <td className={`num${alert.longBurn >= alert.factor ? ' over' : ''}`}>×{alert.longBurn.toFixed(2)}</td>
              <td className={`num${alert.shortBurn >= alert.factor ? ' over' : ''}`}>×{alert.shortBurn.toFixed(2)}</td>
              <td>{alert.firing ? <span className="badge badge-bad">firing</span> : <span className="badge badge-good">ok</span>}</td>
            </tr>
          ))}
          {slo.burnAlerts.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No burn alerts defined.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
