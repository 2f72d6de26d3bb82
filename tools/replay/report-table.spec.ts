/// <reference types="jest" />
import { policyRun, report } from './__fixtures__/reports';
import { formatReportTable, textTable } from './report-table';

/** The lines of the block that starts with `header`, up to the next blank line. */
function block(text: string, header: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('formatReportTable', () => {
  const text = formatReportTable(report([policyRun('mxs'), policyRun('first-fit', { accepted: 700, rejected: 300, acceptanceRate: 0.7, rejectionsByReason: { 'no-capacity': 300 } })]));

  it('heads the table with the trace and the fleet', () => {
    expect(text).toContain('Replay of traces/fixture.csv: 300 VMs, 1,000 expansion requests over 2h00m');
    expect(text).toContain('Fleet small-seed1: 16 hosts, 20 CXL devices, 12,288 GiB; engine mode');
  });

  it('gives one aligned row per policy with every figure', () => {
    const table = block(text, 'policy');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^policy +accepted +acceptance +top rejections +mean util +peak util +mean stranded +TTR p50\/p95\/p99 +direct USD +pooled USD +total USD$/);
    // Numbers are right-aligned, so every line of the grid ends at the same column.
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
    const mxs = table[2] ?? '';
    for (const figure of ['875/1,000', '87.5%', 'no-capacity 100, vm-ratio-cap 20, +1 more', '43.2%', '80.0%', '123 GiB', '1,234.56', '2,000.00', '3,234.56']) {
      expect(mxs).toContain(figure);
    }
    expect(table[3]).toContain('700/1,000');
    expect(table[3]).toContain('no-capacity 300');
    expect(table[3]).not.toContain('more');
  });

  it('shows "–" for time to ready in engine mode and the percentiles in stack mode', () => {
    const stack = formatReportTable(report([policyRun('mxs', { mode: 'stack', timeToReadySec: { count: 875, p50: 1.25, p95: 3.5, p99: 61, max: 90 } })], null));
    expect(stack).toContain('1.3s / 3.5s / 1m01s');
    expect(stack).toContain('stack mode');
    const engineRow = block(text, 'policy')[2] ?? '';
    expect(engineRow).toMatch(/ – /);
  });

  it('lists the pooling study: capacity needed and saving for each arrangement', () => {
    const pooling = block(text, 'Pooling study');
    expect(pooling[0]).toContain('Pooling study (policy mxs): the same trace on 12,288 GiB of CXL');
    expect(pooling[0]).toContain('needs (found to within 256 GiB) to accept the 990 requests');
    expect(pooling.find((l) => l.startsWith('direct only'))).toMatch(/direct +80\.0% +16,384 GiB +–$/);
    expect(pooling.find((l) => l.startsWith('pools of 16'))).toMatch(/16 +97\.0% +11,264 GiB +31\.3%$/);
  });

  it('leaves the pooling study out when it did not run, and says when nothing was rejected', () => {
    const clean = formatReportTable(report([policyRun('mxs', { rejectionsByReason: {} })], null));
    expect(clean).not.toContain('Pooling study');
    expect(block(clean, 'policy')[2]).toMatch(/87\.5% +– +43\.2%/);
  });
});

describe('textTable', () => {
  it('pads columns to their widest cell, numbers to the right', () => {
    expect(textTable(['name', 'n'], [['a', '1'], ['bbb', '100']], [false, true])).toBe('name    n\n────  ───\na       1\nbbb   100');
  });
});
