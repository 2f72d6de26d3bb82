import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import type { FetchFn } from '../api/client';
import { ApiClient } from '../api/client';
import { ConsoleApi } from '../api/consoleApi';
import { SessionStore } from './sessionStore';

export interface Session {
  /** null until the operator signs in. */
  api: ConsoleApi | null;
  /** Why the operator is looking at sign-in again, if the API threw them out. */
  notice: string | null;
  signIn: (adminKey: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export const keyRefusedNotice = 'The API refused the admin key; sign in again.';

interface SessionProviderProps {
  children: ReactNode;
  fetchFn?: FetchFn;
  store?: SessionStore;
}

export function SessionProvider({ children, fetchFn, store: givenStore }: SessionProviderProps): React.JSX.Element {
  const [store] = useState(() => givenStore ?? new SessionStore());
  const [adminKey, setAdminKey] = useState(() => store.read());
  const [notice, setNotice] = useState<string | null>(null);

  const expire = useCallback(() => {
    store.forget();
    setAdminKey(null);
    setNotice(keyRefusedNotice);
  }, [store]);

  const api = useMemo(
    () => (adminKey === null ? null : new ConsoleApi(new ApiClient(adminKey, fetchFn, { onUnauthorized: expire }))),
    [adminKey, fetchFn, expire],
  );

  const signIn = useCallback(
    async (candidate: string) => {
      // A client without the 401 hook: a wrong key here is an answer, not an expiry.
      await new ConsoleApi(new ApiClient(candidate, fetchFn)).startSession();
      store.save(candidate);
      setNotice(null);
      setAdminKey(candidate);
    },
    [fetchFn, store],
  );

  const signOut = useCallback(async () => {
    try {
      if (adminKey !== null) await new ConsoleApi(new ApiClient(adminKey, fetchFn)).endSession();
    } catch {
      // the key is forgotten here whatever the API says; the cookie expires on its own
    } finally {
      store.forget();
      setNotice(null);
      setAdminKey(null);
    }
  }, [adminKey, fetchFn, store]);

  const session = useMemo(() => ({ api, notice, signIn, signOut }), [api, notice, signIn, signOut]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession needs a SessionProvider');
  return session;
}

/** The API for pages behind sign-in (App renders them only with a key). */
export function useApi(): ConsoleApi {
  const { api } = useSession();
  if (api === null) throw new Error('useApi needs a signed-in session');
  return api;
}
