import type { ReactNode } from 'react';

/** A labelled number in a row of figures. */
export function Figure({ label, children }: { label: string; children: ReactNode }): React.JSX.Element {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
