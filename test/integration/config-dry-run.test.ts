/**
 * `POST /admin/config/validate` through the real API handler against DynamoDB Local: apply's
 * validation in full (cross-references included) with apply's errors and paths, what applying would
 * change, and nothing written (the configuration's version and document are unchanged, and no
 * DynamoDB write command is sent).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { createHandler } from '../../functions/handlers/api.js';
import type { HttpResult } from '../../functions/http/api-gateway.js';
import { apiEvent, cognitoClaims, lambdaContext } from '../support/api-events.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock } from '../support/fixtures.js';

const db = await freshTable('config-dry-run');
const commands: string[] = [];
db.client.middlewareStack.add(
  (next, context) => async (args) => {
    commands.push(String(context.commandName));
    return next(args);
  },
  { step: 'initialize', name: 'countCommands' },
);
const clock = fixedClock('2025-03-03T09:00:00.000Z');
const deps = makeAppDeps({ table: db.table, clock, alerts: { publish: async () => undefined }, workflow: { startCase: async () => undefined } });
const api = createHandler(deps);
const context = lambdaContext();

const cap = { email: 5, web: 5, phone: 1 };
const CONFIG: RoutingConfigInput = {
  queues: [
    { id: 'support', name: 'Support', members: ['ann', 'ben'] },
    { id: 'billing', name: 'Billing', members: ['ben'] },
  ],
  agents: [
    { id: 'ann', name: 'Ann', email: 'ann@example.com', roles: ['agent'], capacity: cap },
    { id: 'ben', name: 'Ben', email: 'ben@example.com', roles: ['agent'], capacity: cap },
    { id: 'adam', name: 'Adam', email: 'adam@example.com', roles: ['admin'], capacity: cap },
  ],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
  rules: [{ id: 'invoices', when: { field: 'subject', op: 'contains', value: 'invoice' }, then: { route: { queue: 'billing' } } }],
};

beforeAll(async () => {
  await deps.configs.put(parseRoutingConfig(CONFIG), 0, 'test', clock.iso());
});

async function call(method: string, path: string, as: string, roles: string[], json?: unknown): Promise<{ status: number; body: any }> {
  const event = apiEvent({ method, path, claims: cognitoClaims(as, roles), ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  const result = (await api(event, context)) as HttpResult;
  return { status: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : undefined };
}

const validate = (document: unknown) => call('POST', '/admin/config/validate', 'adam', ['admin'], document);
const WRITES = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand'];

describe('POST /admin/config/validate', () => {
  it('says what applying would add, remove and change, and writes nothing', async () => {
    const before = await deps.configs.getCurrent();
    const from = commands.length;
    const next: RoutingConfigInput = {
      ...CONFIG,
      queues: [{ id: 'support', name: 'Support desk', members: ['ann', 'cy'] }],
      agents: [...(CONFIG.agents ?? []).filter((a) => a.id !== 'ben'), { id: 'cy', name: 'Cy', email: 'cy@example.com', roles: ['agent'], capacity: cap }],
      rules: [{ id: 'outages', when: { field: 'subject', op: 'contains', value: 'down' }, then: { setPriority: 'high' } }],
      priorities: ['urgent', 'high', 'medium', 'low'],
    };
    const res = await validate(next);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(true);
    expect(res.body.currentVersion).toBe(1);
    expect(res.body.changes.sections.agents).toEqual({ added: ['cy'], removed: ['ben'], changed: [] });
    expect(res.body.changes.sections.queues).toEqual({ added: [], removed: ['billing'], changed: ['support'] });
    expect(res.body.changes.sections.rules).toEqual({ added: ['outages'], removed: ['invoices'], changed: [] });
    expect(res.body.changes.sections.territories).toEqual({ added: [], removed: [], changed: [] });
    expect(res.body.changes.settings).toEqual(['priorities']);

    expect(commands.slice(from).filter((c) => WRITES.includes(c))).toEqual([]);
    expect(await deps.configs.currentVersion()).toBe(before?.version);
    expect((await deps.configs.getCurrent())?.config).toEqual(before?.config);
  });

  it('the current configuration itself changes nothing', async () => {
    const res = await validate(CONFIG);
    expect(res.status).toBe(200);
    for (const section of Object.values(res.body.changes.sections)) expect(section).toEqual({ added: [], removed: [], changed: [] });
    expect(res.body.changes.settings).toEqual([]);
  });

  it('answers cross-reference errors at their JSON path, exactly as apply does, and writes nothing', async () => {
    const broken = {
      ...CONFIG,
      queues: [{ id: 'support', name: 'Support', members: ['ann', 'nobody'], businessHours: 'no-such-calendar' }],
      rules: [{ id: 'r', when: { field: 'subject', op: 'contains', value: 'x' }, then: { route: { queue: 'billing' } } }],
    };
    const from = commands.length;
    const dry = await validate(broken);
    expect(commands.slice(from).filter((c) => WRITES.includes(c))).toEqual([]);
    const applied = await call('PUT', '/admin/config', 'adam', ['admin'], broken);
    expect(dry.status).toBe(400);
    expect(dry.body).toEqual(applied.body);
    const fields = dry.body.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['queues.0.members.1', 'queues.0.businessHours', 'rules.0.then.route.queue']));
    expect(await deps.configs.currentVersion()).toBe(1);
  });

  it('refuses anyone but an admin before it reads the document', async () => {
    for (const [who, roles] of [
      ['ann', ['agent']],
      ['mia', ['agent', 'manager']],
    ] as const) {
      const res = await call('POST', '/admin/config/validate', who, [...roles], { not: 'a configuration' });
      expect(res.status).toBe(403);
    }
  });
});
