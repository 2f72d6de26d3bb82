/// <reference types="jest" />
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminExpansionDetail } from '../../api/types';
import { expansionDetail } from '../../testing/fixtures';
import { renderView } from '../../testing/render';
import { ExpansionView } from './ExpansionView';
import { sagaChart } from './saga';

function renderExpansion(expansion: AdminExpansionDetail = expansionDetail): { onForceRelease: jest.Mock; onChanged: jest.Mock } {
  const callbacks = {
    onForceRelease: jest.fn(() => Promise.resolve({ ...expansion, state: 'detaching' as const })),
    onChanged: jest.fn(() => Promise.resolve()),
  };
  renderView(<ExpansionView expansion={expansion} {...callbacks} />);
  return callbacks;
}

const [operation] = expansionDetail.operations;
if (operation === undefined) throw new Error('the fixture has a hot-add saga');

describe('ExpansionView', () => {
  it('shows the state and the transitions that led to it', () => {
    renderExpansion();
    expect(screen.getByTestId('expansion-state').textContent?.trim()).toBe('active');
    const transitions = within(screen.getByRole('list', { name: 'State transitions' })).getAllByRole('listitem');
    expect(transitions).toHaveLength(4);
    expect(transitions[3]?.textContent?.replace(/\s+/g, ' ')).toContain('attaching → active');
    expect(transitions[3]?.textContent).toContain('(+2.30 s)');
    expect(transitions[3]?.textContent).toContain('memory online');
  });

  it('shows each saga step with its duration, retries and errors', () => {
    renderExpansion();
    const saga = screen.getByTestId('saga-op-add-1');
    expect(saga.textContent).toContain('hot-add');
    expect(saga.textContent).toContain('attempts 2 (1 retry)');
    const rows = within(saga).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.querySelector('td')?.textContent)).toEqual(['bind-switch-port', 'program-hdm-decoder', 'online-memory']);
    const [bindRow, decoderRow] = rows;
    if (bindRow === undefined || decoderRow === undefined) throw new Error('steps missing');
    const decoder = within(decoderRow).getAllByRole('cell');
    expect(decoder[2]?.textContent).toBe('1.00 s');
    expect(decoder[3]?.textContent).toBe('2');
    expect(decoder[4]?.textContent).toBe('decoder busydecoder busy');
    expect(within(bindRow).getAllByRole('cell')[2]?.textContent).toBe('500 ms');
  });

  it('draws the steps as Gantt bars along the saga’s span', () => {
    renderExpansion();
    const bars = screen.getByTestId('saga-op-add-1').querySelectorAll<HTMLElement>('.gantt-bar');
    // The saga ran 2 s: 0.5 s, then 1 s, then 0.5 s, back to back.
    expect([...bars].map((bar) => [bar.style.left, bar.style.width])).toEqual([
      ['0%', '25%'],
      ['25%', '50%'],
      ['75%', '25%'],
    ]);
    expect(sagaChart(operation).spanMs).toBe(2000);
  });

  it('shows the last error and undo steps of a failed saga', () => {
    renderExpansion({
      ...expansionDetail,
      state: 'failed',
      operations: [
        {
          ...operation,
          state: 'failed',
          attempts: 5,
          lastError: 'HDM decoder commit timed out',
          steps: [...operation.steps.slice(0, 1), { name: 'unbind-switch-port', phase: 'undo', finishedAt: '2026-11-21T09:00:02.100Z', durationMs: 300, attempts: 1, errors: [] }],
        },
      ],
    });
    const saga = screen.getByTestId('saga-op-add-1');
    expect(saga.textContent).toContain('Last error: HDM decoder commit timed out');
    expect(saga.textContent).toContain('(4 retries)');
    expect(within(saga).getByText('undo')).toBeTruthy();
  });

  it('force-releases an active expansion after confirmation', async () => {
    const user = userEvent.setup();
    const { onForceRelease, onChanged } = renderExpansion();

    await user.click(screen.getByRole('button', { name: 'Force release' }));
    expect(screen.getByRole('dialog').textContent).toContain('taken from VM vm-1');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('status')).textContent).toBe('Force release started: exp-a is detaching.');
    expect(onForceRelease).toHaveBeenCalledTimes(1);
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it.each(['attaching', 'detaching', 'released', 'failed'] as const)('offers no force release while %s', (state) => {
    renderExpansion({ ...expansionDetail, state });
    expect(screen.queryByRole('button', { name: 'Force release' })).toBeNull();
  });

  it('offers force release on a degraded expansion', () => {
    renderExpansion({ ...expansionDetail, state: 'degraded' });
    expect(screen.getByRole('button', { name: 'Force release' })).toBeTruthy();
  });

  it('links each extent to its device', () => {
    renderExpansion();
    expect(screen.getByRole('link', { name: 'cxl-r1-p0' }).getAttribute('href')).toBe('/devices/cxl-r1-p0');
  });
});
