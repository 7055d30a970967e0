/**
 * An HTTP client for the local stack in end-to-end tests: real requests over loopback, bearer
 * tokens signed with the stack's key for configured agents (with their configured roles, as
 * `npm run token` makes them), JSON in and out.
 */
import type { LocalKeyPair } from '../../lib/local/jwt.js';
import { loadOrCreateKeyPair, signLocalToken } from '../../lib/local/jwt.js';
import type { LocalStack } from '../../lib/local/stack.js';

export interface Sent {
  status: number;
  headers: Headers;
  /** The raw body text (for assertions on what a response must never contain). */
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the API under test
}

export interface CallOptions {
  /** A configured agent: their token with their roles. */
  as?: string;
  token?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Sent as If-Match: a version number (quoted for you) or a raw header value. */
  ifMatch?: number | string;
}

export interface LocalClient {
  call(method: string, path: string, options?: CallOptions): Promise<Sent>;
  tokenFor(agentId: string, roles?: string[]): Promise<string>;
}

export async function localClient(stack: LocalStack): Promise<LocalClient> {
  const keys: LocalKeyPair = await loadOrCreateKeyPair(stack.dataDir);
  const tokens = new Map<string, string>();

  async function tokenFor(agentId: string, roles?: string[]): Promise<string> {
    const key = `${agentId}:${roles?.join(',') ?? ''}`;
    const cached = tokens.get(key);
    if (cached) return cached;
    const config = (await stack.deps.configs.getCurrent())!.config;
    const agent = config.agents.find((a) => a.id === agentId);
    if (!agent && !roles) throw new Error(`no agent ${agentId} in the configuration`);
    const token = await signLocalToken(keys, { agentId, roles: (roles ?? agent!.roles) as never, ...(agent ? { email: agent.email } : {}) });
    tokens.set(key, token);
    return token;
  }

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Sent> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? (options.as ? await tokenFor(options.as) : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.ifMatch !== undefined) headers['if-match'] = typeof options.ifMatch === 'number' ? `"${options.ifMatch}"` : options.ifMatch;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(`${stack.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  return { call, tokenFor };
}
