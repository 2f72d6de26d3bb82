/// <reference types="jest" />
import { HOTPLUG_JOBS } from '@mxs/contracts';
import { checkJobWiring } from './job-wiring';

describe('job wiring', () => {
  const handler = async (): Promise<void> => undefined;

  it('accepts a handler for every hotplug job name of libs/contracts', () => {
    expect(() => checkJobWiring('hotplug', Object.fromEntries(HOTPLUG_JOBS.map((n) => [n, handler])), HOTPLUG_JOBS)).not.toThrow();
  });

  it('refuses to start with a job name that has no handler', () => {
    expect(() => checkJobWiring('hotplug', { 'hot-add': handler }, HOTPLUG_JOBS)).toThrow(/hotplug job wiring is wrong: no handler for \[hot-remove\]/);
  });

  it('refuses a handler for a job nobody sends', () => {
    expect(() => checkJobWiring('hotplug', { 'hot-add': handler, 'hot-remove': handler, 'hot-resize': handler }, HOTPLUG_JOBS)).toThrow(/unknown jobs \[hot-resize\]/);
  });
});
