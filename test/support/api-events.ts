/**
 * API Gateway HTTP API (payload 2.0) events as the api and reports handlers receive them behind the
 * JWT authorizer, and the Lambda context they run with. The web form's events are in web-events.ts.
 */
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../functions/http/api-gateway.js';

export interface ApiEventInput {
  method: string;
  path: string;
  /** The JWT's claims as the authorizer passes them on; absent: a request without a token. */
  claims?: Record<string, unknown>;
  /** The body as sent (text). */
  body?: string;
  query?: Record<string, string>;
  /** Every header of the request; default `content-type: application/json`. */
  headers?: Record<string, string>;
  sourceIp?: string;
  requestId?: string;
}

export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

export function apiEvent(input: ApiEventInput): HttpEvent {
  const { method, path } = input;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers: { ...(input.headers ?? JSON_HEADERS) },
    ...(input.query ? { queryStringParameters: input.query } : {}),
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: input.sourceIp ?? '127.0.0.1', userAgent: 'vitest' },
      requestId: input.requestId ?? 'req',
      routeKey: '$default',
      stage: '$default',
      ...(input.claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: input.claims, scopes: [] } } } : {}),
    },
    ...(input.body !== undefined ? { body: input.body } : {}),
    isBase64Encoded: false,
  } as unknown as HttpEvent;
}

/** The claims of a Cognito user token: the user name and the groups (the roles). */
export function cognitoClaims(username: string, groups: readonly string[] | string): Record<string, unknown> {
  return { 'cognito:username': username, 'cognito:groups': groups };
}

/** The Lambda context a handler is called with in tests. */
export function lambdaContext(functionName = 'api', remainingMs = 10_000): Context {
  return { awsRequestId: 'test', functionName, getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}
