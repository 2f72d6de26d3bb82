import type { Operation } from '../../api/types';
import { StateBadge } from '../../components/StateBadge';
import { formatDurationMs, formatTimestamp } from '../../format';
import { operationRetries, sagaChart } from './saga';

/** One saga run (hot-add or hot-remove): its steps as Gantt bars with durations, retries and errors. */
export function SagaView({ operation }: { operation: Operation }): React.JSX.Element {
  const { bars, spanMs } = sagaChart(operation);
  const retries = operationRetries(operation);
  return (
    <section className="card saga" data-testid={`saga-${operation.id}`} aria-label={`${operation.kind} saga ${operation.id}`}>
      <header className="saga-head">
        <h3>
          {operation.kind}
          {operation.force && <span className="badge badge-warn">forced</span>}
        </h3>
        <StateBadge state={operation.state} />
        <span className="muted">{operation.id}</span>
      </header>
      <p className="muted">
        created {formatTimestamp(operation.createdAt)} · started {formatTimestamp(operation.startedAt)} · finished{' '}
        {formatTimestamp(operation.finishedAt)} · span {formatDurationMs(spanMs)} · attempts {operation.attempts} ({retries}{' '}
        {retries === 1 ? 'retry' : 'retries'})
      </p>
      {operation.lastError !== null && (
        <p className="error-text">
          Last error: <code>{operation.lastError}</code>
        </p>
      )}
      <table className="steps">
        <thead>
          <tr>
            <th>Step</th>
            <th className="gantt-col">Timeline</th>
            <th className="num">Duration</th>
            <th className="num">Retries</th>
            <th>Errors</th>
          </tr>
        </thead>
        <tbody>
          {bars.map(({ step, offsetPct, widthPct, retries: stepRetries }, index) => (
            <tr key={`${step.phase}-${step.name}-${index}`} className={step.phase === 'undo' ? 'undo' : undefined}>
              <td>
                {step.name}
                {step.phase === 'undo' && <span className="badge badge-warn">undo</span>}
              </td>
              <td className="gantt-col">
                <div className="gantt">
                  <span
                    className={`gantt-bar${step.phase === 'undo' ? ' gantt-undo' : ''}${step.errors.length > 0 ? ' gantt-errors' : ''}`}
                    style={{ left: `${offsetPct}%`, width: `${widthPct}%` }}
                    title={`${step.name}: ${formatDurationMs(step.durationMs)}, finished ${formatTimestamp(step.finishedAt)}`}
                  />
                </div>
              </td>
              <td className="num">{formatDurationMs(step.durationMs)}</td>
              <td className="num">{stepRetries}</td>
              <td>
                {step.errors.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <ul className="plain errors">
                    {step.errors.map((error, errorIndex) => (
                      <li key={errorIndex}>
                        <code>{error}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
          {bars.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No step finished yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
