/// <reference types="jest" />
import { effectiveReleaseSec, traceEvents } from './events';
import { parseTrace } from './trace';

describe('traceEvents', () => {
  it('orders events by time; at one second releases, then departures, then arrivals, then requests', () => {
    const trace = parseTrace(
      [
        'vm,a,t,0,100,8',
        'vm,b,t,100,,8',
        'expansion,a,0,2,any,50',
        'expansion,b,100,2,any,',
        'expansion,a,50,4,any,',
        'vm,c,t,50,200,8',
      ].join('\n'),
    );
    const events = traceEvents(trace).map((e) => `${e.atSec} ${e.kind} ${'vm' in e ? e.vm.vmId : e.expansion.id}`);
    expect(events).toEqual([
      '0 arrive a',
      '0 request a/1',
      '50 release a/1',
      '50 arrive c',
      '50 request a/2',
      '100 release a/2', // held until its VM departs
      '100 depart a',
      '100 arrive b',
      '100 request b/1',
      '200 depart c',
    ]);
  });

  it('keeps file order among events of one kind at one second', () => {
    const trace = parseTrace(['vm,z,t,5,,8', 'vm,y,t,5,,8', 'vm,x,t,5,,8'].join('\n'));
    expect(traceEvents(trace).map((e) => ('vm' in e ? e.vm.vmId : ''))).toEqual(['z', 'y', 'x']);
  });
});

describe('effectiveReleaseSec', () => {
  it('is the earlier of the release and the VM’s departure, null when neither comes', () => {
    const trace = parseTrace(['vm,a,t,0,100,8', 'vm,b,t,0,,8', 'expansion,a,1,2,any,50', 'expansion,a,1,2,any,', 'expansion,b,1,2,any,'].join('\n'));
    const [vmA, vmB] = trace.vms;
    const [x1, x2, x3] = trace.expansions;
    if (!vmA || !vmB || !x1 || !x2 || !x3) throw new Error('fixture');
    expect([effectiveReleaseSec(x1, vmA), effectiveReleaseSec(x2, vmA), effectiveReleaseSec(x3, vmB)]).toEqual([50, 100, null]);
  });
});
