/**
 * One sign-in for both worlds: the runtime config names the identity provider (the local stack's,
 * or Cognito), and everything after the token is the same code. Tokens are refreshed a minute
 * before they expire (Cognito), or the user is asked to sign in again (local tokens last 8 hours).
 */
import type { RuntimeConfig } from '../runtime-config';
import { beginCognitoSignIn, cognitoSignOut, completeCognitoSignIn, refreshCognito } from './cognito';
import { localSignIn } from './local';
import { forgetConditional } from '../lib/conditional';
import { getSession, sessionFromToken, setSession } from './session';

const REFRESH_BEFORE_MS = 60_000;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function schedule(config: RuntimeConfig): void {
  clearTimeout(refreshTimer);
  const session = getSession();
  if (!session) return;
  const wait = Math.max(0, session.expiresAt - Date.now() - REFRESH_BEFORE_MS);
  refreshTimer = setTimeout(() => void refreshNow(config), Math.min(wait, 2 ** 31 - 1));
}

export async function refreshNow(config: RuntimeConfig): Promise<void> {
  const session = getSession();
  if (!session) return;
  if (config.idp.kind === 'cognito' && session.refreshToken) {
    try {
      const tokens = await refreshCognito(config.idp, session.refreshToken);
      setSession(sessionFromToken(tokens.idToken, tokens.refreshToken ?? session.refreshToken));
      schedule(config);
      return;
    } catch {
      // fall through: sign in again
    }
  }
  setSession(undefined);
}

/** At start: finish a Cognito redirect if this is one. Resolves to where the user was going. */
export async function restoreSession(config: RuntimeConfig): Promise<string | undefined> {
  if (config.idp.kind !== 'cognito') return undefined;
  const done = await completeCognitoSignIn(config.idp);
  if (!done) return undefined;
  setSession(sessionFromToken(done.tokens.idToken, done.tokens.refreshToken));
  schedule(config);
  return done.returnTo;
}

export async function signInLocal(config: RuntimeConfig, agentId: string): Promise<void> {
  if (config.idp.kind !== 'local') throw new Error('local sign-in is only for the local stack');
  setSession(sessionFromToken(await localSignIn(agentId)));
  schedule(config);
}

export async function signInCognito(config: RuntimeConfig, returnTo: string): Promise<void> {
  if (config.idp.kind !== 'cognito') throw new Error('Cognito is not configured');
  await beginCognitoSignIn(config.idp, returnTo);
}

export function signOut(config: RuntimeConfig): void {
  clearTimeout(refreshTimer);
  setSession(undefined);
  forgetConditional();
  if (config.idp.kind === 'cognito') cognitoSignOut(config.idp);
}
