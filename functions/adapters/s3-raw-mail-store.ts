import { GetObjectCommand, PutObjectCommand, PutObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RawMailStore } from '../core/ports/email-intake.js';
import { partKey } from './keys.js';

// Object keys (the raw message, its parts) are built in keys.ts with every other key; re-exported for the local store.
export { INBOUND_PREFIX, PARTS_PREFIX, partKey } from './keys.js';

const tagValue = (v: string) => v.replace(/[^A-Za-z0-9 +\-=._:/@]/g, '_').slice(0, 256);

/**
 * The raw-mail bucket SES writes to. Intake reads the message, writes its parts beside it, and tags
 * it when its case is written (`caseflow-status`, `caseflow-case`); it never deletes (the lifecycle
 * rule moves old mail to cheaper storage). The function's role has no s3:DeleteObject.
 */
export function makeS3RawMailStore(client: S3Client, bucket: string): RawMailStore {
  return {
    async get(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return res.Body ? await res.Body.transformToByteArray() : undefined;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async putPart(rawKey, name, content, contentType) {
      const key = partKey(rawKey, name);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, ContentType: contentType }));
      return key;
    },
    async mark(key, state) {
      const tags = [
        { Key: 'caseflow-status', Value: state.status },
        ...(state.caseId ? [{ Key: 'caseflow-case', Value: tagValue(state.caseId) }] : []),
        ...(state.detail ? [{ Key: 'caseflow-detail', Value: tagValue(state.detail) }] : []),
      ];
      await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: tags } }));
    },
  };
}
