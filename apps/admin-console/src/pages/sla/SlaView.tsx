import type { FleetSla, SlaHistory } from '../../api/types';
import { Figure } from '../../components/Figure';
import { formatSeconds } from '../../format';
import { LatencyChart } from './LatencyChart';
import { CapacityCard, LatencyTable, TenantCredits } from './SlaTables';
import { SloCard } from './SloCard';
import type { SlaWindow } from './slaWindows';
import { latencyPoints, slaWindows } from './slaWindows';

interface SlaViewProps {
  sla: FleetSla;
  history: SlaHistory;
  windowId: SlaWindow['id'];
  onWindowChange: (windowId: SlaWindow['id']) => void;
}

export function SlaView({ sla, history, windowId, onWindowChange }: SlaViewProps): React.JSX.Element {
  const threshold = (name: 'time-to-ready' | 'hot-remove'): number | undefined => sla.slos.find((slo) => slo.name === name)?.thresholdMs;
  const { uptime } = sla.fleet;
  return (
    <>
      <div className="filters">
        <label htmlFor="sla-window">Window</label>
        <select
          id="sla-window"
          value={windowId}
          onChange={(event) => {
            const chosen = slaWindows.find((option) => option.id === event.target.value);
            if (chosen !== undefined) onWindowChange(chosen.id);
          }}
        >
          {slaWindows.map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
        </select>
        <span className="muted">buckets of {history.bucketMinutes} min</span>
      </div>
      <div className="charts">
        <LatencyChart title="Time to ready" testId="chart-time-to-ready" points={latencyPoints(history, 'timeToReady')} thresholdMs={threshold('time-to-ready')} />
        <LatencyChart title="Hot remove" testId="chart-hot-remove" points={latencyPoints(history, 'hotRemove')} thresholdMs={threshold('hot-remove')} />
      </div>

      <h2>This month ({sla.period})</h2>
      <dl className="figures card">
        <Figure label="Fleet uptime">{uptime.uptimePct}%</Figure>
        <Figure label="Downtime">{formatSeconds(uptime.downtimeSeconds)}</Figure>
        <Figure label="Window">{formatSeconds(uptime.windowSeconds)}</Figure>
      </dl>
      <LatencyTable
        rows={[
          { name: 'Time to ready', summary: sla.fleet.timeToReady },
          { name: 'Hot remove', summary: sla.fleet.hotRemove },
        ]}
      />

      <h2>Error budgets</h2>
      <div className="slos">
        {sla.slos.map((slo) => (
          <SloCard key={slo.name} slo={slo} />
        ))}
      </div>

      <h2>Credits per tenant</h2>
      <TenantCredits tenants={sla.tenants} />

      <h2>Capacity</h2>
      <CapacityCard capacity={sla.capacity} />
    </>
  );
}
