import type { ThreadingKeySource } from './email-intake.js';

/** Links handed to people outside the API: the customer's status page and stored files. */

/**
 * The customer's status page (functions/core/status-link.ts): the HMAC keys of its links (a secret
 * of their own: Secrets Manager in AWS, a file in the data directory locally; the current key
 * first), and where the page lives (`https://<console>/app/status`).
 */
export interface StatusLinks {
  keys: ThreadingKeySource;
  pageBase: string;
}

/**
 * Hands out a stored file (an attachment) for a short time: a pre-signed S3 GET in AWS, a signed
 * route of the local stack locally. The bytes never pass through the API.
 */
export interface FileLinks {
  link(ref: string, file: { name: string; contentType: string }, now: Date): Promise<{ url: string; expiresAt: string }>;
}

/** A short-lived upload of one file: a form POST (multipart/form-data) of `fields`, then the file as `file`, to `url`. */
export interface UploadTicket {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

/**
 * Large reply files go straight to the file store instead of through the API's JSON body
 * (docs/api.md#large-files): a pre-signed S3 POST in AWS (its policy bounds the key, the size and the
 * content type), a signed route of the local stack locally. The reply then names the upload by key.
 */
export interface FileUploads {
  presign(key: string, file: { contentType: string; maxBytes: number }, now: Date): Promise<UploadTicket>;
  /** What was uploaded under `key`, or undefined when nothing was (never uploaded, or expired). */
  read(key: string): Promise<{ content: Uint8Array; contentType: string } | undefined>;
}
