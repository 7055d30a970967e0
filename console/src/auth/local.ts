/**
 * LOCAL STACK ONLY. The local stack's stand-in for Cognito: it lists the configured users and signs
 * a token for the one picked, with the same key `npm run token` uses (lib/local/console.ts serves
 * these two endpoints; they do not exist in AWS).
 */
export interface LocalUser {
  id: string;
  name: string;
  email: string;
  roles: string[];
}

export async function listLocalUsers(): Promise<LocalUser[]> {
  const res = await fetch('/local-idp/users', { cache: 'no-store' });
  if (!res.ok) throw new Error(`the local identity provider answered ${res.status}`);
  return ((await res.json()) as { users: LocalUser[] }).users;
}

export async function localSignIn(agentId: string): Promise<string> {
  const res = await fetch('/local-idp/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agentId }),
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(`the local identity provider answered ${res.status}`);
  return ((await res.json()) as { id_token: string }).id_token;
}
