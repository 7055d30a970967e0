import { S3Client } from '@aws-sdk/client-s3';
import { makeS3FileUploads } from '../../adapters/s3-file-uploads.js';
import { makeS3FileLinks } from '../../adapters/s3-file-links.js';
import { makeS3RawMailStore } from '../../adapters/s3-raw-mail-store.js';
import type { RawMailStore } from '../../core/ports/email-intake.js';
import type { FileLinks, FileUploads } from '../../core/ports/links.js';

/** The raw-mail store, file links and file uploads over S3, and their client, imported on a port's first call (as ./sns.ts). */
let client: S3Client | undefined;

export function s3RawMailStore(bucket: string): RawMailStore {
  client ??= new S3Client({});
  return makeS3RawMailStore(client, bucket);
}

export function s3FileLinks(bucket: string): FileLinks {
  client ??= new S3Client({});
  return makeS3FileLinks(client, bucket);
}

export function s3FileUploads(bucket: string): FileUploads {
  client ??= new S3Client({});
  return makeS3FileUploads(client, bucket);
}
