import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { FileUploads } from '../core/ports/links.js';

/** How long an upload link works: the console uploads at once; a leaked link is soon useless. */
export const UPLOAD_LINK_SECONDS = 300;

/**
 * Reply uploads in AWS (docs/api.md#large-files): a pre-signed S3 **POST** (`@aws-sdk/s3-presigned-post`),
 * not a pre-signed PUT, because only a POST policy can bound what is sent: the exact key,
 * `content-length-range` up to the size declared (S3 refuses a larger body with 400 EntityTooLarge),
 * and the Content-Type declared. A pre-signed PUT URL fixes the key but leaves the body's size to the
 * uploader. S3 checks the signer's own permission too: the API's role may PutObject under
 * `uploads/` only (lib/email-intake.ts allowFiles).
 */
export function makeS3FileUploads(client: S3Client, bucket: string): FileUploads {
  return {
    async presign(key, file) {
      // The policy's expiry is counted from the signing machine's clock (the library takes no date).
      const expiresAt = new Date(Date.now() + UPLOAD_LINK_SECONDS * 1000).toISOString();
      const post = await createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 1, file.maxBytes],
          ['eq', '$Content-Type', file.contentType],
        ],
        Fields: { 'Content-Type': file.contentType },
        Expires: UPLOAD_LINK_SECONDS,
      });
      return { url: post.url, fields: post.fields, expiresAt };
    },

    async read(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!res.Body) return undefined;
        return { content: await res.Body.transformToByteArray(), contentType: res.ContentType ?? 'application/octet-stream' };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
}
