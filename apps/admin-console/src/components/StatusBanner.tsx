export type ActionResult = { kind: 'success'; message: string } | { kind: 'failure'; detail: string };

interface StatusBannerProps {
  result: ActionResult;
  onDismiss?: () => void;
}

/** An action's outcome: a polite status on success, an alert with the problem's detail on failure. */
export function StatusBanner({ result, onDismiss }: StatusBannerProps): React.JSX.Element {
  const dismiss = onDismiss === undefined ? null : (
    <button type="button" className="link dismiss" aria-label="Dismiss" onClick={onDismiss}>
      ×
    </button>
  );
  switch (result.kind) {
    case 'success':
      return (
        <div className="banner banner-success">
          <span role="status">{result.message}</span>
          {dismiss}
        </div>
      );
    case 'failure':
      return (
        <div className="banner banner-failure">
          <span role="alert">{result.detail}</span>
          {dismiss}
        </div>
      );
  }
}
