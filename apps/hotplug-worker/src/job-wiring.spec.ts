/// <reference types="jest" />
import { HOTPLUG_JOBS } from '@mxs/contracts';
import { checkJobWiring } from './hotplug.processor';

describe('job wiring', () => {
  const handler = async (): Promise<void> => undefined;

  it('accepts a handler for every hotplug job name of libs/contracts', () => {
    expect(() => checkJobWiring(Object.fromEntries(HOTPLUG_JOBS.map((n) => [n, handler])))).not.toThrow();
  });

  it('refuses to start with a job name that has no handler', () => {
    expect(() => checkJobWiring({ 'hot-add': handler })).toThrow(/no handler for \[hot-remove\]/);
  });

  it('refuses a handler for a job nobody sends', () => {
    expect(() => checkJobWiring({ 'hot-add': handler, 'hot-remove': handler, 'hot-resize': handler })).toThrow(/unknown jobs \[hot-resize\]/);
  });
});
