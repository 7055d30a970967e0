/**
 * A table of its own for an integration test file, on the DynamoDB Local that the global setup
 * started (test/support/dynamodb-global-setup.ts). Call it at the top level of the test file:
 *
 *   const db = await freshTable();
 *   const cases = makeCaseRepository(db.table);
 *
 * The table is created like production's (lib/local/dynamodb-local.ts ensureTable, from TABLE)
 * and deleted after the file's tests.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, inject } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamo.js';
import { makeDocumentClient } from '../../functions/adapters/dynamo.js';
import { LOCAL_CLIENT_SETTINGS, ensureTable } from '../../lib/local/dynamodb-local.js';

export interface FreshTable {
  /** The document client the adapters use (makeDocumentClient, pointed at DynamoDB Local). */
  client: DynamoDBDocumentClient;
  /** The low-level client, for table administration and raw assertions. */
  raw: DynamoDBClient;
  tableName: string;
  /** What the adapters' factories take. */
  table: TableRef;
}

export function dynamoEndpoint(): string {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) throw new Error('no DynamoDB Local endpoint: run this file in the integration project (vitest --project integration)');
  return endpoint;
}

/** Creates a uniquely named table and registers its deletion in afterAll. `label` helps when reading logs. */
export async function freshTable(label = 'test'): Promise<FreshTable> {
  const endpoint = dynamoEndpoint();
  const raw = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint });
  const client = makeDocumentClient({ endpoint });
  const tableName = `caseflow-${label.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${ulid()}`;
  await ensureTable(raw, tableName);

  afterAll(async () => {
    try {
      await raw.send(new DeleteTableCommand({ TableName: tableName }));
    } finally {
      client.destroy();
      raw.destroy();
    }
  });

  return { client, raw, tableName, table: { client, tableName } };
}
