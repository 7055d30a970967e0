/**
 * The signed-in session, kept in memory only (a closure of this module): never in localStorage,
 * sessionStorage or a cookie the page can read. A reload signs in again (locally one click; with
 * Cognito a redirect that its own session cookie answers without a prompt). See docs: where tokens
 * live in the browser.
 */
export interface Session {
  /** The bearer token for the API (an ID token: its `aud` is the app client, as the API's authorizer checks). */
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  agentId: string;
  roles: string[];
  email?: string;
  /** Cognito only: used to get a new token before this one expires. */
  refreshToken?: string;
}

export interface JwtClaims {
  exp?: number;
  'cognito:username'?: string;
  username?: string;
  'cognito:groups'?: string[] | string;
  email?: string;
}

/** The claims of a JWT, without checking it (the API checks it; the console only reads who and until when). */
export function readClaims(token: string): JwtClaims {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as JwtClaims;
}

export function sessionFromToken(token: string, refreshToken?: string): Session {
  const claims = readClaims(token);
  const groups = claims['cognito:groups'];
  const roles = Array.isArray(groups)
    ? groups
    : typeof groups === 'string'
      ? groups
          .replace(/^\[|\]$/g, '')
          .split(/[ ,]+/)
          .filter(Boolean)
      : [];
  return {
    token,
    expiresAt: (claims.exp ?? 0) * 1000,
    agentId: claims['cognito:username'] ?? claims.username ?? '',
    roles,
    ...(claims.email ? { email: claims.email } : {}),
    ...(refreshToken ? { refreshToken } : {}),
  };
}

type Listener = (session: Session | undefined) => void;
let current: Session | undefined;
const listeners = new Set<Listener>();

export const getSession = () => current;
export function setSession(next: Session | undefined): void {
  current = next;
  for (const l of listeners) l(next);
}
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const isManager = (s: Session | undefined) => !!s && (s.roles.includes('manager') || s.roles.includes('admin'));
export const isAdmin = (s: Session | undefined) => !!s && s.roles.includes('admin');
