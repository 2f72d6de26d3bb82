import { formatClock } from '../format';

/** When the page's data last arrived, so an operator can tell a stale page from a quiet one. */
export function UpdatedAt({ at }: { at: Date | undefined }): React.JSX.Element {
  return <span className="updated muted">{at === undefined ? 'loading…' : `updated ${formatClock(at)}`}</span>;
}
