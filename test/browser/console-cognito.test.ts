/**
 * The console's AWS sign-in, end to end in chromium: the same build, with a runtime config naming a
 * Cognito-style identity provider, against a stand-in for Cognito's managed login on 127.0.0.1 (a
 * node:http server speaking the authorization-code flow with PKCE, as Cognito's /oauth2/authorize,
 * /oauth2/token and /logout do). It signs its ID tokens with the local stack's key, so the local
 * gateway accepts them as API Gateway's JWT authorizer would accept Cognito's.
 *
 * What it proves: the authorize request carries an S256 code challenge, a state and the console's
 * own URL as the redirect; the code is exchanged with the verifier that matches the challenge (the
 * stand-in refuses anything else); the API is called with the ID token; the token is refreshed with
 * the refresh token before it expires and later calls carry the new one; sign-out goes to /logout
 * with the console's URL to come back to.
 *
 * The page's CSP allows connections to its own origin only; in AWS its connect-src names the Cognito
 * domain. Here the stand-in is another origin of 127.0.0.1, so this browser context bypasses the CSP.
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadOrCreateKeyPair, signLocalToken } from '../../lib/local/jwt.js';
import type { ConsoleWorld } from './console-support.js';
import { newTab, startConsoleWorld } from './console-support.js';

let world: ConsoleWorld;
let idp: Server;
let idpUrl: string;
const CLIENT_ID = 'console-client';
const authorizeRequests: URLSearchParams[] = [];
const tokenRequests: URLSearchParams[] = [];
const logoutRequests: URLSearchParams[] = [];
const issued: string[] = [];
const codes = new Map<string, { challenge: string; redirectUri: string }>();

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

beforeAll(async () => {
  vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });
  world = await startConsoleWorld();
  const keys = await loadOrCreateKeyPair(world.stack.dataDir);
  // Tokens that expire 65 s after issue: the console refreshes a minute before, so after ~5 s.
  const token = async () => {
    const t = await signLocalToken(keys, { agentId: 'ana', roles: ['agent'], email: 'ana@support.example.com', ttl: 65 });
    issued.push(t);
    return t;
  };
  idp = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp.local');
    const cors = { 'access-control-allow-origin': world.stack.url, 'cache-control': 'no-store' };
    if (url.pathname === '/oauth2/authorize') {
      authorizeRequests.push(url.searchParams);
      const code = randomUUID();
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri: url.searchParams.get('redirect_uri') ?? '' });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state') ?? '' }).toString();
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/logout') {
      logoutRequests.push(url.searchParams);
      res.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/' }).end();
      return;
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        tokenRequests.push(form);
        const deny = () => res.writeHead(400, { ...cors, 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
        if (form.get('client_id') !== CLIENT_ID) return deny();
        if (form.get('grant_type') === 'authorization_code') {
          const pending = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          if (!pending || pending.redirectUri !== form.get('redirect_uri')) return deny();
          if (b64url(createHash('sha256').update(verifier).digest()) !== pending.challenge) return deny();
        } else if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'refresh-1') return deny();
        const body = { id_token: await token(), access_token: 'unused', refresh_token: 'refresh-1', expires_in: 65, token_type: 'Bearer' };
        res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      return;
    }
    res.writeHead(404).end();
  });
  idp.listen(0, '127.0.0.1');
  await once(idp, 'listening');
  idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  idp?.close();
  await world?.close();
});

describe('signing in with Cognito managed login (authorization code + PKCE)', () => {
  it('redirects with a challenge, exchanges the code with its verifier, refreshes before expiry, and signs out', async () => {
    const context = await world.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    // The same build; only its runtime config differs, as in AWS.
    await context.route('**/app/config.json', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ apiUrl: '', idp: { kind: 'cognito', domain: idpUrl, clientId: CLIENT_ID }, pollMs: 4000 }),
      }),
    );
    const page = await newTab(world, context);
    const bearers: string[] = [];
    page.on('request', (r) => {
      const auth = r.headers().authorization;
      if (auth && r.url().startsWith(world.stack.url)) bearers.push(auth.replace(/^Bearer /, ''));
    });
    await page.goto(`${world.app}/queues`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    const authorize = authorizeRequests[0]!;
    expect(authorize.get('response_type')).toBe('code');
    expect(authorize.get('client_id')).toBe(CLIENT_ID);
    expect(authorize.get('code_challenge_method')).toBe('S256');
    expect(authorize.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.get('redirect_uri')).toBe(`${world.app}/`);
    expect(authorize.get('scope')).toBe('openid email profile');
    expect(tokenRequests[0]?.get('grant_type')).toBe('authorization_code');
    expect(tokenRequests[0]?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Back where the user was going, signed in as ana, the code gone from the address bar.
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('My queues');
    expect(page.url()).toBe(`${world.app}/queues`);
    expect(await page.locator('.who').textContent()).toBe('ana');
    await expect.poll(() => bearers.includes(issued[0]!)).toBe(true);

    // A minute before expiry the refresh token gets a new ID token, and the API calls use it.
    await expect.poll(() => tokenRequests.filter((f) => f.get('grant_type') === 'refresh_token').length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => bearers.includes(issued[1]!), { timeout: 10_000 }).toBe(true);
    // Nothing of the session is stored where a script could read it later.
    const stored = await page.evaluate('JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage), document.cookie])');
    expect(stored).toBe('[[],[],""]');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => logoutRequests.length).toBe(1);
    expect(logoutRequests[0]?.get('client_id')).toBe(CLIENT_ID);
    expect(logoutRequests[0]?.get('logout_uri')).toBe(`${world.app}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(page.errors).toEqual([]);
  });
});
