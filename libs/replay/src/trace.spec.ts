/// <reference types="jest" />
import type { Trace } from './trace';
import { formatTrace, parseTrace, TraceFormatError, traceEndSec } from './trace';

const TEXT = [
  '# mxs-trace/1',
  '',
  'vm,vm-a,t1,0,7200,32',
  'expansion,vm-a,60,16,direct,3600',
  'vm,vm-b,t2,10,,64',
  '  # an indented comment',
  'expansion,vm-b,20,8,any,',
  'expansion,vm-a,30,4,pooled,',
].join('\n');

function problemsOf(text: string): readonly string[] {
  try {
    parseTrace(text);
  } catch (error) {
    if (error instanceof TraceFormatError) return error.problems;
    throw error;
  }
  throw new Error('parsed without problems');
}

describe('parseTrace', () => {
  it('reads both record kinds, skips blank and comment lines, and numbers each VM’s requests in file order', () => {
    const trace = parseTrace(TEXT);
    expect(trace.vms).toEqual([
      { vmId: 'vm-a', tenantId: 't1', arrivalSec: 0, departureSec: 7200, dramGiB: 32 },
      { vmId: 'vm-b', tenantId: 't2', arrivalSec: 10, departureSec: null, dramGiB: 64 },
    ]);
    expect(trace.expansions.map((x) => [x.id, x.atSec, x.sizeGiB, x.tier, x.releaseSec])).toEqual([
      ['vm-a/1', 60, 16, 'direct', 3600],
      ['vm-b/1', 20, 8, 'any', null],
      ['vm-a/2', 30, 4, 'pooled', null],
    ]);
  });

  it('reports every bad row with its line number', () => {
    const problems = problemsOf(
      [
        'vm,vm-a,t1,0,100,32', // 1: fine
        'vm,vm-b,t1,50,40,32', // 2: departs before it arrives
        'vm,vm-c,t1,0,,3', // 3: fine
        'expansion,vm-a,10,0,any,', // 4: size 0
        'expansion,vm-a,10,8,fast,', // 5: tier
        'expansion,vm-z,10,8,any,', // 6: unknown vm
        'expansion,vm-a,200,8,any,', // 7: after the VM left
        'disk,vm-a', // 8: unknown kind
        'vm,vm-a,t1,0,100,32', // 9: listed twice
        'vm,vm-d,t1,0', // 10: too few fields
      ].join('\n'),
    );
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual(['line 2', 'line 4', 'line 5', 'line 8', 'line 9', 'line 10', 'line 6', 'line 7']);
    expect(problems[0]).toContain('departureSec 40 must be after arrivalSec 50');
    expect(problems[1]).toContain('sizeGiB "0"');
    expect(problems[2]).toContain('tier "fast"');
    expect(problems[6]).toContain('unknown vm "vm-z"');
    expect(problems[7]).toContain('outside the life of vm "vm-a"');
  });

  it('refuses a release that is not after the request, and sizes over the engine’s maximum', () => {
    const problems = problemsOf(['vm,v,t,0,,8', 'expansion,v,10,8,any,10', 'expansion,v,10,4096,any,'].join('\n'));
    expect(problems).toEqual([expect.stringMatching(/^line 2: releaseSec 10 must be after atSec 10/), expect.stringMatching(/^line 3: sizeGiB 4096 is over 2048/)]);
  });
});

describe('formatTrace', () => {
  it('round-trips through parseTrace, comments included as # lines', () => {
    const trace = parseTrace(TEXT);
    const text = formatTrace(trace, ['seed 7']);
    expect(text.split('\n').slice(0, 2)).toEqual(['# mxs-trace/1', '# seed 7']);
    expect(parseTrace(text)).toEqual(trace);
    expect(formatTrace(parseTrace(text), ['seed 7'])).toBe(text);
  });
});

describe('traceEndSec', () => {
  it('is the last departure, arrival, request or release', () => {
    const trace: Trace = parseTrace(TEXT);
    expect(traceEndSec(trace)).toBe(7200);
    expect(traceEndSec(parseTrace('vm,v,t,5,,8\nexpansion,v,90,2,any,'))).toBe(90);
    expect(traceEndSec({ vms: [], expansions: [] })).toBe(0);
  });
});
