/// <reference types="jest" />
import { formatLogLine, logFormatOf, NO_COLORS, prefixOf, terminalColors } from './log-format';

const at = new Date(2025, 10, 21, 9, 5, 7, 42).getTime();
const line = (record: Record<string, unknown>) => JSON.stringify({ level: 30, time: at, pid: 7, hostname: 'box', ...record });

describe('formatLogLine', () => {
  it('shows a pino-http request as one line: method, path, status, time, request id', () => {
    const text = formatLogLine(
      line({ req: { id: 'req-1', method: 'POST', url: '/v1/vms/demo-vm-1/expansions', headers: {} }, res: { statusCode: 202 }, responseTime: 12, msg: 'request completed' }),
      'pretty',
    );
    expect(text).toBe('09:05:07.042 INFO  POST /v1/vms/demo-vm-1/expansions 202 12ms request completed reqId=req-1');
    const tagged = formatLogLine(line({ req: { id: 'r-2', method: 'GET', url: '/health' }, res: { statusCode: 200 }, requestId: 'r-2', msg: 'request completed' }), 'pretty');
    expect(tagged).toBe('09:05:07.042 INFO  GET /health 200 request completed requestId=r-2');
  });

  it('shows the Nest context and any other fields', () => {
    expect(formatLogLine(line({ level: 40, context: 'OutboxRelay', msg: 'redis unavailable', pending: 3, queue: 'hotplug' }), 'pretty')).toBe(
      '09:05:07.042 WARN  [OutboxRelay] redis unavailable pending=3 queue=hotplug',
    );
  });

  it('prints an error\'s stack under the line', () => {
    const text = formatLogLine(line({ level: 50, msg: 'boom', err: { type: 'Error', message: 'x', stack: 'Error: x\n    at f (a.ts:1:1)' } }), 'pretty');
    expect(text.split('\n')).toEqual(['09:05:07.042 ERROR boom', '    Error: x', '        at f (a.ts:1:1)']);
  });

  it('leaves lines that are not pino records alone, and every line in json mode', () => {
    expect(formatLogLine('Listening on 3000', 'pretty')).toBe('Listening on 3000');
    expect(formatLogLine('{"not":"pino"}', 'pretty')).toBe('{"not":"pino"}');
    expect(formatLogLine('{broken', 'pretty')).toBe('{broken');
    const raw = line({ msg: 'kept' });
    expect(formatLogLine(raw, 'json')).toBe(raw);
  });
});

describe('log output settings', () => {
  it('reads MXS_LOG_FORMAT, pretty unless it says json', () => {
    expect(logFormatOf({})).toBe('pretty');
    expect(logFormatOf({ MXS_LOG_FORMAT: 'JSON' })).toBe('json');
    expect(logFormatOf({ MXS_LOG_FORMAT: 'other' })).toBe('pretty');
  });

  it('pads the app name so the bars line up', () => {
    expect(prefixOf('mxs', 13)).toBe('mxs           | ');
    expect(prefixOf('placement-api', 13)).toBe('placement-api | ');
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(terminalColors({ isTTY: false }, {})).toBe(NO_COLORS);
    expect(terminalColors({ isTTY: true }, { NO_COLOR: '1' })).toBe(NO_COLORS);
    expect(terminalColors({ isTTY: true }, {}).level(50, 'ERROR')).toBe('\u001b[31mERROR\u001b[0m');
  });
});
