import type { Principal } from '../authz.js';
import { assertCanWorkCase } from '../authz.js';
import { ValidationError } from '../errors.js';
import type { FieldIssue } from '../errors.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { FileUploads } from '../ports/links.js';
import type { CaseRepository } from '../ports/repositories.js';
import { assertOpen, loadCase } from './load-case.js';

/**
 * Large reply files (docs/api.md#large-files): `POST /cases/{id}/uploads` hands out a short-lived
 * upload of one file under the case's own prefix, authorised like a reply (the owner, a manager, an
 * admin; an open case). The reply names the upload by its key (functions/core/use-cases/reply.ts
 * checks that it belongs to the case and exists), so the file never travels in the reply's JSON body.
 */

/** Where uploads are kept: `uploads/<caseId>/<id>`, a prefix of its own (its grants and its expiry). */
export const UPLOAD_PREFIX = 'uploads/';
/** One uploaded file at most: what mail providers take (Gmail, Outlook: 20–25 MB). */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
/**
 * A reply's files together, inline and uploaded: SES sends at most 40 MB of MIME, and base64 makes
 * 3 bytes 4, so 28 MB of files (37.4 MB encoded) leaves room for the text and the headers.
 */
export const MAX_REPLY_TOTAL_BYTES = 28 * 1024 * 1024;

const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,127}$/;
/** An upload id as `uploadKey` makes it (a ULID or another generated id): letters and digits. */
const UPLOAD_ID = /^[A-Za-z0-9]{10,40}$/;

export const uploadKey = (caseId: string, uploadId: string) => `${UPLOAD_PREFIX}${caseId}/${uploadId}`;

/** Whether `key` is an upload key of this case (and nothing else: no other case, no path tricks). */
export function isUploadOf(caseId: string, key: string): boolean {
  const prefix = `${UPLOAD_PREFIX}${caseId}/`;
  return key.startsWith(prefix) && UPLOAD_ID.test(key.slice(prefix.length));
}

export interface UploadRequest {
  contentType: string;
  size: number;
}

export interface UploadGrant {
  key: string;
  method: 'POST';
  url: string;
  fields: Record<string, string>;
  maxBytes: number;
  expiresAt: string;
}

export interface RequestUploadDeps {
  cases: Pick<CaseRepository, 'get'>;
  uploads: Pick<FileUploads, 'presign'>;
  clock: Clock;
  ids: IdGenerator;
}

export function makeRequestUpload(deps: RequestUploadDeps) {
  return async function requestUpload(p: Principal, caseId: string, file: UploadRequest): Promise<UploadGrant> {
    const c = await loadCase(deps.cases, caseId);
    assertCanWorkCase(p, c, 'attach files to a reply on this case');
    assertOpen(c, 'reply');
    const issues: FieldIssue[] = [];
    const contentType = file.contentType.trim().toLowerCase();
    if (!CONTENT_TYPE.test(contentType)) issues.push({ field: 'contentType', message: 'must be a media type such as application/pdf' });
    if (!Number.isSafeInteger(file.size) || file.size < 1) issues.push({ field: 'size', message: 'must be the file size in bytes (at least 1)' });
    else if (file.size > MAX_UPLOAD_BYTES)
      issues.push({ field: 'size', message: `is more than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, the most one file may be` });
    if (issues.length) throw new ValidationError(issues);
    const key = uploadKey(c.caseId, deps.ids.next());
    const ticket = await deps.uploads.presign(key, { contentType, maxBytes: file.size }, deps.clock.now());
    return { key, method: 'POST', url: ticket.url, fields: ticket.fields, maxBytes: file.size, expiresAt: ticket.expiresAt };
  };
}
