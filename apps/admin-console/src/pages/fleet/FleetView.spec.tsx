/// <reference types="jest" />
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fleet } from '../../testing/fixtures';
import { renderView } from '../../testing/render';
import { heatColour } from './DeviceTile';
import { FleetView, groupByRack } from './FleetView';

function renderFleet(onFault = jest.fn(() => Promise.resolve({ seq: 42 })), onChanged = jest.fn(() => Promise.resolve())): void {
  renderView(<FleetView fleet={fleet} onFault={onFault} onChanged={onChanged} />);
}

describe('FleetView', () => {
  it('shows every device as a tile with its health, its capacity bar and a link to its page', () => {
    renderFleet();
    const tile = screen.getByTestId('device-cxl-r1-d0');
    expect(tile.textContent).toContain('draining');
    expect(tile.getAttribute('href')).toBe('/devices/cxl-r1-d0');
    expect(tile.className).toContain('health-draining');
    expect(within(tile).getByRole('img').getAttribute('aria-label')).toBe('192 GiB used, 64 GiB free (0 GiB stranded) of 256 GiB');
    expect(screen.getByTestId('device-cxl-r2-p0').textContent).toContain('failed');
    expect(screen.getByTestId('device-cxl-r1-p0').textContent).toContain('healthy');
  });

  it('colours tiles by utilization: a fuller device is darker', () => {
    renderFleet();
    const lightness = (colour: string): number => Number(/(\d+)%\)$/.exec(colour)?.[1]);
    const asStyled = (colour: string): string => {
      const probe = document.createElement('span');
      probe.style.backgroundColor = colour;
      return probe.style.backgroundColor;
    };
    // cxl-r1-d0 is 75% used, cxl-r1-p0 25%.
    expect(asStyled(heatColour(0.75))).not.toBe('');
    expect(screen.getByTestId('device-cxl-r1-d0').style.backgroundColor).toBe(asStyled(heatColour(0.75)));
    expect(screen.getByTestId('device-cxl-r1-p0').style.backgroundColor).toBe(asStyled(heatColour(0.25)));
    expect(lightness(heatColour(0.75))).toBeLessThan(lightness(heatColour(0.25)));
  });

  it('shows the fleet totals as figures and a bar', () => {
    renderFleet();
    const totals = screen.getByTestId('fleet-totals');
    expect(totals.textContent).toContain('2,304 GiB');
    expect(totals.textContent).toContain('19.4%');
    expect(totals.textContent).toContain('Stranded128 GiB');
    expect(totals.textContent).toContain('21.0%');
    expect(totals.textContent).toContain('2 not healthy');
    const stranded = totals.querySelector<HTMLElement>('[data-segment="stranded"]');
    expect(stranded?.style.width).toBe(`${(128 / 2304) * 100}%`);
  });

  it('lays racks out as cards holding their hosts, switches and devices', () => {
    renderFleet();
    const rack2 = screen.getByTestId('rack-r2');
    expect(within(rack2).getByTestId('host-h-r2-0').textContent).toContain('failed');
    expect(within(rack2).getByTestId('switch-sw-r2').textContent).toContain('down');
    expect(within(rack2).getByTestId('device-cxl-r2-p0')).toBeTruthy();
    expect(within(rack2).queryByTestId('device-cxl-r1-p0')).toBeNull();
  });

  it('offers the fault that applies to each host and switch', () => {
    renderFleet();
    expect(within(screen.getByTestId('host-h-r1-0')).getByRole('button', { name: 'Crash host' })).toBeTruthy();
    expect(within(screen.getByTestId('host-h-r2-0')).getByRole('button', { name: 'Restart host' })).toBeTruthy();
    expect(within(screen.getByTestId('switch-sw-r1')).getByRole('button', { name: 'Link down' })).toBeTruthy();
    expect(within(screen.getByTestId('switch-sw-r2')).getByRole('button', { name: 'Link up' })).toBeTruthy();
  });

  it('injects a link-down after confirmation, shows the result and reloads', async () => {
    const user = userEvent.setup();
    const onFault = jest.fn(() => Promise.resolve({ seq: 42 }));
    const onChanged = jest.fn(() => Promise.resolve());
    renderFleet(onFault, onChanged);

    await user.click(within(screen.getByTestId('switch-sw-r1')).getByRole('button', { name: 'Link down' }));
    expect(within(screen.getByRole('dialog')).getByText(/links of switch sw-r1 down/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('status')).textContent).toBe('Link down: injected (simulator event #42).');
    expect(onFault).toHaveBeenCalledWith({ kind: 'link-down', switchId: 'sw-r1' });
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it('restarts a crashed host', async () => {
    const user = userEvent.setup();
    const onFault = jest.fn(() => Promise.resolve({ seq: 7 }));
    renderFleet(onFault);

    await user.click(screen.getByRole('button', { name: 'Restart host' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByRole('status')).toBeTruthy();
    expect(onFault).toHaveBeenCalledWith({ kind: 'host-restart', hostId: 'h-r2-0' });
  });
});

describe('groupByRack', () => {
  it('gives equipment of an unlisted rack a card of its own', () => {
    const groups = groupByRack({ ...fleet, racks: [{ id: 'r1', regionId: 'eu-west' }] });
    expect(groups.map((group) => group.rack.id)).toEqual(['r1', 'r2']);
    expect(groups[1]?.devices.map((device) => device.id)).toEqual(['cxl-r2-p0']);
  });
});
