import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { signInCognito, signInLocal } from '../auth/auth';
import { listLocalUsers } from '../auth/local';
import { ErrorNote } from '../components/Errors';
import type { RuntimeConfig } from '../runtime-config';

function LocalSignIn({ config, onDone }: { config: RuntimeConfig; onDone: () => void }) {
  const users = useQuery({ queryKey: ['local-users'], queryFn: listLocalUsers });
  const [error, setError] = useState<unknown>();
  return (
    <>
      <p className="local-only" role="note">
        <strong>Local stack only.</strong> This page signs you in as any configured user with the local identity provider's key (the one{' '}
        <code>npm run token</code> uses). It does not exist in AWS, where sign-in is Cognito's.
      </p>
      <ErrorNote error={users.error ?? error} />
      <ul className="users">
        {(users.data ?? []).map((u) => (
          <li key={u.id}>
            <button
              type="button"
              onClick={() =>
                signInLocal(config, u.id).then(onDone, (e: unknown) => {
                  setError(e);
                })
              }
            >
              Sign in as {u.name}
            </button>{' '}
            <span className="muted">
              {u.id} · {u.roles.join(', ')}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

export function SignIn({ config, returnTo, onDone }: { config: RuntimeConfig; returnTo: string; onDone: () => void }) {
  const [error, setError] = useState<unknown>();
  return (
    <main className="sign-in" id="main">
      <h1>caseflow console</h1>
      {config.idp.kind === 'local' ? (
        <LocalSignIn config={config} onDone={onDone} />
      ) : (
        <>
          <button type="button" className="primary" onClick={() => signInCognito(config, returnTo).catch(setError)}>
            Sign in
          </button>
          <ErrorNote error={error} />
        </>
      )}
    </main>
  );
}
