/// <reference types="jest" />
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fleetSla, slaHistory } from '../../testing/fixtures';
import { renderView } from '../../testing/render';
import { latencyPoints } from './slaWindows';
import { SlaView } from './SlaView';

function renderSla(onWindowChange = jest.fn()): void {
  renderView(<SlaView sla={fleetSla} history={slaHistory} windowId="24h" onWindowChange={onWindowChange} />);
}

describe('SlaView', () => {
  it('draws time-to-ready and hot-remove percentiles as line charts', () => {
    renderSla();
    for (const testId of ['chart-time-to-ready', 'chart-hot-remove']) {
      const chart = screen.getByTestId(testId);
      expect(chart.querySelector('.recharts-wrapper')).not.toBeNull();
      const legend = [...chart.querySelectorAll('.recharts-legend-item-text')].map((item) => item.textContent);
      expect(legend).toEqual(['p50', 'p95', 'p99']);
      expect(chart.querySelectorAll('.recharts-line')).toHaveLength(3);
    }
  });

  it('counts the samples the buckets hold', () => {
    renderSla();
    // 24 buckets of 40 samples, 4 of them empty for time to ready.
    expect(screen.getByTestId('chart-time-to-ready').textContent).toContain('800 samples in 24 buckets');
    expect(screen.getByTestId('chart-hot-remove').textContent).toContain('960 samples in 24 buckets');
  });

  it('turns empty buckets into gaps, not zeros', () => {
    const points = latencyPoints(slaHistory, 'timeToReady');
    expect(points).toHaveLength(24);
    expect(points[0]).toMatchObject({ count: 0, p50: null, p95: null, p99: null });
    expect(points[1]).toMatchObject({ count: 40, p50: 810, p95: 1620, p99: 2430 });
  });

  it('labels buckets of a week with their date', () => {
    const week = latencyPoints({ ...slaHistory, bucketMinutes: 360 }, 'hotRemove');
    expect(week[0]?.label).toMatch(/^\d\d-\d\d \d\d:\d\d$/);
    expect(latencyPoints(slaHistory, 'hotRemove')[0]?.label).toMatch(/^\d\d:\d\d$/);
  });

  it('asks for another window', async () => {
    const user = userEvent.setup();
    const onWindowChange = jest.fn();
    renderSla(onWindowChange);
    await user.selectOptions(screen.getByLabelText('Window'), '7 d');
    expect(onWindowChange).toHaveBeenCalledWith('7d');
  });

  it('shows the current percentiles and fleet uptime', () => {
    renderSla();
    const row = screen.getByRole('cell', { name: 'Time to ready' }).closest('tr');
    expect(row?.textContent).toBe('Time to ready1,200900 ms1,800 ms2,700 ms3,150 ms3,600 ms');
    expect(screen.getByText('99.993%')).toBeTruthy();
  });

  it('shows what is left of each error budget as a bar', () => {
    renderSla();
    const ttr = screen.getByTestId('slo-time-to-ready');
    expect(ttr.textContent).toContain('16.7% of the error budget left');
    const fill = ttr.querySelector<HTMLElement>('[data-segment="fill"]');
    expect(fill?.style.width).toBe(`${(2 / 12) * 100}%`);
    expect(fill?.className).toContain('segment-warn');
    expect(screen.getByTestId('slo-hot-remove').textContent).toContain('100.0% of the error budget left');
  });

  it('badges burn alerts that are firing', () => {
    renderSla();
    const fast = screen.getByTestId('burn-time-to-ready-fast');
    expect(within(fast).getByText('firing').className).toContain('badge-bad');
    expect(fast.textContent).toContain('×14.4×16.20×20.10');
    expect(within(screen.getByTestId('burn-time-to-ready-slow')).queryByText('firing')).toBeNull();
    expect(screen.getAllByText('firing')).toHaveLength(1);
  });

  it('lists credits per tenant and the capacity summary', () => {
    renderSla();
    const credits = screen.getByTestId('tenant-credits');
    expect(within(credits).getByRole('link', { name: 'acme' }).closest('tr')?.textContent).toContain('€25.00');
    expect(within(credits).getByRole('link', { name: 'globex' }).closest('tr')?.textContent).toContain('—');
    expect(screen.getByTestId('sla-capacity').textContent).toContain('Placeable1,280 GiB');
  });
});
