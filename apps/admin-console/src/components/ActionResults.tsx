import type { ReactNode } from 'react';
import { createContext, useContext, useMemo, useState } from 'react';
import type { ActionResult } from './StatusBanner';
import { StatusBanner } from './StatusBanner';

type Report = (result: ActionResult) => void;

const ReportContext = createContext<Report | null>(null);

/**
 * Holds the page's last action result above its content, so the banner outlives the button
 * that caused it (Drain turns into Put back; Force release goes away once detaching).
 */
export function ActionResults({ children }: { children: ReactNode }): React.JSX.Element {
  const [result, setResult] = useState<ActionResult | null>(null);
  const report = useMemo<Report>(() => (next) => setResult(next), []);
  return (
    <ReportContext.Provider value={report}>
      {result !== null && <StatusBanner result={result} onDismiss={() => setResult(null)} />}
      {children}
    </ReportContext.Provider>
  );
}

export function useReportResult(): Report {
  const report = useContext(ReportContext);
  if (report === null) throw new Error('useReportResult needs ActionResults around the page');
  return report;
}
