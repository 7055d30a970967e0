import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as s3 from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedModelSource, makeFileModelStore, makeS3ModelStore } from '../../functions/adapters/triage-model-store.js';
import type { TriageModelBundle } from '../../functions/core/triage/bundle.js';
import { predict } from '../../functions/core/triage/model.js';
import { trainField } from '../../functions/core/triage/train.js';
import { UNSEEN, fixtureExamples } from '../support/triage-fixture.js';

const model = trainField('type', fixtureExamples('type'), { heldBack: 0.2 }).model;
const bundle = (version: string): TriageModelBundle => ({
  version,
  createdAt: '2025-03-03T09:00:00.000Z',
  source: { kind: 'csv', description: 'fixture' },
  fields: { type: model },
  evaluation: {},
  skipped: {},
});

describe('the file store (the local stack)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'caseflow-models-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const store = makeFileModelStore(dir);

  it('writes a version once, reads it back with the same predictions, and lists it', async () => {
    const saved = await store.save(bundle('v1'));
    expect(saved.location).toBe(join(dir, 'v1', 'model.json.gz'));
    expect(saved.bytes).toBeGreaterThan(100);
    const back = await store.load('v1');
    expect(predict(back!.fields.type!, UNSEEN[1]!.text)).toEqual(predict(model, UNSEEN[1]!.text));
    expect((await store.list()).map((s) => s.version)).toEqual(['v1']);
    await expect(store.save(bundle('v1'))).rejects.toMatchObject({ name: 'ConflictError' });
    expect(await store.load('v2')).toBeUndefined();
    // A name that could leave the directory is not a version.
    expect(await store.load('../v1')).toBeUndefined();
    await expect(store.save(bundle('../escape'))).rejects.toThrow(/not a model version name/);
    expect([await store.exists('v1'), await store.exists('v2'), await store.exists('../v1')]).toEqual([true, false, false]);
  });
});

describe('the S3 store (AWS)', () => {
  const mock = mockClient(S3Client);
  beforeEach(() => mock.reset());
  const objects = new Map<string, Uint8Array>();

  it('puts the model with If-None-Match, so a version is never overwritten', async () => {
    mock.on(PutObjectCommand).callsFake((input: s3.PutObjectCommandInput) => {
      objects.set(input.Key!, input.Body as Uint8Array);
      return {};
    });
    const store = makeS3ModelStore(new S3Client({}), 'models', 'triage-models/', s3);
    const saved = await store.save(bundle('v1'));
    expect(saved.location).toBe('s3://models/triage-models/v1/model.json.gz');
    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Key, p.IfNoneMatch])).toEqual([
      ['triage-models/v1/model.json.gz', '*'],
      ['triage-models/v1/summary.json', undefined],
    ]);

    mock
      .on(PutObjectCommand)
      .rejects(Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed' }));
    await expect(store.save(bundle('v1'))).rejects.toMatchObject({ name: 'ConflictError', message: 'model version v1 exists already' });
  });

  it('gets a version by its key, answers undefined for a missing one, and lists summaries', async () => {
    const body = (key: string) => ({ Body: { transformToByteArray: async () => objects.get(key)! } }) as unknown as s3.GetObjectCommandOutput;
    mock.on(GetObjectCommand, { Key: 'triage-models/v1/model.json.gz' }).resolves(body('triage-models/v1/model.json.gz'));
    mock.on(GetObjectCommand, { Key: 'triage-models/v1/summary.json' }).resolves(body('triage-models/v1/summary.json'));
    mock.on(GetObjectCommand, { Key: 'triage-models/v2/model.json.gz' }).rejects(Object.assign(new Error('missing'), { name: 'NoSuchKey' }));
    mock.on(ListObjectsV2Command).resolves({ CommonPrefixes: [{ Prefix: 'triage-models/v1/' }, { Prefix: 'triage-models/not a version/' }] });
    const store = makeS3ModelStore(new S3Client({}), 'models', 'triage-models/', s3);
    const loaded = await store.load('v1');
    expect(predict(loaded!.fields.type!, UNSEEN[2]!.text)).toEqual(predict(model, UNSEEN[2]!.text));
    expect(await store.load('v2')).toBeUndefined();
    expect((await store.list()).map((s) => s.version)).toEqual(['v1']);
    expect(mock.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: 'models', Prefix: 'triage-models/', Delimiter: '/' });
  });

  it('tells whether a version is stored by listing its model key alone, without reading the weights', async () => {
    mock
      .on(ListObjectsV2Command, { Prefix: 'triage-models/v1/model.json.gz' })
      .resolves({ KeyCount: 1, Contents: [{ Key: 'triage-models/v1/model.json.gz' }] });
    // A prefix listing also returns longer keys: `v1/model.json.gz.tmp` is not the model of v1, nor is v10's of v1.
    mock
      .on(ListObjectsV2Command, { Prefix: 'triage-models/v2/model.json.gz' })
      .resolves({ KeyCount: 1, Contents: [{ Key: 'triage-models/v2/model.json.gz.tmp' }] });
    mock.on(ListObjectsV2Command, { Prefix: 'triage-models/v3/model.json.gz' }).resolves({ KeyCount: 0 });
    const store = makeS3ModelStore(new S3Client({}), 'models', 'triage-models/', s3);
    expect([await store.exists('v1'), await store.exists('v2'), await store.exists('v3'), await store.exists('../v1')]).toEqual([true, false, false, false]);
    expect(mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'models', Prefix: 'triage-models/v1/model.json.gz', MaxKeys: 1 },
      { Bucket: 'models', Prefix: 'triage-models/v2/model.json.gz', MaxKeys: 1 },
      { Bucket: 'models', Prefix: 'triage-models/v3/model.json.gz', MaxKeys: 1 },
    ]);
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});

describe('the in-memory cache of loaded versions', () => {
  it('reads a version once per process, but tries again after a failure or a miss', async () => {
    let calls = 0;
    let fail = true;
    const source = cachedModelSource({
      load: async (version: string) => {
        calls++;
        if (fail) throw new Error('S3 is unreachable');
        return version === 'v1' ? bundle('v1') : undefined;
      },
    });
    await expect(source.load('v1')).rejects.toThrow('unreachable');
    fail = false;
    await source.load('v1');
    await source.load('v1');
    expect(calls).toBe(2);
    expect(await source.load('nope')).toBeUndefined();
    expect(await source.load('nope')).toBeUndefined();
    expect(calls).toBe(4);
  });
});
