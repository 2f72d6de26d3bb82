import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { plural } from '../../format';
import type { LatencyPoint } from './slaWindows';

interface LatencyChartProps {
  title: string;
  testId: string;
  points: LatencyPoint[];
  /** The SLO's threshold, drawn as a dashed line. */
  thresholdMs?: number | undefined;
}

const series = [
  { key: 'p50', colour: '#4e79a7' },
  { key: 'p95', colour: '#f28e2b' },
  { key: 'p99', colour: '#e15759' },
] as const;

export function LatencyChart({ title, testId, points, thresholdMs }: LatencyChartProps): React.JSX.Element {
  const seen = points.reduce((sum, point) => sum + point.count, 0);
  return (
    <figure className="card chart" data-testid={testId}>
      <figcaption>
        <h3>{title}</h3>
        <span className="muted">
          {plural(seen, 'sample')} in {plural(points.length, 'bucket')}
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={points} margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
          <XAxis dataKey="label" minTickGap={24} />
          <YAxis unit=" ms" width={80} />
          <Tooltip />
          <Legend />
          {thresholdMs !== undefined && <ReferenceLine y={thresholdMs} stroke="#b22" strokeDasharray="6 4" label="SLO" />}
          {/* Dots, because a busy bucket between two empty ones has no line to draw. */}
          {series.map(({ key, colour }) => (
            <Line key={key} type="monotone" dataKey={key} name={key} stroke={colour} dot={{ r: 2 }} isAnimationActive={false} connectNulls={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
