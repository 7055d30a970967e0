import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileLinks } from '../core/ports/links.js';
import { attachmentDisposition } from '../core/use-cases/attachments.js';

/** How long a download link works: long enough to click, short enough that a leaked one is soon useless. */
export const FILE_LINK_SECONDS = 300;

/**
 * Attachment downloads in AWS: a pre-signed GET of the object in the raw-mail bucket, answered by S3
 * with the content type and an attachment disposition the link itself fixes (S3's
 * response-content-type and response-content-disposition), so a stored HTML or SVG file is never
 * rendered on S3's origin.
 */
export function makeS3FileLinks(client: S3Client, bucket: string): FileLinks {
  return {
    async link(ref, file, now) {
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: ref,
        ResponseContentType: file.contentType,
        ResponseContentDisposition: attachmentDisposition(file.name),
        ResponseCacheControl: 'private, no-store',
      });
      const url = await getSignedUrl(client, command, { expiresIn: FILE_LINK_SECONDS, signingDate: now });
      return { url, expiresAt: new Date(now.getTime() + FILE_LINK_SECONDS * 1000).toISOString() };
    },
  };
}
