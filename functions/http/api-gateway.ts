import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../core/authz.js';
import type { Role } from '../core/config.js';
import { ROLES } from '../core/config.js';
import { UnauthorizedError, ValidationError } from '../core/errors.js';
import { errorBody, errorHeaders, httpStatusOf } from './errors.js';
import { logger } from '../runtime/observability.js';

/**
 * The HTTP side of every handler: API Gateway HTTP API (payload 2.0) events in, structured
 * results out, errors mapped by one table. The local gateway builds the same event shape.
 */
export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function html(statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...SECURITY_HEADERS,
      // The form page has no script and loads nothing from elsewhere.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' *; frame-ancestors *",
      ...headers,
    },
    body,
  };
}

export function redirect(location: string): HttpResult {
  return { statusCode: 303, headers: { location, ...SECURITY_HEADERS }, body: '' };
}

/** Header lookup that ignores case (API Gateway lower-cases; other callers may not). */
export function header(event: Pick<HttpEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * The request body as text, decoding API Gateway's base64 when it used it. Bytes that are not UTF-8
 * stay visible as lone surrogates (decodeUtf8KeepingErrors), so the field they end up in can be
 * refused by name (illFormedFields) instead of being stored as U+FFFD.
 */
export function bodyText(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? decodeUtf8KeepingErrors(Buffer.from(event.body, 'base64')) : event.body;
}

/**
 * Refuses a parsed body with text that is not valid UTF-8, naming each field it is in. `raw`, the
 * text it was parsed from, catches what parsing could hide: a bad byte right after a JSON escape of
 * a high surrogate would pair up with it into a valid character, and is refused as the `body`.
 */
export function assertWellFormedText(value: unknown, raw?: string): void {
  const fields = illFormedFields(value);
  if (fields.length === 0 && raw !== undefined && !isWellFormedText(raw)) fields.push('body');
  if (fields.length > 0) throw new ValidationError(fields.map((field) => ({ field, message: 'is not valid UTF-8' })));
}

// ---------------------------------------------------------------------------------------------
// Text that is not UTF-8 / not Unicode

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Is `b` within [lo, hi]? */
const within = (b: number | undefined, lo: number, hi: number) => b !== undefined && b >= lo && b <= hi;

/** The length of the well-formed UTF-8 sequence starting at `i` (Unicode table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  const next = (k: number, lo = 0x80, hi = 0xbf) => within(bytes[i + k], lo, hi);
  if (b >= 0xc2 && b <= 0xdf) return next(1) ? 2 : 0;
  if (b === 0xe0) return next(1, 0xa0) && next(2) ? 3 : 0;
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return next(1) && next(2) ? 3 : 0;
  if (b === 0xed) return next(1, 0x80, 0x9f) && next(2) ? 3 : 0;
  if (b === 0xf0) return next(1, 0x90) && next(2) && next(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return next(1) && next(2) && next(3) ? 4 : 0;
  if (b === 0xf4) return next(1, 0x80, 0x8f) && next(2) && next(3) ? 4 : 0;
  return 0;
}

/**
 * UTF-8 bytes as text, where each byte that is not part of a well-formed sequence becomes a lone
 * surrogate (U+DC80 + byte) instead of U+FFFD. The text parses (JSON, form fields) as usual, and
 * afterwards the bad bytes are still visible, in the field they were in, as ill-formed text; a
 * U+FFFD the customer really typed stays a valid character.
 */
export function decodeUtf8KeepingErrors(bytes: Uint8Array): string {
  let out = '';
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += utf8.decode(bytes.subarray(run, i)) + String.fromCharCode(0xdc00 + bytes[i]!);
    i++;
    run = i;
  }
  return out + utf8.decode(bytes.subarray(run));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text that can be written as UTF-8: no lone surrogate (from bad bytes, or a JSON escape such as `\udc00`). */
export const isWellFormedText = (text: string) => !LONE_SURROGATE.test(text);

/**
 * The dotted paths of every string (or key) in a parsed body that is not well-formed text: those
 * fields are refused ("is not valid UTF-8") rather than stored with replacement characters.
 */
export function illFormedFields(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return isWellFormedText(value) ? [] : [path || 'body'];
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([key, v]) => {
    const name = isWellFormedText(key) ? key : key.replace(new RegExp(LONE_SURROGATE, 'g'), '\uFFFD');
    const at = path ? `${path}.${name}` : name;
    return isWellFormedText(key) ? illFormedFields(v, at) : [at];
  });
}

export function bodyBytes(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

/**
 * Roles and agent id from the JWT claims the authorizer verified. Cognito puts groups in
 * `cognito:groups`; API Gateway flattens arrays to the string "[a b]", so both shapes are read.
 */
export function principalOf(event: HttpEvent): Principal {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims) throw new UnauthorizedError('a bearer token is required');
  const agentId = String(claims['cognito:username'] ?? claims['username'] ?? '');
  if (!agentId) throw new UnauthorizedError('the token names no user');
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  const roles = groups.filter((g): g is Role => (ROLES as readonly string[]).includes(g));
  return { agentId, roles };
}

export type HttpFunction = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * The middy chain every HTTP handler shares: structured logging with the request id, and the
 * error table. A 5xx is logged with its stack; the caller only sees a generic message.
 */
export function httpHandler(fn: HttpFunction) {
  return middy<HttpEvent, APIGatewayProxyResultV2>(fn).use({
    before: (request) => {
      logger.addContext(request.context);
      logger.appendKeys({ route: `${request.event.requestContext?.http?.method} ${request.event.rawPath}` });
    },
    onError: (request) => {
      const error = request.error;
      const status = httpStatusOf(error);
      if (status >= 500) logger.error('request failed', { error: error as Error });
      else logger.info('request rejected', { status, error: (error as Error)?.message });
      request.response = json(status, errorBody(error), errorHeaders(error));
    },
  });
}
