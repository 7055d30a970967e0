/**
 * A small HTTP client for end-to-end tests against a running local stack: real fetch, tokens signed
 * the way `npm run token` signs them (the agent's roles from the stack's current configuration).
 */
import type { LocalKeyPair } from '../../lib/local/jwt.js';
import { loadOrCreateKeyPair, signLocalToken } from '../../lib/local/jwt.js';
import type { LocalStack } from '../../lib/local/stack.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the API under test
}

export interface CallOptions {
  /** Sign a token for this configured agent. */
  as?: string;
  token?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

export interface LocalApi {
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  tokenFor(agentId: string): Promise<string>;
}

export function localApi(stack: LocalStack): LocalApi {
  let keys: LocalKeyPair | undefined;
  const tokens = new Map<string, string>();

  async function tokenFor(agentId: string): Promise<string> {
    const cached = tokens.get(agentId);
    if (cached) return cached;
    keys ??= await loadOrCreateKeyPair(stack.dataDir);
    const config = (await stack.deps.configs.getCurrent())!.config;
    const agent = config.agents.find((a) => a.id === agentId);
    if (!agent) throw new Error(`no agent ${agentId} in the configuration`);
    const token = await signLocalToken(keys, { agentId, roles: agent.roles, email: agent.email });
    tokens.set(agentId, token);
    return token;
  }

  async function call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? (options.as ? await tokenFor(options.as) : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
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
    return { status: res.status, headers: res.headers, body: parsed };
  }

  return { call, tokenFor };
}
