/// <reference types="jest" />
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiProblem } from '../../api/problem';
import type { DeviceDetail } from '../../api/types';
import { deviceDetail } from '../../testing/fixtures';
import { renderView } from '../../testing/render';
import { DeviceView } from './DeviceView';
import { mapWidth } from './ExtentMap';
import { tenantColour } from './tenantColour';

interface Callbacks {
  onSetHealth?: jest.Mock;
  onFault?: jest.Mock;
  onChanged?: jest.Mock;
}

function renderDevice(device: DeviceDetail = deviceDetail, callbacks: Callbacks = {}): Required<Callbacks> {
  const all = {
    onSetHealth: callbacks.onSetHealth ?? jest.fn((health: 'draining' | 'healthy') => Promise.resolve({ id: device.id, health, healthReason: null })),
    onFault: callbacks.onFault ?? jest.fn(() => Promise.resolve({ seq: 9 })),
    onChanged: callbacks.onChanged ?? jest.fn(() => Promise.resolve()),
  };
  renderView(<DeviceView device={device} {...all} />);
  return all;
}

const rectOf = (expansionId: string): SVGRectElement => {
  const rect = screen.getByTestId(`extent-${expansionId}`).querySelector('rect');
  if (rect === null) throw new Error(`no rect for ${expansionId}`);
  return rect;
};

describe('DeviceView', () => {
  it('places each extent along the address range at offset / capacity', () => {
    renderDevice();
    const map = screen.getByTestId('extent-map');
    expect(within(map).getAllByTestId(/^extent-exp-/)).toHaveLength(3);
    // 1024 GiB: exp-b at 256 GiB for 128 GiB is a quarter in, an eighth wide.
    expect(Number(rectOf('exp-b').getAttribute('x'))).toBe(mapWidth / 4);
    expect(Number(rectOf('exp-b').getAttribute('width'))).toBe(mapWidth / 8);
    expect(Number(rectOf('exp-a').getAttribute('x'))).toBe(0);
    expect(Number(rectOf('exp-c').getAttribute('x'))).toBe(mapWidth / 2);
  });

  it('colours extents by tenant and labels them', () => {
    renderDevice();
    expect(rectOf('exp-a').getAttribute('fill')).toBe(tenantColour('acme'));
    expect(rectOf('exp-c').getAttribute('fill')).toBe(tenantColour('acme'));
    expect(rectOf('exp-b').getAttribute('fill')).toBe(tenantColour('globex'));
    expect(screen.getByTestId('extent-exp-b').textContent).toContain('Globex · 128 GiB');
  });

  it('lists who owns each extent, linking to the expansion', () => {
    renderDevice();
    const link = screen.getByRole('link', { name: 'exp-c' });
    expect(link.getAttribute('href')).toBe('/expansions/exp-c');
    const row = link.closest('tr');
    expect(row?.textContent).toContain('Acme Corp');
    expect(row?.textContent).toContain('degraded');
    expect(row?.textContent).toContain('512 GiB');
  });

  it('shows health and offers Drain on a healthy device', () => {
    renderDevice();
    expect(screen.getByTestId('device-health').textContent?.trim()).toBe('healthy');
    expect(screen.getByRole('button', { name: 'Drain' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Put back' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Fail device' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Restore device' })).toBeTruthy();
  });

  it.each(['draining', 'degraded'] as const)('offers Put back on a %s device', (health) => {
    renderDevice({ ...deviceDetail, health, healthReason: 'firmware update' });
    expect(screen.getByTestId('device-health').textContent).toContain(health);
    expect(screen.getByRole('button', { name: 'Put back' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Drain' })).toBeNull();
  });

  it('drains after confirmation and reloads', async () => {
    const user = userEvent.setup();
    const { onSetHealth, onChanged } = renderDevice();

    await user.click(screen.getByRole('button', { name: 'Drain' }));
    expect(screen.getByRole('dialog').textContent).toContain('No new extents will be placed on cxl-r1-p0');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('status')).textContent).toBe('cxl-r1-p0 is now draining.');
    expect(onSetHealth).toHaveBeenCalledWith('draining');
    expect(onSetHealth).toHaveBeenCalledTimes(1);
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it('fails the device through the simulator', async () => {
    const user = userEvent.setup();
    const { onFault } = renderDevice();

    await user.click(screen.getByRole('button', { name: 'Fail device' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('status')).textContent).toBe('Fail device: injected (simulator event #9).');
    expect(onFault).toHaveBeenCalledWith({ kind: 'device-fail', deviceId: 'cxl-r1-p0' });
  });

  it('shows why a restore was refused', async () => {
    const user = userEvent.setup();
    renderDevice(deviceDetail, { onFault: jest.fn(() => Promise.reject(new ApiProblem(503, { detail: 'The host simulator is not reachable' }))) });

    await user.click(screen.getByRole('button', { name: 'Restore device' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));

    expect((await screen.findByRole('alert')).textContent).toBe('The host simulator is not reachable');
  });

  it('says so when the device holds nothing', () => {
    renderDevice({ ...deviceDetail, extents: [], telemetry: null, telemetryAt: null });
    expect(screen.queryAllByTestId(/^extent-exp-/)).toHaveLength(0);
    expect(screen.getByText('No live extents: the whole range is free.')).toBeTruthy();
    expect(screen.getByText('No telemetry polled yet.')).toBeTruthy();
  });
});
