/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): a node:http server on
 * loopback that matches requests against functions/http/routes.ts, runs the JWT check API
 * Gateway's authorizer would run on `jwt` routes, builds the very event shape Lambda receives, calls
 * the same handler functions, and turns their result back into an HTTP response.
 *
 * Behaviours copied on purpose, so code that works here works behind the real thing:
 * - a missing or invalid token never reaches the function: 401 `{"message":"Unauthorized"}`;
 * - claims arrive as strings, arrays flattened to `"[a b]"`;
 * - bodies that are not text (forms included), or not UTF-8, arrive base64-encoded with `isBase64Encoded: true`;
 * - repeated query parameters and headers are joined with commas; cookies move to `cookies`;
 * - a request body over 10 MB is refused with 413 before it is read.
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../functions/http/api-gateway.js';
import type { RouteDefinition, RouteTarget } from '../../functions/http/routes.js';
import { ROUTES, findRoute } from '../../functions/http/routes.js';
import type { TokenVerifier } from './jwt.js';
import { flattenClaims } from './jwt.js';

/** A Lambda handler as the gateway calls it (what `createHandler(deps)` returns). */
export type GatewayFunction = (event: HttpEvent, context: Context) => Promise<unknown>;

export interface GatewayOptions {
  /** Default 127.0.0.1: the local stack is for this machine only. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  routes?: readonly RouteDefinition[];
  functions: Record<RouteTarget, GatewayFunction>;
  verifyToken: TokenVerifier;
  /** API Gateway's payload limit is 10 MB; functions enforce their own, smaller limits. */
  maxBodyBytes?: number;
  /** API Gateway gives up on an integration after 30 s. */
  integrationTimeoutMs?: number;
  /** One line per request (method, path, status, time); nothing when absent. */
  accessLog?: (line: string) => void;
  /** Where errors thrown out of a function are reported. */
  errorLog?: (message: string, error: unknown) => void;
  /**
   * Requests that are not API routes but are served beside them locally (the console at /app/ and
   * the local identity provider): answered first when it returns true. API Gateway has no such
   * thing; in AWS CloudFront and Cognito play these parts.
   */
  localRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

export interface Gateway {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting connections, ends idle keep-alive ones, and resolves when the server is closed. */
  close(): Promise<void>;
}

export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;

class BodyTooLargeError extends Error {}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const routes = options.routes ?? (ROUTES as readonly RouteDefinition[]);
  const maxBodyBytes = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES;
  const timeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      options.accessLog?.(`${req.method} ${req.url} ${res.statusCode} ${ms.toFixed(0)}ms`);
    });
    handle(req, res).catch((error: unknown) => {
      options.errorLog?.('gateway failed to answer', error);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    res.setHeader('apigw-requestid', requestId);
    const url = new URL(req.url ?? '/', 'http://gateway.local');
    const method = (req.method ?? 'GET').toUpperCase();
    if (options.localRoutes && (await options.localRoutes(req, res, url))) return;

    let match: ReturnType<typeof findRoute>;
    try {
      match = findRoute(routes, method, url.pathname);
    } catch {
      match = { route: undefined, allowed: [] }; // a malformed %-escape matches nothing
    }
    if (!match.route) {
      // Drain what the client sends so it reads the answer instead of a reset connection.
      req.resume();
      if (match.allowed.length > 0) {
        const allow = [...new Set(match.allowed)].join(', ');
        return send(res, 405, { message: 'Method Not Allowed' }, { allow });
      }
      return send(res, 404, { message: 'Not Found' });
    }
    const route = match.route;

    let claims: Record<string, string> | undefined;
    if (route.auth === 'jwt') {
      const payload = await options.verifyToken(firstHeader(req.headers.authorization));
      if (!payload) {
        req.resume();
        return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      }
      claims = flattenClaims(payload);
    }

    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // The connection closes after the answer; what the client still sends is read and dropped.
        req.resume();
        return send(res, 413, { message: 'Request Entity Too Large' }, { connection: 'close' });
      }
      throw error;
    }

    const event = buildEvent({ req, url, method, route, params: match.params, body, requestId, claims });
    const fn = options.functions[route.target];
    const context = lambdaContext(route.target, requestId, timeoutMs);

    let result: unknown;
    try {
      result = await withTimeout(fn(event, context), timeoutMs);
    } catch (error) {
      if (error instanceof IntegrationTimeoutError) return send(res, 503, { message: 'Service Unavailable' });
      // A function that throws (rather than answering with an error) is a 500 at API Gateway too.
      options.errorLog?.(`${route.target} function threw`, error);
      return send(res, 500, { message: 'Internal Server Error' });
    }
    writeResult(res, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still in flight get a moment to finish; then their connections go too.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      })),
  };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn: false keeps the socket open when we stop early, so the 413 still reaches the client.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Media types API Gateway passes as text; everything else (forms too) arrives base64-encoded. */
function isTextMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

interface EventInput {
  req: IncomingMessage;
  url: URL;
  method: string;
  route: RouteDefinition;
  params: Record<string, string>;
  body: Buffer;
  requestId: string;
  claims: Record<string, string> | undefined;
}

function buildEvent({ req, url, method, route, params, body, requestId, claims }: EventInput): HttpEvent {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies = [
        ...(cookies ?? []),
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      ];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  headers['x-forwarded-for'] ??= req.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');

  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;

  const now = new Date();
  const asText = isTextMediaType(headers['content-type']) && isUtf8(body);
  const sourceIp = normaliseIp(req.socket.remoteAddress);
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0]!,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: scopesOf(claims) } } } : {}),
    },
    // A text body that is not UTF-8 is passed as bytes (base64), never decoded lossily into U+FFFD:
    // the function refuses the field it is in.
    ...(body.length > 0 ? { body: asText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !asText,
  } as HttpEvent;
}

/** Access tokens carry `scope`; ID tokens have none, and API Gateway then sends no scopes. */
function scopesOf(claims: Record<string, string>): string[] {
  return claims.scope ? claims.scope.split(' ').filter(Boolean) : [];
}

function normaliseIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** `12/Mar/2020:19:03:58 +0000`, as in requestContext.time. */
function apiGatewayTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

function lambdaContext(target: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const functionName = `caseflow-local-${target}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

class IntegrationTimeoutError extends Error {}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeoutError()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A function's result as API Gateway turns it into a response: a structured result
 * (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`) as given; anything else is
 * JSON with status 200, as payload format 2.0 infers.
 */
function writeResult(res: ServerResponse, result: unknown): void {
  const structured = result !== null && typeof result === 'object' && 'statusCode' in result;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
    return;
  }
  const r = result as { statusCode: number; headers?: Record<string, string | number | boolean>; cookies?: string[]; body?: string; isBase64Encoded?: boolean };
  for (const [name, value] of Object.entries(r.headers ?? {})) res.setHeader(name, String(value));
  if (r.cookies && r.cookies.length > 0) res.setHeader('set-cookie', r.cookies);
  const body = r.body === undefined ? Buffer.alloc(0) : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  if (body.length > 0 && !res.hasHeader('content-type')) res.setHeader('content-type', 'application/json');
  res.writeHead(r.statusCode);
  res.end(body);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
