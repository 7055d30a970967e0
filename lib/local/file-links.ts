/**
 * Attachment downloads on the local stack, as S3's pre-signed URLs are in AWS: the API answers a
 * link to `/local-files/<token>` on this gateway, the token naming the stored file (its key in
 * `<dataDir>/mail/`), the name and type to serve it with, and when it stops working, signed with a
 * key of the data directory. The route serves exactly that file, as an attachment, until then.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ThreadingKeySource } from '../../functions/core/ports/email-intake.js';
import type { FileLinks } from '../../functions/core/ports/links.js';
import { attachmentDisposition } from '../../functions/core/use-cases/attachments.js';
import { objectPath } from './mail-store.js';
import { type Claim, signClaim, verifyClaim } from './signed-claim.js';

export const FILE_ROUTE = '/local-files/';
/** As long as an S3 pre-signed link of the API's (functions/adapters/s3-file-links.ts). */
export const LOCAL_FILE_LINK_SECONDS = 300;

interface FileClaim extends Claim {
  /** The object key under `<dataDir>/mail/`. */
  ref: string;
  name: string;
  type: string;
}

const PURPOSE = 'caseflow-file';

/** The key that signs download links: made once in `<dataDir>/keys/files.key` and kept. */
export async function loadOrCreateFileKey(dataDir: string): Promise<Buffer> {
  return loadOrCreateKey(dataDir, 'files.key');
}

/**
 * The status-page links' key (functions/core/status-link.ts), of its own: `<dataDir>/keys/status.key`,
 * kept across restarts so the links in acknowledgements keep working.
 */
export async function loadOrCreateStatusKeys(dataDir: string): Promise<ThreadingKeySource> {
  const keys = [(await loadOrCreateKey(dataDir, 'status.key')).toString('hex')];
  return { keys: async () => keys };
}

/** 32 random bytes in `<dataDir>/keys/<name>` (hex), made on first use; a racing second writer reads the first one's. */
async function loadOrCreateKey(dataDir: string, name: string): Promise<Buffer> {
  const path = join(dataDir, 'keys', name);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing?.trim()) return Buffer.from(existing.trim(), 'hex');
  await mkdir(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(path, key.toString('hex'), { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
}

/** FileLinks for the local stack; `base` is the gateway's URL (known once it listens). */
export function makeLocalFileLinks(key: Buffer, base: () => string): FileLinks {
  return {
    async link(ref, file, now) {
      const exp = Math.floor(now.getTime() / 1000) + LOCAL_FILE_LINK_SECONDS;
      const token = signClaim(key, PURPOSE, { ref, name: file.name, type: file.contentType, exp } satisfies FileClaim);
      return { url: `${base()}${FILE_ROUTE}${token}`, expiresAt: new Date(exp * 1000).toISOString() };
    },
  };
}

function verify(key: Buffer, token: string, now: Date): FileClaim | undefined {
  return verifyClaim<FileClaim>(key, PURPOSE, token, now, (c) => typeof c.ref === 'string' && typeof c.name === 'string' && typeof c.type === 'string');
}

/** The gateway's `GET /local-files/<token>`: the file, or the same 404 for any link that does not work. */
export function makeFileRoutes(options: { key: Buffer; dataDir: string; now?: () => Date }) {
  return async function fileRoutes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(FILE_ROUTE)) return false;
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: 'NotFound', message: 'this download link is not valid or has expired' }));
      return true;
    };
    if ((req.method ?? 'GET') !== 'GET') return notFound();
    const claim = verify(options.key, url.pathname.slice(FILE_ROUTE.length), (options.now ?? (() => new Date()))());
    if (!claim) return notFound();
    let body: Buffer;
    try {
      body = await readFile(objectPath(options.dataDir, claim.ref));
    } catch {
      return notFound();
    }
    res.writeHead(200, {
      'content-type': claim.type,
      'content-disposition': attachmentDisposition(claim.name),
      'content-length': body.byteLength,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      // Whatever the file is, nothing in it runs on this origin.
      'content-security-policy': "default-src 'none'; sandbox",
      'referrer-policy': 'no-referrer',
    });
    res.end(body);
    return true;
  };
}
