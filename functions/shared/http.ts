import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../core/authz.js';
import type { Role } from '../core/config.js';
import { ROLES } from '../core/config.js';
import { UnauthorizedError } from '../core/errors.js';
import { errorBody, errorHeaders, httpStatusOf } from './http-errors.js';
import { logger } from './observability.js';

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

/** The request body as text, decoding API Gateway's base64 when it used it. */
export function bodyText(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
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

/** A handler built on first use, so importing the module never reads the environment. */
export function lazy<E, R>(build: () => (event: E, context: Context) => Promise<R>) {
  let built: ((event: E, context: Context) => Promise<R>) | undefined;
  return (event: E, context: Context) => (built ??= build())(event, context);
}
