/**
 * The console's runtime settings, read from `config.json` served beside the app: the same build
 * runs against the local stack and in AWS, and only this file differs. The local stack writes it
 * (lib/local/console.ts); in AWS the stack deploys it from its outputs.
 */
export type IdentityProviderConfig =
  | { kind: 'local' }
  | {
      kind: 'cognito';
      /** The Cognito managed-login domain, e.g. `https://caseflow-123.auth.eu-west-1.amazoncognito.com`. */
      domain: string;
      clientId: string;
      /** Default: the console's own URL (`<origin>/app/`), which must be an allowed callback URL. */
      redirectUri?: string;
      logoutUri?: string;
      scopes?: string[];
    };

export interface RuntimeConfig {
  /** The API's base URL; empty = the console's own origin (the local gateway serves both). */
  apiUrl: string;
  idp: IdentityProviderConfig;
  /** How often lists and the open case are polled, in milliseconds (default 4000: news within 5 s). */
  pollMs?: number;
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const raw = (await res.json()) as Partial<RuntimeConfig>;
  if (!raw.idp || (raw.idp.kind !== 'local' && raw.idp.kind !== 'cognito')) throw new Error('config.json: idp.kind must be local or cognito');
  return { apiUrl: (raw.apiUrl ?? '').replace(/\/$/, ''), idp: raw.idp, pollMs: raw.pollMs ?? 4000 };
}
