/**
 * Cognito managed login: the authorization-code flow with PKCE (RFC 7636), no client secret (a
 * public client). The verifier and state wait in sessionStorage across the redirect (they are
 * single-use and worthless without the code); tokens never do.
 */
import type { IdentityProviderConfig } from '../runtime-config';

type Cognito = Extract<IdentityProviderConfig, { kind: 'cognito' }>;

const PENDING = 'caseflow.pkce';

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

const redirectUri = (idp: Cognito) => idp.redirectUri ?? `${location.origin}${import.meta.env.BASE_URL}`;

export async function beginCognitoSignIn(idp: Cognito, returnTo: string): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL('/oauth2/authorize', idp.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: idp.clientId,
    redirect_uri: redirectUri(idp),
    scope: (idp.scopes ?? ['openid', 'email', 'profile']).join(' '),
    code_challenge_method: 'S256',
    code_challenge: await pkceChallenge(verifier),
    state,
  }).toString();
  location.assign(url.toString());
}

export interface TokenSet {
  idToken: string;
  refreshToken?: string;
}

async function tokenRequest(idp: Cognito, body: Record<string, string>): Promise<TokenSet> {
  const res = await fetch(new URL('/oauth2/token', idp.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: idp.clientId, ...body }),
  });
  if (!res.ok) throw new Error(`sign-in failed: the token endpoint answered ${res.status}`);
  const json = (await res.json()) as { id_token: string; refresh_token?: string };
  return { idToken: json.id_token, ...(json.refresh_token ? { refreshToken: json.refresh_token } : {}) };
}

/** On the way back from managed login: `?code=...&state=...` ▶ tokens, and the URL cleaned. */
export async function completeCognitoSignIn(idp: Cognito): Promise<{ tokens: TokenSet; returnTo: string } | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const pending = sessionStorage.getItem(PENDING);
  if (!code || !pending) return undefined;
  sessionStorage.removeItem(PENDING);
  const { verifier, state, returnTo } = JSON.parse(pending) as { verifier: string; state: string; returnTo: string };
  history.replaceState(null, '', location.pathname);
  if (params.get('state') !== state) throw new Error('sign-in failed: the state does not match (start again)');
  const tokens = await tokenRequest(idp, { grant_type: 'authorization_code', code, redirect_uri: redirectUri(idp), code_verifier: verifier });
  return { tokens, returnTo };
}

export function refreshCognito(idp: Cognito, refreshToken: string): Promise<TokenSet> {
  return tokenRequest(idp, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export function cognitoSignOut(idp: Cognito): void {
  const url = new URL('/logout', idp.domain);
  url.search = new URLSearchParams({ client_id: idp.clientId, logout_uri: idp.logoutUri ?? redirectUri(idp) }).toString();
  location.assign(url.toString());
}
