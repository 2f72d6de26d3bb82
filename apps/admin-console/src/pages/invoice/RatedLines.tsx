import { Link } from 'react-router';
import type { RatedFigures } from '../../api/types';
import { Money } from '../../components/Money';
import { formatPercent, formatSeconds } from '../../format';

/** The rated lines of an invoice or an estimate, with charges, credits and total under them. */
export function RatedLines({ figures }: { figures: RatedFigures }): React.JSX.Element {
  const { currency } = figures;
  return (
    <table className="lines">
      <thead>
        <tr>
          <th>Kind</th>
          <th>Description</th>
          <th>Plan</th>
          <th>Tier</th>
          <th>Expansion</th>
          <th className="num">GiB·h</th>
          <th className="num">Unit price</th>
          <th className="num">Amount</th>
        </tr>
      </thead>
      <tbody>
        {figures.lines.map((line, index) => (
          <tr key={index} className={`line-${line.kind}`}>
            <td>{line.kind}</td>
            <td>{line.description}</td>
            <td>{line.planId}</td>
            <td>{line.tier ?? '—'}</td>
            <td>{line.expansionId === null ? '—' : <Link to={`/expansions/${encodeURIComponent(line.expansionId)}`}>{line.expansionId}</Link>}</td>
            <td className="num">{line.quantityGiBHours ?? '—'}</td>
            <td className="num">{line.unitPrice ?? '—'}</td>
            <td className="num">
              <Money amountMinor={line.amountMinor} currency={currency} />
            </td>
          </tr>
        ))}
        {figures.lines.length === 0 && (
          <tr>
            <td colSpan={8} className="muted">
              No lines.
            </td>
          </tr>
        )}
      </tbody>
      <tfoot>
        <tr>
          <th colSpan={7}>Charges</th>
          <td className="num">
            <Money amountMinor={figures.chargesMinor} currency={currency} />
          </td>
        </tr>
        <tr>
          <th colSpan={7}>Credits</th>
          <td className="num">
            <Money amountMinor={figures.creditsMinor} currency={currency} />
          </td>
        </tr>
        <tr className="total">
          <th colSpan={7}>Total</th>
          <td className="num">
            <Money amountMinor={figures.totalMinor} currency={currency} />
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

/** Uptime per expansion over the period, and the SLA credit it earned. */
export function UptimeTable({ uptime }: { uptime: RatedFigures['uptime'] }): React.JSX.Element {
  return (
    <table>
      <thead>
        <tr>
          <th>Expansion</th>
          <th className="num">Window</th>
          <th className="num">Downtime</th>
          <th className="num">Uptime</th>
          <th className="num">Credit</th>
        </tr>
      </thead>
      <tbody>
        {uptime.map((entry, index) => (
          <tr key={entry.expansionId ?? `all-${index}`}>
            <td>{entry.expansionId === null ? 'all' : <Link to={`/expansions/${encodeURIComponent(entry.expansionId)}`}>{entry.expansionId}</Link>}</td>
            <td className="num">{formatSeconds(entry.windowSeconds)}</td>
            <td className="num">{formatSeconds(entry.downtimeSeconds)}</td>
            <td className="num">{entry.windowSeconds > 0 ? formatPercent(1 - entry.downtimeSeconds / entry.windowSeconds, 3) : '—'}</td>
            <td className="num">{entry.creditPct}%</td>
          </tr>
        ))}
        {uptime.length === 0 && (
          <tr>
            <td colSpan={5} className="muted">
              No uptime recorded.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
