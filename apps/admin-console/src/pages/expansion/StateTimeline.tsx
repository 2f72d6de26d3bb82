import type { StateTransition } from '../../api/types';
import { StateBadge } from '../../components/StateBadge';
import { formatDurationMs, formatTimestamp } from '../../format';

/** The expansion's state changes, oldest first, each with how long after the previous it came. */
export function StateTimeline({ timeline }: { timeline: StateTransition[] }): React.JSX.Element {
  return (
    <ol className="timeline" aria-label="State transitions">
      {timeline.map((transition, index) => {
        const previous = index > 0 ? timeline[index - 1] : undefined;
        const afterMs = previous === undefined ? null : Date.parse(transition.at) - Date.parse(previous.at);
        return (
          <li key={`${transition.at}-${transition.to}-${index}`}>
            {transition.from !== null && (
              <>
                <StateBadge state={transition.from} /> →{' '}
              </>
            )}
            <StateBadge state={transition.to} />
            <span className="muted">
              {' '}
              {formatTimestamp(transition.at)}
              {afterMs !== null && ` (+${formatDurationMs(afterMs)})`}
            </span>
            {transition.reason !== null && <span> · {transition.reason}</span>}
            {transition.requestId !== null && <span className="muted"> · request {transition.requestId}</span>}
          </li>
        );
      })}
    </ol>
  );
}
