/**
 * The console on the local stack: the built single-page app at /app/ (console/dist), its runtime
 * config, and the local identity provider's two endpoints the sign-in page uses. None of this is an
 * API route (functions/http/routes.ts): in AWS, CloudFront serves the app and Cognito signs in.
 *
 * LOCAL ONLY: /local-idp/token signs a token for any configured user without a password, exactly as
 * `npm run token` does; the local stack listens on loopback only.
 */
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { ConfigRepository } from '../../functions/core/ports/repositories.js';
import { consoleCsp } from '../console-csp.js';
import { REPO_ROOT } from '../paths.js';
import type { LocalKeyPair } from './jwt.js';
import { signLocalToken } from './jwt.js';

export const CONSOLE_DIR = join(REPO_ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

/** The console's CSP: nothing inline, nothing from elsewhere (the local API is the same origin). */
export const CONSOLE_CSP = consoleCsp();

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface ConsoleRoutesOptions {
  configs: Pick<ConfigRepository, 'getCurrent'>;
  keys: LocalKeyPair;
  distDir?: string;
  /** Polling interval the console uses (runtime config). */
  pollMs?: number;
}

/** A request handler for the gateway: answers /app/* and /local-idp/*, and says false for anything else. */
export function makeConsoleRoutes(options: ConsoleRoutesOptions) {
  const dist = options.distDir ?? CONSOLE_DIST;
  return async function consoleRoutes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    if (path === '/local-idp/users' && method === 'GET') {
      const config = (await options.configs.getCurrent())?.config;
      const users = (config?.agents ?? []).map((a) => ({ id: a.id, name: a.name, email: a.email, roles: a.roles }));
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ localOnly: true, users }));
      return true;
    }
    if (path === '/local-idp/token' && method === 'POST') {
      const body = await readJson(req);
      const agentId = typeof body?.agentId === 'string' ? body.agentId : '';
      const agent = (await options.configs.getCurrent())?.config.agents.find((a) => a.id === agentId);
      if (!agent) {
        send(res, 400, 'application/json; charset=utf-8', JSON.stringify({ error: 'ValidationError', message: 'agentId: not a configured user' }));
        return true;
      }
      const ttl = 8 * 3600;
      const token = await signLocalToken(options.keys, { agentId: agent.id, roles: agent.roles, email: agent.email, ttl });
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ id_token: token, token_type: 'Bearer', expires_in: ttl }));
      return true;
    }
    if (path !== '/app' && !path.startsWith('/app/')) return false;
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, 405, 'application/json', JSON.stringify({ message: 'Method Not Allowed' }), { allow: 'GET, HEAD' });
      return true;
    }
    if (path === '/app') {
      res.writeHead(308, { location: '/app/' }).end();
      return true;
    }
    if (path === '/app/config.json') {
      const config = { apiUrl: '', idp: { kind: 'local' }, pollMs: options.pollMs ?? 4000 };
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(config), { 'cache-control': 'no-store' });
      return true;
    }
    const rel = decodeURIComponentSafe(path.slice('/app/'.length));
    const file = rel === undefined ? undefined : normalize(join(dist, rel));
    // Anything that would leave dist/ is not a file of the app.
    const inside = file !== undefined && (file === dist || file.startsWith(dist + sep));
    if (inside && rel && (await isFile(file))) {
      const immutable = rel.startsWith('assets/');
      send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file), {
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      return true;
    }
    if (rel?.startsWith('assets/')) {
      send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
      return true;
    }
    // Single-page app: every other path under /app/ is the app, which routes it itself.
    const index = await readFile(join(dist, 'index.html')).catch(() => undefined);
    if (!index) {
      send(res, 503, 'text/plain; charset=utf-8', 'The console is not built: run `npm run console:build` (npm start builds it when missing).');
      return true;
    }
    send(res, 200, 'text/html; charset=utf-8', index, { 'cache-control': 'no-cache' });
    return true;
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function decodeURIComponentSafe(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4096) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Building

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** True when console/dist is missing or older than a source of the console. */
export async function consoleNeedsBuild(dist = CONSOLE_DIST): Promise<boolean> {
  const built = (await stat(join(dist, 'index.html')).catch(() => undefined))?.mtimeMs;
  if (built === undefined) return true;
  const sources = await Promise.all(['src', 'index.html', 'vite.config.ts'].map((p) => newestMtime(join(CONSOLE_DIR, p))));
  return Math.max(...sources) > built;
}

/**
 * Builds the console with Vite when it is missing or stale. The build goes to a folder of its own
 * and is moved into place, so a second process starting at the same time never serves half a build.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = () => undefined): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  if (!(await consoleNeedsBuild())) return { built: false, ms: 0 };
  log('building the console (vite build)...');
  const tmp = `${CONSOLE_DIST}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  const { build } = await import('vite');
  // A production build whatever the calling process is (vitest sets NODE_ENV=test, which would
  // give React's development build).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(CONSOLE_DIR, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const old = `${CONSOLE_DIST}.old-${process.pid}-${Date.now()}`;
  await rename(CONSOLE_DIST, old).catch(() => undefined);
  await rename(tmp, CONSOLE_DIST).catch(async (error: NodeJS.ErrnoException) => {
    // Another process put its build in place first: theirs is as good as ours.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    await rm(tmp, { recursive: true, force: true });
  });
  await rm(old, { recursive: true, force: true });
  const ms = Date.now() - started;
  log(`console built (${(ms / 1000).toFixed(1)} s)`);
  return { built: true, ms };
}
