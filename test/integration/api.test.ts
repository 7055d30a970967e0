/**
 * The api handler called directly with API Gateway payload-2.0 events, against DynamoDB Local:
 * what the local gateway (and API Gateway) would stop before the function, the function must still
 * handle on its own (405 for a route it does not serve, claims as arrays or flattened strings), and
 * the health check's answers when the configuration or the table is missing.
 */
import { describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { createHandler } from '../../functions/handlers/api.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import type { HttpEvent, HttpResult } from '../../functions/http/api-gateway.js';
import { freshTable } from '../support/dynamo.js';
import { apiEvent, lambdaContext } from '../support/api-events.js';

const db = await freshTable('api');
const started: string[] = [];
const deps = makeAppDeps({
  table: db.table,
  alerts: { publish: async () => undefined },
  workflow: { startCase: async (caseId) => void started.push(caseId) },
});
const api = createHandler(deps);

const context = lambdaContext();

function event(
  method: string,
  path: string,
  options: { claims?: Record<string, unknown>; body?: string; query?: Record<string, string>; headers?: Record<string, string> } = {},
): HttpEvent {
  return apiEvent({
    method,
    path,
    headers: { 'content-type': 'application/json', ...options.headers },
    requestId: 'req-1',
    ...(options.query ? { query: options.query } : {}),
    ...(options.claims ? { claims: options.claims } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
}

async function invoke(e: HttpEvent): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = (await api(e, context)) as HttpResult;
  return { status: result.statusCode ?? 200, headers: result.headers ?? {}, body: result.body ? JSON.parse(result.body) : undefined };
}

const CONFIG: RoutingConfigInput = {
  queues: [{ id: 'support', name: 'Support', members: ['ann', 'bob'] }],
  agents: [
    { id: 'ann', name: 'Ann', email: 'ann@example.com', roles: ['agent'], capacity: { web: 2 } },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', roles: ['agent', 'manager'], capacity: { web: 2 } },
  ],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
};

describe('api handler', () => {
  it('reports degraded health until a configuration is applied, then ok', async () => {
    const before = await invoke(event('GET', '/health'));
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: 'degraded', checks: { table: 'ok', configuration: 'missing' } });

    await deps.configs.put(parseRoutingConfig(CONFIG), 0, 'test', new Date().toISOString());
    const after = await invoke(event('GET', '/health'));
    expect(after.body).toMatchObject({ status: 'ok', checks: { table: 'ok', configuration: 'applied' } });
  });

  it('reads roles from cognito:groups as an array or as API Gateway\'s flattened "[a b]"', async () => {
    const asArray = await invoke(event('GET', '/agents/me', { claims: { 'cognito:username': 'bob', 'cognito:groups': ['agent', 'manager'] } }));
    const flattened = await invoke(event('GET', '/agents/me', { claims: { 'cognito:username': 'bob', 'cognito:groups': '[agent manager]' } }));
    expect(asArray.body.roles).toEqual(['agent', 'manager']);
    expect(flattened.body.roles).toEqual(['agent', 'manager']);
    expect(flattened.body).toMatchObject({ id: 'bob', queues: ['support'], state: { presence: 'offline' } });
  });

  it('answers 401 when no authorizer claims reached it, 404 and 405 for routes it does not serve', async () => {
    expect((await invoke(event('GET', '/cases'))).status).toBe(401);
    const notMine = await invoke(event('POST', '/web-to-case', { claims: { 'cognito:username': 'ann' } }));
    expect(notMine.status).toBe(404);
    const wrong = await invoke(event('DELETE', '/cases', { claims: { 'cognito:username': 'ann' } }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, POST');
  });

  it('sets presence for oneself, and for others only as a manager', async () => {
    const ann = { 'cognito:username': 'ann', 'cognito:groups': '[agent]' };
    const bob = { 'cognito:username': 'bob', 'cognito:groups': '[agent manager]' };
    const own = await invoke(event('PUT', '/agents/me/presence', { claims: ann, body: '{"status":"online"}' }));
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ state: { agentId: 'ann', presence: 'online' }, dispatched: [] });
    expect((await invoke(event('PUT', '/agents/bob/presence', { claims: ann, body: '{"status":"away"}' }))).status).toBe(403);
    expect((await invoke(event('PUT', '/agents/ann/presence', { claims: bob, body: '{"status":"away"}' }))).body.state.presence).toBe('away');
    expect((await invoke(event('PUT', '/agents/nobody/presence', { claims: bob, body: '{"status":"away"}' }))).status).toBe(404);

    const notObject = await invoke(event('PUT', '/agents/me/presence', { claims: ann, body: '["online"]' }));
    expect(notObject.status).toBe(400);
    expect(notObject.body.fields).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    const missing = await invoke(event('PUT', '/agents/me/presence', { claims: ann, body: '{}' }));
    expect(missing.body.fields).toEqual([{ field: 'status', message: 'is required' }]);
    const form = await invoke(
      event('PUT', '/agents/me/presence', { claims: ann, body: 'status=online', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
    expect(form.status).toBe(415);
  });

  it('lists nothing for an empty queue without a cursor', async () => {
    const res = await invoke(
      event('GET', '/cases', { claims: { 'cognito:username': 'ann' }, query: { queue: 'support', status: 'queued,assigned', limit: '2' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it('answers 503 from /health when the table does not answer', async () => {
    const broken = createHandler(
      makeAppDeps({
        table: { client: db.client, tableName: 'caseflow-no-such-table' },
        alerts: { publish: async () => undefined },
        workflow: { startCase: async () => undefined },
      }),
    );
    const result = (await broken(event('GET', '/health'), context)) as HttpResult;
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body!)).toMatchObject({ status: 'unavailable', checks: { table: 'error' } });
  });
});
