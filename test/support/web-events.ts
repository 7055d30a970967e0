/**
 * API Gateway HTTP API (payload 2.0) events for POST /web-to-case, as the web-to-case handler
 * receives them, and small readers of its answers.
 */
import type { HttpEvent, HttpResult } from '../../functions/http/api-gateway.js';

export interface WebEventInput {
  method?: 'GET' | 'POST';
  contentType?: string;
  /** Text, or the exact bytes (sent base64-encoded, as API Gateway sends what is not text). */
  body?: string | Buffer;
  /** Send the body base64-encoded; default for forms and byte bodies. */
  base64?: boolean;
  ip: string;
  query?: Record<string, string>;
  /** The request's time as API Gateway stamps it (epoch ms); default 0. */
  timeEpoch?: number;
}

export function webEvent(input: WebEventInput): HttpEvent {
  const method = input.method ?? 'POST';
  const headers: Record<string, string> = { host: 'forms.example.com', 'user-agent': 'vitest' };
  if (input.contentType) headers['content-type'] = input.contentType;
  const bytes = input.body === undefined ? undefined : Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8');
  const base64 = input.base64 ?? (Buffer.isBuffer(input.body) || Boolean(input.contentType?.startsWith('application/x-www-form-urlencoded')));
  return {
    version: '2.0',
    routeKey: `${method} /web-to-case`,
    rawPath: '/web-to-case',
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers,
    ...(input.query ? { queryStringParameters: input.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'forms.example.com',
      domainPrefix: 'forms',
      http: { method, path: '/web-to-case', protocol: 'HTTP/1.1', sourceIp: input.ip, userAgent: 'vitest' },
      requestId: 'req',
      routeKey: `${method} /web-to-case`,
      stage: '$default',
      time: '02/Mar/2026:10:00:00 +0000',
      timeEpoch: input.timeEpoch ?? 0,
    },
    ...(bytes !== undefined ? { body: base64 ? bytes.toString('base64') : bytes.toString('utf8') } : {}),
    isBase64Encoded: bytes !== undefined && base64,
  } as HttpEvent;
}

export const jsonPost = (body: unknown, ip: string) =>
  webEvent({ contentType: 'application/json', body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), ip });

export const formPost = (fields: Record<string, string>, ip: string, query?: Record<string, string>) =>
  webEvent({ contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString(), ip, ...(query ? { query } : {}) });

export const jsonOf = (r: HttpResult) => JSON.parse(String(r.body));
export const caseNumberOn = (page: string) => /id="case-number">(\d{8})</.exec(page)?.[1];
