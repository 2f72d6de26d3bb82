/// <reference types="jest" />
import { HostLedger, VM_DRAM_SHARE } from './host-ledger';

const hosts = [
  { id: 'h1', dramGiB: 100, state: 'healthy' }, // 90 GiB for VMs
  { id: 'h2', dramGiB: 200, state: 'healthy' }, // 180
  { id: 'h3', dramGiB: 100, state: 'healthy' }, // 90
  { id: 'h4', dramGiB: 1000, state: 'maintenance' },
];

describe('HostLedger', () => {
  it('places best fit on DRAM: the host with the least room that still fits, the lowest index on a tie', () => {
    const ledger = new HostLedger(hosts);
    expect(VM_DRAM_SHARE).toBe(0.9);
    expect(ledger.place('a', 60)).toBe('h1'); // h1 and h3 tie at 90
    expect(ledger.place('b', 40)).toBe('h3'); // h1 has 30 left, h3 90, h2 180
    expect(ledger.place('c', 30)).toBe('h1'); // exactly the 30 left on h1
    expect(ledger.place('d', 100)).toBe('h2');
    expect(ledger.hostOf('b')).toBe('h3');
  });

  it('never places on a host that is not healthy, and says so when nothing fits', () => {
    const ledger = new HostLedger(hosts);
    expect(ledger.place('big', 181)).toBeUndefined();
    expect(ledger.hostOf('big')).toBeUndefined();
  });

  it('gives a leaving VM’s DRAM back, and ignores VMs it never placed', () => {
    const ledger = new HostLedger(hosts);
    expect(ledger.place('a', 90)).toBe('h1');
    expect(ledger.place('b', 90)).toBe('h3');
    expect(ledger.place('c', 90)).toBe('h2');
    expect(ledger.place('d', 90)).toBe('h2');
    expect(ledger.place('e', 90)).toBeUndefined();
    ledger.remove('b');
    ledger.remove('never-placed');
    expect(ledger.hostOf('b')).toBeUndefined();
    expect(ledger.place('e', 90)).toBe('h3');
  });

  it('refuses to place one VM twice', () => {
    const ledger = new HostLedger(hosts);
    ledger.place('a', 8);
    expect(() => ledger.place('a', 8)).toThrow('already placed');
  });
});
