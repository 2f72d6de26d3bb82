import type { RenderResult } from '@testing-library/react';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import { ActionResults } from '../components/ActionResults';

/** Renders a view as the console mounts it: inside a router and the page's action-result banner. */
export function renderView(view: ReactElement, route = '/'): RenderResult {
  return render(
    <MemoryRouter initialEntries={[route]}>
      <ActionResults>{view}</ActionResults>
    </MemoryRouter>,
  );
}

/** A promise that the test settles by hand, to see what shows while an action runs. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
