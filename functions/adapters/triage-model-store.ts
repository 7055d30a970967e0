import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { ConflictError } from '../core/errors.js';
import { MODEL_VERSION_PATTERN, type ModelSummary, type TriageModelBundle, parseBundle, serialiseBundle, summarise } from '../core/triage/bundle.js';
import type { TriageModelSource, TriageModelStore } from '../core/triage/ports.js';

/**
 * Where triage model versions live. Each version is two objects under `<version>/`:
 * `model.json.gz` (the weights, gzip-compressed JSON, read by the stamp function) and
 * `summary.json` (its evaluation, read by `npm run triage -- list` without the weights).
 * A version is written once and never overwritten: the configuration names versions, and a
 * version that changed under it would make "which model decided this?" unanswerable.
 */

export const MODEL_FILE = 'model.json.gz';
export const SUMMARY_FILE = 'summary.json';

function assertVersion(version: string): void {
  if (!MODEL_VERSION_PATTERN.test(version)) throw new ConflictError(`"${version}" is not a model version name`);
}

function encode(bundle: TriageModelBundle): { model: Buffer; summary: string } {
  return { model: gzipSync(serialiseBundle(bundle)), summary: JSON.stringify(summarise(bundle), null, 2) };
}

const decode = (bytes: Uint8Array) => parseBundle(gunzipSync(bytes).toString('utf8'));

/** Versions in the data directory (`<dir>/<version>/...`): the local stack's store. */
export function makeFileModelStore(dir: string): TriageModelStore {
  return {
    async save(bundle) {
      assertVersion(bundle.version);
      const { model, summary } = encode(bundle);
      const folder = join(dir, bundle.version);
      await mkdir(dir, { recursive: true });
      try {
        await mkdir(folder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ConflictError(`model version ${bundle.version} exists already`);
        throw error;
      }
      await writeFile(join(folder, MODEL_FILE), model, { flag: 'wx' });
      await writeFile(join(folder, SUMMARY_FILE), summary, { flag: 'wx' });
      return { location: join(folder, MODEL_FILE), bytes: model.length };
    },
    async load(version) {
      if (!MODEL_VERSION_PATTERN.test(version)) return undefined;
      try {
        return decode(await readFile(join(dir, version, MODEL_FILE)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async exists(version) {
      if (!MODEL_VERSION_PATTERN.test(version)) return false;
      try {
        await access(join(dir, version, MODEL_FILE));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
    async list() {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const out: ModelSummary[] = [];
      for (const version of entries.filter((e) => MODEL_VERSION_PATTERN.test(e))) {
        try {
          out.push(JSON.parse(await readFile(join(dir, version, SUMMARY_FILE), 'utf8')) as ModelSummary);
        } catch {
          // A folder without a summary is not a model version (or one still being written).
        }
      }
      return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.version.localeCompare(a.version));
    },
  };
}

async function bodyBytes(res: GetObjectCommandOutput): Promise<Uint8Array> {
  if (!res.Body) throw new Error('S3 returned no body');
  return res.Body.transformToByteArray();
}

const isMissing = (error: unknown) => ['NoSuchKey', 'NotFound'].includes((error as { name?: string }).name ?? '');

/**
 * Versions in S3 under `prefix` (`triage-models/`). The stamp function may GetObject there, and
 * ListBucket on the bucket so a version that is not stored is a 404 NoSuchKey, not a 403; the API
 * function may only list the prefix, to check the version a configuration names (lib/grants.ts).
 * Training (`npm run triage`, run by an operator) writes with PutObject `If-None-Match: *`, so a
 * version is never overwritten even by two trainings at once.
 */
export function makeS3ModelStore(client: S3Client, bucket: string, prefix: string, s3: typeof import('@aws-sdk/client-s3')): TriageModelStore {
  const key = (version: string, file: string) => `${prefix}${version}/${file}`;
  return {
    async save(bundle) {
      assertVersion(bundle.version);
      const { model, summary } = encode(bundle);
      try {
        await client.send(
          new s3.PutObjectCommand({ Bucket: bucket, Key: key(bundle.version, MODEL_FILE), Body: model, ContentType: 'application/gzip', IfNoneMatch: '*' }),
        );
      } catch (error) {
        if ((error as { name?: string }).name === 'PreconditionFailed') throw new ConflictError(`model version ${bundle.version} exists already`);
        throw error;
      }
      await client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: key(bundle.version, SUMMARY_FILE), Body: summary, ContentType: 'application/json' }));
      return { location: `s3://${bucket}/${key(bundle.version, MODEL_FILE)}`, bytes: model.length };
    },
    async load(version) {
      if (!MODEL_VERSION_PATTERN.test(version)) return undefined;
      try {
        return decode(await bodyBytes(await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key(version, MODEL_FILE) }))));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    /** A listing of the version's model key alone (s3:ListBucket on the prefix): the weights are not read. */
    async exists(version) {
      if (!MODEL_VERSION_PATTERN.test(version)) return false;
      const model = key(version, MODEL_FILE);
      const page = await client.send(new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: model, MaxKeys: 1 }));
      return (page.Contents ?? []).some((o) => o.Key === model);
    },
    async list() {
      const out: ModelSummary[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
        for (const p of page.CommonPrefixes ?? []) {
          const version = p.Prefix?.slice(prefix.length).replace(/\/$/, '') ?? '';
          if (!MODEL_VERSION_PATTERN.test(version)) continue;
          try {
            const res = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key(version, SUMMARY_FILE) }));
            out.push(JSON.parse(Buffer.from(await bodyBytes(res)).toString('utf8')) as ModelSummary);
          } catch (error) {
            if (!isMissing(error)) throw error;
          }
        }
        token = page.NextContinuationToken;
      } while (token);
      return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.version.localeCompare(a.version));
    },
  };
}

/**
 * An S3 store whose SDK module is imported on first use: the stamp function imports this file at
 * cold start, and most cases (a customer who chose a type and product) never need a model.
 */
export function makeLazyS3ModelStore(bucket: string, prefix: string): TriageModelStore {
  let store: Promise<TriageModelStore> | undefined;
  const get = () => {
    store ??= import('@aws-sdk/client-s3').then((s3) => makeS3ModelStore(new s3.S3Client({}), bucket, prefix, s3));
    return store;
  };
  return {
    save: async (bundle) => (await get()).save(bundle),
    load: async (version) => (await get()).load(version),
    exists: async (version) => (await get()).exists(version),
    list: async () => (await get()).list(),
  };
}

/**
 * Keeps loaded versions in memory for the life of the process (a Lambda container): a model is
 * read and decoded once, not per case. A failed load is not kept, so the next case tries again.
 */
export function cachedModelSource<S extends TriageModelSource>(source: S): S {
  const loaded = new Map<string, Promise<TriageModelBundle | undefined>>();
  return {
    ...source,
    load(version: string) {
      let pending = loaded.get(version);
      if (!pending) {
        pending = source.load(version);
        loaded.set(version, pending);
        pending.then(
          (bundle) => {
            if (!bundle) loaded.delete(version);
          },
          () => loaded.delete(version),
        );
      }
      return pending;
    },
  };
}
