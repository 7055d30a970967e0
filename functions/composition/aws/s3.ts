import { S3Client } from '@aws-sdk/client-s3';
import { makeS3FileLinks } from '../../adapters/s3-file-links.js';
import { makeS3RawMailStore } from '../../adapters/s3-raw-mail-store.js';
import type { RawMailStore } from '../../core/ports/email-intake.js';
import type { FileLinks } from '../../core/ports/links.js';

/** The raw-mail store and file links over S3, and their client, imported on a port's first call (as ./sns.ts). */
let client: S3Client | undefined;

export function s3RawMailStore(bucket: string): RawMailStore {
  client ??= new S3Client({});
  return makeS3RawMailStore(client, bucket);
}

export function s3FileLinks(bucket: string): FileLinks {
  client ??= new S3Client({});
  return makeS3FileLinks(client, bucket);
}
