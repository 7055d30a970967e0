/**
 * The local stack's stand-in for Cognito: one RS256 key pair per data directory, tokens shaped like
 * Cognito ID tokens, and the verifier the local gateway runs where API Gateway's JWT authorizer
 * would. The key pair is generated once and kept in `<dataDir>/keys/`, so tokens printed by
 * `npm run token` stay valid across restarts of `npm start` (until they expire).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { Role } from '../../functions/core/config.js';

/** Stands where Cognito's `https://cognito-idp.<region>.amazonaws.com/<poolId>` would. */
export const LOCAL_ISSUER = 'urn:caseflow:local-idp';
/** Stands where the Cognito app client id would (`aud` of ID tokens, `client_id` of access tokens). */
export const LOCAL_CLIENT_ID = 'caseflow-local-client';

const PRIVATE_KEY_FILE = 'jwt-signing-key.pem';
const PUBLIC_KEY_FILE = 'jwt-signing-key.pub.pem';
/** Local tokens are for development; a month is long enough for any session and short enough to expire. */
const MAX_TTL_SECONDS = 30 * 24 * 3600;

export interface LocalKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 thumbprint of the public key: the `kid` of every token, as Cognito sets one. */
  kid: string;
}

export const keysDir = (dataDir: string) => join(dataDir, 'keys');

/**
 * Loads `<dataDir>/keys/jwt-signing-key.pem`, creating the pair the first time. Creation is safe
 * against a second process doing the same: the key is written to a temporary file and linked into
 * place, which fails if someone else got there first, and then theirs is used.
 */
export async function loadOrCreateKeyPair(dataDir: string): Promise<LocalKeyPair> {
  const dir = keysDir(dataDir);
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  let pem = await readFile(privatePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (pem === undefined) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const generated = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tmp = `${privatePath}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(tmp, generated.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      await link(tmp, privatePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    pem = await readFile(privatePath, 'utf8');
  }
  // Whatever created the file, a private key readable by others is not left that way.
  await chmod(privatePath, 0o600);
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicPath = join(dir, PUBLIC_KEY_FILE);
  const publicPem = String(publicKey.export({ type: 'spki', format: 'pem' }));
  // The public half is for people and tools that want to verify a token by hand.
  if ((await readFile(publicPath, 'utf8').catch(() => '')) !== publicPem) await writeFile(publicPath, publicPem, { mode: 0o644 });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { privateKey, publicKey, kid };
}

/** `8h`, `30m`, `2d`, `90s` or plain seconds ▶ seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/i.exec(text.trim());
  if (!m) throw new Error(`invalid TTL ${JSON.stringify(text)}: use e.g. 90s, 30m, 8h or 2d`);
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1 || seconds > MAX_TTL_SECONDS) throw new Error(`TTL must be between 1 second and ${MAX_TTL_SECONDS / 86400} days`);
  return seconds;
}

/** Cognito's `sub` is a UUID fixed per user; derived from the agent id so it is stable across runs. */
function stableSub(agentId: string): string {
  const h = createHash('sha256').update(`caseflow-local:${agentId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface LocalTokenRequest {
  agentId: string;
  roles: readonly Role[];
  email?: string;
  /** Seconds, or a string such as `8h` (parseTtl). Default 8 hours. */
  ttl?: number | string;
  /** Defaults to the clock. */
  now?: Date;
}

/**
 * A token shaped like a Cognito ID token for the agent: `cognito:username` is the agent id (the
 * Cognito username equals the agent's id in the routing configuration) and `cognito:groups` holds
 * the roles, which is how the deployed API reads them.
 */
export async function signLocalToken(keys: LocalKeyPair, request: LocalTokenRequest): Promise<string> {
  const ttl = typeof request.ttl === 'string' ? parseTtl(request.ttl) : (request.ttl ?? 8 * 3600);
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const claims: JWTPayload & Record<string, unknown> = {
    sub: stableSub(request.agentId),
    'cognito:username': request.agentId,
    'cognito:groups': [...request.roles],
    email: request.email ?? `${request.agentId}@caseflow.local`,
    email_verified: true,
    token_use: 'id',
    auth_time: now,
    event_id: randomUUID(),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_CLIENT_ID)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

export type TokenVerifier = (authorization: string | undefined) => Promise<JWTPayload | undefined>;

/**
 * What API Gateway's JWT authorizer checks: an RS256 signature by our key, `iss`, expiry and
 * not-before, and `aud` or (for access tokens, which have none) `client_id` naming our client.
 * Resolves to the claims, or undefined for anything else; the caller answers 401.
 */
export function makeTokenVerifier(keys: Pick<LocalKeyPair, 'publicKey'>): TokenVerifier {
  return async (authorization) => {
    if (!authorization) return undefined;
    // API Gateway takes the identity source as is or with a `Bearer ` prefix.
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, keys.publicKey, { algorithms: ['RS256'], issuer: LOCAL_ISSUER });
      const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const clientOk = audiences.length > 0 ? audiences.includes(LOCAL_CLIENT_ID) : payload.client_id === LOCAL_CLIENT_ID;
      if (!clientOk || typeof payload.exp !== 'number') return undefined;
      return payload;
    } catch {
      return undefined;
    }
  };
}

/**
 * Claims as API Gateway hands them to the function: every value a string, arrays flattened to
 * `[a b]` and objects to `map[k:v]` (its Go formatting), so handlers meet locally what they meet
 * in AWS (functions/http/api-gateway.ts principalOf reads both shapes).
 */
export function flattenClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) out[name] = goFormat(value);
  return out;
}

function goFormat(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    return `map[${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}:${goFormat(v)}`)
      .join(' ')}]`;
  }
  return String(value);
}
