import type { ReactNode } from 'react';
import { useId, useRef, useState } from 'react';
import { describeFailure } from '../api/problem';
import { useReportResult } from './ActionResults';

interface ConfirmActionProps {
  /** The button's text, e.g. "Drain". */
  label: string;
  /** The dialog's question, e.g. "Drain dev-1?". */
  title: string;
  /** What will happen, in plain words. */
  description: ReactNode;
  /** Does it; resolves to the success text for the status banner. */
  action: () => Promise<string>;
  /** After the action settles either way, e.g. reload the page's data. */
  onDone?: () => void | Promise<void>;
  danger?: boolean;
}

/** A button that asks first, runs the action once, and reports how it went. */
export function ConfirmAction({ label, title, description, action, onDone, danger = false }: ConfirmActionProps): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const [running, setRunning] = useState(false);
  // State updates land after a render; a second click in the same tick must still see "running".
  const runningNow = useRef(false);
  const report = useReportResult();
  const titleId = useId();
  const descriptionId = useId();

  const confirm = async (): Promise<void> => {
    if (runningNow.current) return;
    runningNow.current = true;
    setRunning(true);
    try {
      report({ kind: 'success', message: await action() });
    } catch (failure) {
      report({ kind: 'failure', detail: describeFailure(failure) });
    } finally {
      runningNow.current = false;
      setRunning(false);
      setOpen(false);
    }
    await onDone?.();
  };

  const cancel = (): void => {
    if (!runningNow.current) setOpen(false);
  };

  return (
    <>
      <button type="button" className={danger ? 'danger' : undefined} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && (
        <div className="dialog-backdrop">
          <div
            className="dialog card"
            role="dialog"
            aria-modal="true"
            aria-labelledby={titleId}
            aria-describedby={descriptionId}
            onKeyDown={(event) => event.key === 'Escape' && cancel()}
          >
            <h2 id={titleId}>{title}</h2>
            <div id={descriptionId} className="dialog-description">
              {description}
            </div>
            <div className="dialog-buttons">
              <button type="button" autoFocus disabled={running} onClick={cancel}>
                Cancel
              </button>
              <button type="button" className={danger ? 'danger' : 'primary'} disabled={running} aria-busy={running} onClick={() => void confirm()}>
                Confirm
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
