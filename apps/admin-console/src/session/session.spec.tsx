/// <reference types="jest" />
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Console } from '../App';
import { ApiProblem } from '../api/problem';
import { fleet } from '../testing/fixtures';
import { SessionProvider } from './SessionContext';
import { SessionStore } from './sessionStore';
import { SignInView } from './SignInView';

afterEach(() => sessionStorage.clear());

describe('SessionStore', () => {
  it('keeps the admin key in sessionStorage and forgets it on sign-out', () => {
    const store = new SessionStore();
    expect(store.read()).toBeNull();
    store.save('admin-secret');
    expect(store.read()).toBe('admin-secret');
    expect(Object.values({ ...sessionStorage })).toContain('admin-secret');
    expect(localStorage.length).toBe(0);
    store.forget();
    expect(store.read()).toBeNull();
  });
});

describe('SignInView', () => {
  it('shows the problem detail when the key is refused', async () => {
    const user = userEvent.setup();
    const onSignIn = jest.fn(() => Promise.reject(new ApiProblem(401, { title: 'Unauthorized', detail: 'The admin key is not valid' })));
    render(<SignInView onSignIn={onSignIn} />);

    await user.type(screen.getByLabelText('Admin key'), 'wrong-key');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect((await screen.findByRole('alert')).textContent).toBe('The admin key is not valid');
    expect(onSignIn).toHaveBeenCalledWith('wrong-key');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
  });
});

type Route = (method: string, url: string) => Response | undefined;

/** A tiny stand-in for the API at the HTTP boundary: the console's own code runs for real. */
function fakeApi(route: Route): { calls: string[]; fetchFn: (url: string, init?: RequestInit) => Promise<Response> } {
  const calls: string[] = [];
  return {
    calls,
    fetchFn: (url, init) => {
      const method = init?.method ?? 'GET';
      const key = new Headers(init?.headers).get('authorization');
      calls.push(`${method} ${url} ${key ?? ''}`);
      return Promise.resolve(route(method, url) ?? problem(404, 'no such route'));
    },
  };
}

// jsdom has no fetch Response; the client reads only these members.
function answer(status: number, body: unknown): Response {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    headers: new Headers({ 'content-type': 'application/json' }),
    text: () => Promise.resolve(text),
  } as Response;
}

const problem = (status: number, detail: string): Response => answer(status, { title: 'Problem', status, detail });

function renderConsole(route: Route, path = '/'): ReturnType<typeof fakeApi> {
  const api = fakeApi(route);
  render(
    <SessionProvider fetchFn={api.fetchFn}>
      <MemoryRouter initialEntries={[path]}>
        <Console />
      </MemoryRouter>
    </SessionProvider>,
  );
  return api;
}

describe('signing in and out', () => {
  const goodKey: Route = (method, url) => {
    if (url === '/admin/v1/session') return answer(204, undefined);
    if (method === 'GET' && url === '/admin/v1/fleet') return answer(200, fleet);
    return undefined;
  };

  it('stays on sign-in with the detail when the key is wrong', async () => {
    const user = userEvent.setup();
    renderConsole(() => problem(401, 'The admin key is not valid'));

    await user.type(screen.getByLabelText('Admin key'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect((await screen.findByRole('alert')).textContent).toBe('The admin key is not valid');
    expect(screen.queryByRole('navigation', { name: 'Sections' })).toBeNull();
    expect(new SessionStore().read()).toBeNull();
  });

  it('signs in with a good key, shows the sections, and signs out again', async () => {
    const user = userEvent.setup();
    const { calls } = renderConsole(goodKey);

    await user.type(screen.getByLabelText('Admin key'), 'admin-secret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const nav = await screen.findByRole('navigation', { name: 'Sections' });
    for (const name of ['Fleet', 'Expansions', 'Tenants', 'SLA', 'Queues']) expect(within(nav).getByRole('link', { name })).toBeTruthy();
    const queues = within(nav).getByRole('link', { name: 'Queues' });
    expect(queues.getAttribute('href')).toBe('/admin/queues');
    expect(queues.getAttribute('target')).toBe('_blank');
    expect(await screen.findByRole('heading', { name: 'Fleet' })).toBeTruthy();
    expect(await screen.findByTestId('device-cxl-r1-p0')).toBeTruthy();
    expect(new SessionStore().read()).toBe('admin-secret');
    expect(calls).toContain('POST /admin/v1/session Bearer admin-secret');
    expect(calls).toContain('GET /admin/v1/fleet Bearer admin-secret');

    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByLabelText('Admin key')).toBeTruthy();
    expect(calls).toContain('DELETE /admin/v1/session Bearer admin-secret');
    expect(new SessionStore().read()).toBeNull();
  });

  it('goes back to sign-in when the API later answers 401', async () => {
    new SessionStore().save('revoked-key');
    renderConsole(() => problem(401, 'The admin key is not valid'), '/expansions');

    expect(await screen.findByLabelText('Admin key')).toBeTruthy();
    expect(screen.getByText('The API refused the admin key; sign in again.')).toBeTruthy();
    expect(new SessionStore().read()).toBeNull();
  });

  it('shows a not-found page for an unknown address', async () => {
    new SessionStore().save('admin-secret');
    renderConsole(goodKey, '/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Not found' })).toBeTruthy();
  });
});
