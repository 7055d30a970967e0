import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ThreadingKeySource } from '../core/ports/email-intake.js';

/** How long a fetched key is trusted before Secrets Manager is asked again (a rotation shows within this). */
const CACHE_MS = 5 * 60 * 1000;

/**
 * The secret holds either the key itself, or `{"current": "...", "previous": ["..."]}` during a
 * rotation: tokens signed with a previous key are still accepted, new ones use the current key.
 */
export function parseThreadingSecret(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as { current?: unknown; previous?: unknown };
    const current = typeof parsed.current === 'string' ? [parsed.current] : [];
    const previous = Array.isArray(parsed.previous) ? parsed.previous.filter((k): k is string => typeof k === 'string') : [];
    const keys = [...current, ...previous].filter((k) => k.length >= 16);
    if (keys.length === 0) throw new Error('the threading secret names no key of at least 16 characters');
    return keys;
  }
  if (trimmed.length < 16) throw new Error('the threading key must be at least 16 characters');
  return [trimmed];
}

export function makeSecretsManagerThreadingKeys(client: SecretsManagerClient, secretId: string, now: () => number = Date.now): ThreadingKeySource {
  let cached: { keys: string[]; at: number } | undefined;
  return {
    async keys() {
      if (cached && now() - cached.at < CACHE_MS) return cached.keys;
      const res = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!res.SecretString) throw new Error(`secret ${secretId} has no string value`);
      cached = { keys: parseThreadingSecret(res.SecretString), at: now() };
      return cached.keys;
    },
  };
}

export function staticThreadingKeys(keys: string[]): ThreadingKeySource {
  return { keys: async () => keys };
}

/**
 * Status-page link keys derived from the threading secret (functions/core/status-link.ts): each key
 * is HMAC-SHA256(threading key, "caseflow-status-link-key"), so the two kinds of signature never
 * share a key, and one secret (rotated the same way, `current` then `previous`) serves both.
 */
export function derivedStatusLinkKeys(threading: ThreadingKeySource): ThreadingKeySource {
  return {
    async keys() {
      return (await threading.keys()).map((k) => createHmac('sha256', k).update('caseflow-status-link-key').digest('base64url'));
    },
  };
}
