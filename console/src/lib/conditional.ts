import { unwrap } from '../api/client';

/**
 * The last 200 answer per query key of the lists the console polls (`GET /cases`, `GET /agents`,
 * `GET /agents/me`): its ETag goes back as If-None-Match, and a 304 reuses the body held here, so
 * polling an unchanged list moves no body (docs/console.md#polling-and-etags).
 */
const held = new Map<string, { etag: string; data: unknown }>();
const MAX_HELD = 200;

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** Runs `request` with the If-None-Match held for `key`; a 304 answers the body held with it. */
export async function conditionalGet<T>(key: readonly unknown[], request: (ifNoneMatch: { 'If-None-Match'?: string }) => Promise<Answer<T>>): Promise<T> {
  const id = JSON.stringify(key);
  const last = held.get(id) as { etag: string; data: T } | undefined;
  const result = await request(last ? { 'If-None-Match': last.etag } : {});
  if (result.response.status === 304 && last) return last.data;
  const data = unwrap(result);
  const etag = result.response.headers.get('etag');
  held.delete(id);
  if (etag) {
    held.set(id, { etag, data });
    if (held.size > MAX_HELD) held.delete(held.keys().next().value!);
  }
  return data;
}

/** Forgets every held answer (sign-out: the next user starts afresh). */
export function forgetConditional(): void {
  held.clear();
}
