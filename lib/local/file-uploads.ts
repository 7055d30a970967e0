/**
 * Large reply files on the local stack, as S3's pre-signed POSTs are in AWS
 * (functions/adapters/s3-file-uploads.ts): the API answers an upload to `/local-uploads/<token>` on
 * this gateway, the token naming the key (under `<dataDir>/mail/`), the content type and the largest
 * size it takes and when it stops working, signed with the data directory's file key. The route takes
 * the same multipart/form-data POST as S3 (the fields, then `file`), writes the file where the reply
 * reads it, and answers 204 as S3 does; anything outside the token's bounds is refused as S3 would.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { FileUploads } from '../../functions/core/ports/links.js';
import { objectPath } from './mail-store.js';
import { type Claim, signClaim, verifyClaim } from './signed-claim.js';

export const UPLOAD_ROUTE = '/local-uploads/';
/** As long as an S3 upload link of the API's (functions/adapters/s3-file-uploads.ts). */
export const LOCAL_UPLOAD_LINK_SECONDS = 300;
/** What a multipart body may carry besides the file: the fields and the part headers. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

interface UploadClaim extends Claim {
  key: string;
  type: string;
  /** The largest file taken, bytes. */
  max: number;
}

const PURPOSE = 'caseflow-upload';
const typePath = (dataDir: string, key: string) => objectPath(dataDir, `${key}.content-type`);

/** FileUploads for the local stack; `base` is the gateway's URL (known once it listens). */
export function makeLocalFileUploads(options: { key: Buffer; dataDir: string; base: () => string }): FileUploads {
  return {
    async presign(key, file, now) {
      const exp = Math.floor(now.getTime() / 1000) + LOCAL_UPLOAD_LINK_SECONDS;
      const claim: UploadClaim = { key, type: file.contentType, max: file.maxBytes, exp };
      return {
        url: `${options.base()}${UPLOAD_ROUTE}${signClaim(options.key, PURPOSE, claim)}`,
        fields: { 'Content-Type': file.contentType },
        expiresAt: new Date(exp * 1000).toISOString(),
      };
    },
    async read(key) {
      const content = await readFile(objectPath(options.dataDir, key)).catch(() => undefined);
      if (!content) return undefined;
      const contentType = (await readFile(typePath(options.dataDir, key), 'utf8').catch(() => '')).trim() || 'application/octet-stream';
      return { content: new Uint8Array(content), contentType };
    },
  };
}

function verify(secret: Buffer, token: string, now: Date): UploadClaim | undefined {
  return verifyClaim<UploadClaim>(secret, PURPOSE, token, now, (c) => typeof c.key === 'string' && typeof c.type === 'string' && typeof c.max === 'number');
}

/** The request body, refused past `limit` bytes (the rest is drained, so the client reads the answer). */
async function bodyWithin(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) over = true;
    if (!over) chunks.push(chunk);
  }
  return over ? undefined : Buffer.concat(chunks);
}

/** The gateway's `POST /local-uploads/<token>`: S3's answers (204, or 400/403/405 with an XML-free JSON error). */
export function makeUploadRoutes(options: { key: Buffer; dataDir: string; now?: () => Date }) {
  return async function uploadRoutes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(UPLOAD_ROUTE)) return false;
    const answer = (status: number, error: string, message: string) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error, message }));
      return true;
    };
    if ((req.method ?? 'GET') !== 'POST') return answer(405, 'MethodNotAllowed', 'send the file as a multipart/form-data POST');
    const claim = verify(options.key, url.pathname.slice(UPLOAD_ROUTE.length), (options.now ?? (() => new Date()))());
    if (!claim) return answer(403, 'AccessDenied', 'this upload link is not valid or has expired');
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data;/i.test(contentType)) return answer(400, 'InvalidRequest', 'send the file as multipart/form-data');
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const limit = claim.max + FORM_OVERHEAD_BYTES;
    if (declared > limit) return answer(400, 'EntityTooLarge', `the file is larger than the ${claim.max} bytes this upload takes`);
    const body = await bodyWithin(req, limit);
    if (!body) return answer(400, 'EntityTooLarge', `the file is larger than the ${claim.max} bytes this upload takes`);
    let form: FormData;
    try {
      form = await new Request('http://local.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
    } catch {
      return answer(400, 'MalformedPOSTRequest', 'the body is not valid multipart/form-data');
    }
    // As S3's policy: exactly the Content-Type declared, one file within the size declared.
    if (form.get('Content-Type') !== claim.type) return answer(403, 'AccessDenied', `Content-Type must be ${claim.type}, as declared`);
    const file = form.get('file');
    if (!(file instanceof Blob)) return answer(400, 'InvalidArgument', 'the form has no file (a part named `file`)');
    if (file.size < 1) return answer(400, 'EntityTooSmall', 'the file is empty');
    if (file.size > claim.max) return answer(400, 'EntityTooLarge', `the file is larger than the ${claim.max} bytes this upload takes`);
    const path = objectPath(options.dataDir, claim.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, new Uint8Array(await file.arrayBuffer()));
    await writeFile(typePath(options.dataDir, claim.key), claim.type);
    await rename(`${path}.tmp`, path);
    res.writeHead(204, { 'cache-control': 'no-store' });
    res.end();
    return true;
  };
}
