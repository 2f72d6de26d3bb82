import type { ReactNode } from 'react';
import { describeFailure } from '../api/problem';

interface LoadedProps<T> {
  data: T | undefined;
  error: unknown;
  children: (data: T) => ReactNode;
}

export function LoadError({ error }: { error: unknown }): React.JSX.Element | null {
  if (error === undefined) return null;
  return (
    <p className="banner banner-failure load-error" role="alert">
      Could not load: {describeFailure(error)}
    </p>
  );
}

/** A page's data once it is there; a failed poll keeps the last data on screen under a warning. */
export function Loaded<T>({ data, error, children }: LoadedProps<T>): React.JSX.Element {
  return (
    <>
      <LoadError error={error} />
      {data === undefined ? error === undefined && <p className="muted">Loading…</p> : children(data)}
    </>
  );
}
