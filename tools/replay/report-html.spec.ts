/// <reference types="jest" />
import { policyRun, report } from './__fixtures__/reports';
import { renderReportHtml } from './report-html';
import { CHART_HEIGHT, CHART_WIDTH, niceScale } from './svg-chart';

/** Each inline chart with its title. */
function charts(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of html.matchAll(/<svg[\s\S]*?<\/svg>/g)) {
    const title = /<text[^>]*class="title">([^<]*)</.exec(match[0])?.[1] ?? '';
    found.set(title, match[0]);
  }
  return found;
}

function polylinePoints(svg: string): [number, number][][] {
  return [...svg.matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) => (m[1] ?? '').split(' ').map((p) => p.split(',').map(Number) as [number, number]));
}

describe('renderReportHtml', () => {
  const runs = [policyRun('mxs'), policyRun('mxs-spread', { meanUtilization: 0.5 }), policyRun('first-fit', { acceptanceRate: 0.7, accepted: 700 })];
  const html = renderReportHtml(report(runs));

  it('is one self-contained page: no script, stylesheet, font or image from anywhere', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\bsrc=|url\(|@import/i);
  });

  it('draws utilization and stranded GiB with one polyline per policy, every point inside the viewBox', () => {
    const byTitle = charts(html);
    for (const title of ['CXL utilization', 'Stranded GiB']) {
      const svg = byTitle.get(title) ?? '';
      expect(svg).toContain(`viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}"`);
      const lines = polylinePoints(svg);
      expect(lines).toHaveLength(runs.length);
      for (const points of lines) {
        expect(points).toHaveLength(13);
        for (const [x, y] of points) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(CHART_WIDTH);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(y).toBeLessThanOrEqual(CHART_HEIGHT);
        }
        // Time runs left to right; utilization climbs, so y (down the page) falls.
        expect(points.map(([x]) => x)).toEqual([...points.map(([x]) => x)].sort((a, b) => a - b));
      }
      for (const run of runs) expect(svg).toContain(`>${run.policy}</text>`);
      expect(svg).toContain('time since the trace started (h)');
    }
    expect(byTitle.get('CXL utilization')).toContain('>100%</text>');
  });

  it('charts rejections by reason, revenue by tier and the pooling study as bars', () => {
    const byTitle = charts(html);
    const rejections = byTitle.get('Rejected requests by reason') ?? '';
    expect(rejections.match(/<rect[^>]*><title>/g)).toHaveLength(3 * runs.length);
    expect(rejections).toContain('mxs · no-capacity: 100');
    expect(byTitle.get('Revenue by tier (USD)')).toContain('first-fit · total: 3,234.56');
    const pooling = byTitle.get('CXL capacity needed to accept the same requests') ?? '';
    expect(pooling).toContain('saves 31.3%');
    expect(pooling).toContain('pools of 8: 12,288');
  });

  it('shows the figures: cards and raw tables', () => {
    for (const figure of ['87.5%', '875 of 1,000 requests accepted', 'mean utilization 50.0%', 'revenue 3,234.56 USD', '1,234.56 USD', '11,264 GiB', '31.3%', 'pooling (pools of 16)']) {
      expect(html).toContain(figure);
    }
    expect(html).toContain('<td>tenant-quota</td><td class="n">5</td>');
  });

  it('escapes names it did not write itself', () => {
    const hostile = renderReportHtml(report([policyRun('<img onerror=x>', { rejectionsByReason: { 'quota<script>&': 3 } })]));
    expect(hostile).not.toContain('<img');
    expect(hostile).not.toContain('<script');
    expect(hostile).toContain('&#60;img onerror=x&#62;');
    expect(hostile).toContain('quota&#60;script&#62;&#38;');
  });

  it('adds time-to-ready percentiles only when a run measured them', () => {
    expect(html).not.toContain('Time to ready');
    const stack = renderReportHtml(report([policyRun('mxs', { mode: 'stack', timeToReadySec: { count: 875, p50: 1.25, p95: 3.5, p99: 61, max: 90 } })], null));
    expect(charts(stack).get('Time to ready (request to active)')).toContain('mxs · p99: 61');
    expect(stack).toContain('<td class="n">1m01s</td>');
    expect(stack).not.toContain('Pooling study');
  });
});

describe('niceScale', () => {
  it.each([
    [1, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [9830, 10000, [0, 2000, 4000, 6000, 8000, 10000]],
    [7, 8, [0, 2, 4, 6, 8]],
    [0, 1, [0, 1]],
  ])('covers %p with a round top %p', (max, top, ticks) => {
    expect(niceScale(max)).toEqual({ max: top, ticks });
  });
});
