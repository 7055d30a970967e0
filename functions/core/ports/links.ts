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
