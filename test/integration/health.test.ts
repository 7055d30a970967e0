/**
 * `GET /health` is public, so it must stay cheap whatever the configuration is: one GetItem of the
 * configuration's version, never the document itself (a large configuration is tens of KB to
 * transfer, gunzip and validate on every probe), and a stored document the current code cannot parse
 * does not make the service look down.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { configCurrentKey } from '../../functions/adapters/keys.js';
import { createHandler } from '../../functions/handlers/api.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import type { HttpResult } from '../../functions/http/api-gateway.js';
import { freshTable } from '../support/dynamo.js';
import { apiEvent, lambdaContext } from '../support/api-events.js';

const db = await freshTable('health');
const sent: { name: string; input: Record<string, unknown> }[] = [];
const send = db.client.send.bind(db.client);
db.client.send = ((command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: unknown[]) => {
  sent.push({ name: command.constructor.name, input: command.input });
  return (send as (...args: unknown[]) => unknown)(command, ...rest);
}) as typeof db.client.send;

const api = createHandler(makeAppDeps({ table: db.table, alerts: { publish: async () => undefined }, workflow: { startCase: async () => undefined } }));
const context = lambdaContext();
const health = apiEvent({ method: 'GET', path: '/health', headers: {}, requestId: 'r' });

async function probe() {
  sent.length = 0;
  const result = (await api(health, context)) as HttpResult;
  return { status: result.statusCode, body: JSON.parse(result.body!) as Record<string, unknown> };
}

describe('GET /health', () => {
  it('reads only the configuration version: one GetItem projected to `version`', async () => {
    const { status, body } = await probe();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'degraded', checks: { table: 'ok', configuration: 'missing' } });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.name).toBe('GetCommand');
    expect(sent[0]!.input).toMatchObject({ Key: configCurrentKey(), ProjectionExpression: '#version', ExpressionAttributeNames: { '#version': 'version' } });
  });

  it('says ok when a configuration is applied, even one the current code could not parse', async () => {
    // A document that would fail to gunzip and validate: health neither reads nor parses it.
    await db.client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...configCurrentKey(), entity: 'config', version: 3, configGz: new Uint8Array([1, 2, 3]), appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'x' },
      }),
    );
    const { status, body } = await probe();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', checks: { table: 'ok', configuration: 'applied' } });
    expect(sent.map((s) => s.name)).toEqual(['GetCommand']);
  });
});
