import type { FormEvent } from 'react';
import { useState } from 'react';
import { describeFailure } from '../api/problem';

interface SignInViewProps {
  onSignIn: (adminKey: string) => Promise<void>;
  /** Why the operator is back here, e.g. the key was refused mid-session. */
  notice?: string | null;
}

export function SignInView({ onSignIn, notice = null }: SignInViewProps): React.JSX.Element {
  const [adminKey, setAdminKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  const signIn = async (): Promise<void> => {
    setSigningIn(true);
    setError(null);
    try {
      await onSignIn(adminKey.trim());
    } catch (failure) {
      setError(describeFailure(failure));
      setSigningIn(false);
    }
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void signIn();
  };

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <h1>mxs console</h1>
        <p className="muted">Operators sign in with the admin key. It is kept for this browser tab only.</p>
        {notice !== null && error === null && <p className="banner banner-warning">{notice}</p>}
        <label htmlFor="admin-key">Admin key</label>
        <input
          id="admin-key"
          type="password"
          autoComplete="off"
          autoFocus
          value={adminKey}
          onChange={(event) => setAdminKey(event.target.value)}
        />
        {error !== null && (
          <p role="alert" className="banner banner-failure">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={signingIn || adminKey.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
