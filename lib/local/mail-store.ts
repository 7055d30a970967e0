/**
 * The raw-mail bucket on the laptop: `<dataDir>/mail/` holds objects under the same keys SES uses in
 * the bucket (`inbound/<id>`), parts beside them (`parts/<id>/...`), each message's outcome as a
 * small status file (S3 object tags in AWS), and the failed list that `npm run redrive` replays
 * (the DLQ in AWS).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { partKey } from '../../functions/adapters/s3-raw-mail-store.js';
import type { RawMailStore, ThreadingKeySource } from '../../functions/core/ports/email-intake.js';

/** The bucket name in the S3-shaped events the SMTP listener builds. */
export const LOCAL_MAIL_BUCKET = 'caseflow-local-mail';

export const mailDir = (dataDir: string) => join(dataDir, 'mail');
const statusDir = (dataDir: string) => join(mailDir(dataDir), 'status');
export const failedDir = (dataDir: string) => join(mailDir(dataDir), 'failed');

/** Object key ▶ file path, refusing keys that would leave the mail directory. */
export function objectPath(dataDir: string, key: string): string {
  const root = resolve(mailDir(dataDir));
  const path = resolve(root, key);
  if (!path.startsWith(root + sep)) throw new Error(`object key ${JSON.stringify(key)} leaves the mail directory`);
  return path;
}

async function writeAtomically(path: string, content: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

const statusFile = (dataDir: string, key: string) => join(statusDir(dataDir), `${key.replace(/[/\\]/g, '__')}.json`);

export function makeFileRawMailStore(dataDir: string): RawMailStore & { put(key: string, raw: Uint8Array): Promise<string> } {
  return {
    async put(key, raw) {
      const path = objectPath(dataDir, key);
      await writeAtomically(path, raw);
      return path;
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(objectPath(dataDir, key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async putPart(rawKey, name, content) {
      const key = partKey(rawKey, name);
      await writeAtomically(objectPath(dataDir, key), content);
      return key;
    },
    async mark(key, state) {
      await writeAtomically(statusFile(dataDir, key), `${JSON.stringify({ key, ...state, at: new Date().toISOString() })}\n`);
    },
  };
}

export interface FailedDelivery {
  /** The S3-shaped event that failed, replayed as is by redrive. */
  event: unknown;
  key: string;
  error: string;
  at: string;
  attempts: number;
}

const failedFile = (dataDir: string, key: string) => join(failedDir(dataDir), `${key.replace(/[/\\]/g, '__')}.json`);

/** Records a message whose processing failed (the raw message stays where it is). */
export async function recordFailure(dataDir: string, key: string, event: unknown, error: unknown): Promise<void> {
  const path = failedFile(dataDir, key);
  const previous = await readFile(path, 'utf8').then(
    (t) => JSON.parse(t) as FailedDelivery,
    () => undefined,
  );
  const entry: FailedDelivery = {
    event,
    key,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    at: new Date().toISOString(),
    attempts: (previous?.attempts ?? 0) + 1,
  };
  await writeAtomically(path, `${JSON.stringify(entry, null, 2)}\n`);
}

export async function clearFailure(dataDir: string, key: string): Promise<void> {
  await rm(failedFile(dataDir, key), { force: true });
}

export async function listFailures(dataDir: string): Promise<FailedDelivery[]> {
  const dir = failedDir(dataDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: FailedDelivery[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    out.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as FailedDelivery);
  }
  return out;
}

/**
 * The HMAC key of subject tokens on the laptop: 32 random bytes in `<dataDir>/keys/threading.key`,
 * made on first use and kept, so tokens in old acknowledgements stay valid across restarts.
 */
export async function loadOrCreateThreadingKey(dataDir: string): Promise<ThreadingKeySource> {
  const dir = join(dataDir, 'keys');
  const path = join(dir, 'threading.key');
  let key = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (key === undefined) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(tmp, randomBytes(32).toString('hex'), { mode: 0o600 });
    try {
      await link(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    key = await readFile(path, 'utf8');
  }
  await chmod(path, 0o600);
  const keys = [key.trim()];
  return { keys: async () => keys };
}
