/// <reference types="jest" />
import { loggedTestApp } from '../__fixtures__/logged-test-app';

// A file of its own: nestjs-pino keeps the logger it writes through outside a request in its
// module, set by the first app a process builds, so this app must be that first one.
describe('JSON logs without the request context', () => {
  const { lines, app } = loggedTestApp({ requestContext: false });

  it('still gives the access line the request id, but not logs written inside a handler', async () => {
    await app().http.get('/fail/log').set('X-Request-Id', 'trace-5');
    expect(lines.filter((line) => line.requestId === 'trace-5').map((line) => line.msg)).toEqual(['request completed']);
    const inside = lines.find((line) => line.msg === 'inside the handler');
    expect(inside).toMatchObject({ level: 30 });
    expect(inside).not.toHaveProperty('requestId');
  });
});
