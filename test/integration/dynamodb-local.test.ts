/**
 * lib/local/dynamodb-local.ts: the table it builds matches TABLE (the CDK data construct builds
 * from the same description), building is idempotent and repairs an older table, and a persisted
 * emulator keeps its data across a restart without leaving its Java process behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/table-definition.js';
import { LOCAL_CLIENT_SETTINGS, ensureTable, startDynamoDbLocal } from '../../lib/local/dynamodb-local.js';
import { dynamoEndpoint } from '../support/dynamo.js';

const raw = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: dynamoEndpoint() });

async function describeTable(tableName: string) {
  const { Table } = await raw.send(new DescribeTableCommand({ TableName: tableName }));
  const ttl = await raw.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  return { table: Table!, ttl: ttl.TimeToLiveDescription };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ensureTable', () => {
  it('builds the table TABLE describes: keys, on-demand, each index projecting the attributes TABLE lists, TTL', async () => {
    const tableName = `ensure-${ulid()}`;
    await ensureTable(raw, tableName);
    await ensureTable(raw, tableName); // idempotent

    const { table, ttl } = await describeTable(tableName);
    expect(table.TableStatus).toBe('ACTIVE');
    expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    const indexes = (table.GlobalSecondaryIndexes ?? [])
      .map((i) => ({
        name: i.IndexName,
        keys: i.KeySchema?.map((k) => k.AttributeName),
        projection: i.Projection?.ProjectionType,
        attributes: [...(i.Projection?.NonKeyAttributes ?? [])].sort(),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(indexes).toEqual(
      TABLE.indexes.map((i) => ({
        name: i.name,
        keys: [i.partitionKey, i.sortKey],
        projection: i.projected === 'ALL' ? 'ALL' : 'INCLUDE',
        attributes: i.projected === 'ALL' ? [] : [...i.projected].sort(),
      })),
    );
    expect(ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLE.ttlAttribute });

    await raw.send(new DeleteTableCommand({ TableName: tableName }));
  });

  it('adds what an older table lacks (an index added since, TTL), rebuilds an index projecting ALL with its trimmed projection, and keeps its data', async () => {
    const tableName = `older-${ulid()}`;
    // A table from before the newest index existed (DynamoDB Local builds an index in about a second).
    const older = TABLE.indexes.slice(0, -1);
    const attributes = [TABLE.partitionKey, TABLE.sortKey, ...older.flatMap((i) => [i.partitionKey, i.sortKey])];
    await raw.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: older.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await raw.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'KEEP' }, sk: { S: 'ME' } } }));
    const trimmed = TABLE.indexes.find((i) => i.projected !== 'ALL');
    if (!trimmed) throw new Error('no index with a trimmed projection');
    // An item in an index whose projection is trimmed, to read back through the rebuilt index.
    await raw.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'CASE#k' },
          sk: { S: 'CASE' },
          [trimmed.partitionKey]: { S: 'P' },
          [trimmed.sortKey]: { S: 'S' },
          caseId: { S: 'k' },
          subject: { S: 'not projected' },
        },
      }),
    );

    await ensureTable(raw, tableName);

    const { table, ttl } = await describeTable(tableName);
    expect(table.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(TABLE.indexes.map((i) => i.name));
    for (const index of table.GlobalSecondaryIndexes ?? []) {
      const wanted = TABLE.indexes.find((i) => i.name === index.IndexName);
      const projected = wanted?.projected ?? 'missing';
      expect(index.Projection?.ProjectionType).toBe(projected === 'ALL' ? 'ALL' : 'INCLUDE');
      expect([...(index.Projection?.NonKeyAttributes ?? [])].sort()).toEqual(projected === 'ALL' ? [] : [...projected].sort());
    }
    const read = await raw.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: trimmed.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': trimmed.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: 'P' } },
      }),
    );
    expect(read.Items?.map((i) => [i.caseId?.S, i.subject])).toEqual([['k', undefined]]);
    expect(table.GlobalSecondaryIndexes?.every((i) => i.IndexStatus === 'ACTIVE')).toBe(true);
    expect(ttl?.TimeToLiveStatus).toBe('ENABLED');
    const kept = await raw.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'KEEP' }, sk: { S: 'ME' } } }));
    expect(kept.Item).toBeDefined();

    await raw.send(new DeleteTableCommand({ TableName: tableName }));
  });
});

describe('startDynamoDbLocal', () => {
  it('persists to a data directory across a restart, and stop() ends the Java process', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-dynamodb-'));
    const clientFor = (endpoint: string, region: string) =>
      // Any region and credentials see the same data (-sharedDb), as the local stack relies on.
      // (DynamoDB Local 3 accepts access key ids of letters and digits only.)
      new DynamoDBClient({
        endpoint,
        region,
        credentials: { accessKeyId: region.replace(/[^A-Za-z0-9]/g, ''), secretAccessKey: 'x' },
      });
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const a = clientFor(first.endpoint, 'eu-west-1');
      await ensureTable(a, 'persisted');
      await a.send(new PutItemCommand({ TableName: 'persisted', Item: { pk: { S: 'CASE#1' }, sk: { S: 'CASE' }, subject: { S: 'kept' } } }));
      a.destroy();
      await first.stop();
      expect(isRunning(first.pid!)).toBe(false);
      await first.stop(); // a second stop is harmless

      const second = await startDynamoDbLocal({ dataDir });
      try {
        expect(second.port).not.toBe(0);
        const b = clientFor(second.endpoint, 'us-east-2');
        await ensureTable(b, 'persisted');
        const item = await b.send(new GetItemCommand({ TableName: 'persisted', Key: { pk: { S: 'CASE#1' }, sk: { S: 'CASE' } } }));
        expect(item.Item?.subject).toEqual({ S: 'kept' });
        b.destroy();
      } finally {
        await second.stop();
      }
      expect(isRunning(second.pid!)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a port that is already taken with an error naming the emulator', async () => {
    const port = Number(new URL(dynamoEndpoint()).port);
    await expect(startDynamoDbLocal({ port })).rejects.toThrow(/in use|DynamoDB Local/);
  });
});
