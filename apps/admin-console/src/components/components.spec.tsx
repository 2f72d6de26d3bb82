/// <reference types="jest" />
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiProblem } from '../api/problem';
import { deferred, renderView } from '../testing/render';
import { CapacityBar, capacitySegments } from './CapacityBar';
import { ConfirmAction } from './ConfirmAction';
import { FractionBar } from './FractionBar';
import { Money } from './Money';
import { Pager } from './Pager';
import { StateBadge } from './StateBadge';
import { UpdatedAt } from './UpdatedAt';

const widthOf = (container: HTMLElement, segment: string): string =>
  container.querySelector<HTMLElement>(`[data-segment="${segment}"]`)?.style.width ?? 'missing';

describe('CapacityBar', () => {
  it('draws used, reachable free and stranded in proportion to capacity', () => {
    const { container } = render(<CapacityBar capacityGiB={1000} usedGiB={250} freeGiB={750} strandedGiB={150} showLegend />);
    expect(widthOf(container, 'used')).toBe('25%');
    expect(widthOf(container, 'free')).toBe('60%');
    expect(widthOf(container, 'stranded')).toBe('15%');
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe('250 GiB used, 750 GiB free (150 GiB stranded) of 1,000 GiB');
    expect(screen.getByText('stranded 150 GiB')).toBeTruthy();
  });

  it('draws nothing for a device of no capacity and never more stranded than free', () => {
    expect(capacitySegments({ capacityGiB: 0, usedGiB: 0, freeGiB: 0, strandedGiB: 0 })).toEqual({ usedPct: 0, freePct: 0, strandedPct: 0 });
    expect(capacitySegments({ capacityGiB: 100, usedGiB: 90, freeGiB: 10, strandedGiB: 40 })).toEqual({ usedPct: 90, freePct: 0, strandedPct: 10 });
  });
});

describe('FractionBar', () => {
  it('clamps an overspent fraction to an empty bar', () => {
    const { container } = render(<FractionBar fraction={-0.2} label="budget" />);
    expect(widthOf(container, 'fill')).toBe('0%');
  });
});

describe('StateBadge', () => {
  it.each([
    ['active', 'badge-good'],
    ['degraded', 'badge-warn'],
    ['failed', 'badge-bad'],
    ['attaching', 'badge-busy'],
    ['released', 'badge-quiet'],
    ['down', 'badge-bad'],
  ] as const)('shows %s as %s', (state, tone) => {
    render(<StateBadge state={state} />);
    expect(screen.getByText(state).className).toContain(tone);
  });
});

describe('Money', () => {
  it('formats minor units with the currency’s decimals', () => {
    render(
      <>
        <Money amountMinor={123456} currency="EUR" />
        <Money amountMinor={-2500} currency="USD" />
        <Money amountMinor={1500} currency="JPY" />
        <Money amountMinor={1999} currency="XXQ" />
        <Money amountMinor={1999} currency="E1" />
      </>,
    );
    expect(screen.getByText('€1,234.56')).toBeTruthy();
    expect(screen.getByText('-$25.00')).toBeTruthy();
    expect(screen.getByText('¥1,500')).toBeTruthy();
    expect(screen.getByText('XXQ 19.99')).toBeTruthy();
    expect(screen.getByText('19.99 E1')).toBeTruthy();
  });
});

describe('Pager', () => {
  it('calls back with the next cursor, and "First page" starts over', async () => {
    const user = userEvent.setup();
    const onNext = jest.fn();
    const onFirst = jest.fn();
    render(<Pager nextCursor="c-2" isFirstPage={false} onNext={onNext} onFirst={onFirst} />);

    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'First page' }));

    expect(onNext).toHaveBeenCalledWith('c-2');
    expect(onFirst).toHaveBeenCalledTimes(1);
  });

  it('cannot go on from the last page or back from the first', () => {
    render(<Pager nextCursor={null} isFirstPage onNext={jest.fn()} onFirst={jest.fn()} />);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Next' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'First page' }).disabled).toBe(true);
  });
});

describe('UpdatedAt', () => {
  it('shows the time of the last load', () => {
    render(<UpdatedAt at={new Date(2026, 10, 21, 9, 5, 7)} />);
    expect(screen.getByText('updated 09:05:07')).toBeTruthy();
  });
});

describe('ConfirmAction', () => {
  function renderDrain(action: () => Promise<string>, onDone = jest.fn()): void {
    renderView(<ConfirmAction label="Drain" title="Drain cxl-1?" description="No new extents will be placed on cxl-1." action={action} onDone={onDone} />);
  }

  it('asks first, then runs the action once and shows its result', async () => {
    const user = userEvent.setup();
    const running = deferred<string>();
    const action = jest.fn(() => running.promise);
    const onDone = jest.fn();
    renderDrain(action, onDone);

    await user.click(screen.getByRole('button', { name: 'Drain' }));
    const dialog = screen.getByRole('dialog', { name: 'Drain cxl-1?' });
    expect(within(dialog).getByText('No new extents will be placed on cxl-1.')).toBeTruthy();
    expect(action).not.toHaveBeenCalled();

    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    running.resolve('cxl-1 is now draining.');

    expect((await screen.findByRole('status')).textContent).toBe('cxl-1 is now draining.');
    expect(action).toHaveBeenCalledTimes(1);
    expect(onDone).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('runs nothing on Cancel', async () => {
    const user = userEvent.setup();
    const action = jest.fn(() => Promise.resolve('done'));
    renderDrain(action);

    await user.click(screen.getByRole('button', { name: 'Drain' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('status')).toBeNull();
    expect(action).not.toHaveBeenCalled();
  });

  it('shows the problem detail in an alert when the action is refused', async () => {
    const user = userEvent.setup();
    const onDone = jest.fn();
    renderDrain(() => Promise.reject(new ApiProblem(409, { title: 'Conflict', detail: 'cxl-1 is failed; restore it first' })), onDone);

    await user.click(screen.getByRole('button', { name: 'Drain' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('alert')).textContent).toBe('cxl-1 is failed; restore it first');
    expect(screen.queryByRole('status')).toBeNull();
    expect(onDone).toHaveBeenCalledTimes(1);
  });
});
