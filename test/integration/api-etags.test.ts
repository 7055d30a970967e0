/**
 * Conditional reads through the real API handler against DynamoDB Local, with every command the
 * adapters send counted (a middleware on the real document client):
 * - `GET /cases/{id}` with a matching If-None-Match answers 304 from the case item alone (one GetItem
 *   of the case, no Query of its history), and its ETag changes when history arrives without a write
 *   of the case item (a customer's message, an event);
 * - the lists the console polls (`GET /cases`, with or without a queue or owner) answer 304 to their
 *   own ETag, and a new ETag once a case on the page changes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { createHandler } from '../../functions/handlers/api.js';
import type { HttpResult } from '../../functions/http/api-gateway.js';
import { apiEvent, cognitoClaims, lambdaContext } from '../support/api-events.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock, makeCase, makeEvent, makeMessage } from '../support/fixtures.js';

const db = await freshTable('api-etags');
const clock = fixedClock('2025-03-03T09:00:00.000Z');

/** Every command the adapters send: its name and input. */
const sent: { command: string; input: Record<string, unknown> }[] = [];
db.client.middlewareStack.add(
  (next, context) => async (args) => {
    sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
    return next(args);
  },
  { step: 'initialize', name: 'countCommands' },
);

const deps = makeAppDeps({
  table: db.table,
  clock,
  alerts: { publish: async () => undefined },
  workflow: { startCase: async () => undefined },
});
const api = createHandler(deps);
const context = lambdaContext();

const CONFIG: RoutingConfigInput = {
  queues: [{ id: 'support', name: 'Support', members: ['ann'] }],
  agents: [{ id: 'ann', name: 'Ann', email: 'ann@example.com', roles: ['agent'], capacity: { email: 50, web: 50, phone: 50 } }],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
};

beforeAll(async () => {
  await deps.configs.put(parseRoutingConfig(CONFIG), 0, 'test', clock.iso());
});

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
}

async function call(method: string, path: string, headers: Record<string, string> = {}, query?: Record<string, string>, json?: unknown): Promise<Answer> {
  const event = apiEvent({
    method,
    path,
    headers: { 'content-type': 'application/json', ...headers },
    claims: cognitoClaims('ann', ['agent']),
    ...(query ? { query } : {}),
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const result = (await api(event, context)) as HttpResult;
  return { status: result.statusCode ?? 200, headers: result.headers ?? {}, body: result.body ? JSON.parse(result.body) : undefined };
}

let seq = 0;
async function ownedCase(): Promise<CaseRecord> {
  seq++;
  const c = makeCase({ channel: 'web', status: 'in_progress', owner: 'ann', queue: 'support', territory: 'all', version: 3, subject: `ETag case ${seq}` });
  expect((await deps.cases.create({ case: c, messages: [makeMessage(c.caseId, { messageId: `${c.caseId}-m1` })], events: [] })).created).toBe(true);
  return c;
}

/** The commands one call sends. */
async function commandsOf(run: () => Promise<Answer>): Promise<{ answer: Answer; commands: typeof sent }> {
  const from = sent.length;
  const answer = await run();
  return { answer, commands: sent.slice(from) };
}

const caseItemReads = (commands: typeof sent, caseId: string) =>
  commands.filter((c) => c.command === 'GetItemCommand' && JSON.stringify(c.input.Key) === JSON.stringify({ pk: `CASE#${caseId}`, sk: 'CASE' }));

describe('GET /cases/{id} with If-None-Match', () => {
  it('answers 304 from one GetItem of the case item, without reading its history', async () => {
    const c = await ownedCase();
    const first = await call('GET', `/cases/${c.caseId}`);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"3"');

    const { answer, commands } = await commandsOf(() => call('GET', `/cases/${c.caseId}`, { 'if-none-match': '"3"' }));
    expect(answer.status).toBe(304);
    expect(answer.body).toBeUndefined();
    expect(answer.headers.etag).toBe('"3"');
    expect(caseItemReads(commands, c.caseId)).toHaveLength(1);
    expect(commands.map((x) => x.command)).not.toContain('QueryCommand');
  });

  it('a stale ETag reads the history and answers 200 with the current one', async () => {
    const c = await ownedCase();
    const { answer, commands } = await commandsOf(() => call('GET', `/cases/${c.caseId}`, { 'if-none-match': '"2"' }));
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).toBe('"3"');
    expect(answer.body.messages).toHaveLength(1);
    expect(commands.filter((x) => x.command === 'QueryCommand')).toHaveLength(1);
  });

  it('changes the ETag when a customer message or an event arrives without a write of the case item', async () => {
    const c = await ownedCase();
    const before = await call('GET', `/cases/${c.caseId}`);
    const etag = String(before.headers.etag);

    // A customer's reply joins the case (the email store writes the message, not the case).
    await deps.emailStore.appendMessage({
      caseId: c.caseId,
      message: makeMessage(c.caseId, { messageId: `${c.caseId}-m2`, text: 'Any news?' }),
      events: [makeEvent(c.caseId, { eventId: `${c.caseId}-e2` })],
      inbound: { hash: `hash-${c.caseId}` },
      pending: [],
    });
    const afterMessage = await call('GET', `/cases/${c.caseId}`, { 'if-none-match': etag });
    expect(afterMessage.status).toBe(200);
    expect(afterMessage.body.messages.map((m: { text: string }) => m.text)).toContain('Any news?');
    expect(afterMessage.headers.etag).toBe('"3.1"');
    expect(afterMessage.body).not.toHaveProperty('historyRevision');

    await deps.emailStore.appendEvents([makeEvent(c.caseId, { eventId: `${c.caseId}-e3` })]);
    const afterEvent = await call('GET', `/cases/${c.caseId}`, { 'if-none-match': '"3.1"' });
    expect(afterEvent.status).toBe(200);
    expect(afterEvent.headers.etag).toBe('"3.2"');
    expect((await call('GET', `/cases/${c.caseId}`, { 'if-none-match': '"3.2"' })).status).toBe(304);

    // A write conditional on that ETag: the case item's version decides; the count starts again.
    const noted = await call('POST', `/cases/${c.caseId}/notes`, { 'if-match': '"3.2"' }, undefined, { text: 'Checked the logs.' });
    expect(noted.status).toBe(201);
    expect(noted.headers.etag).toBe('"4"');
    expect((await call('GET', `/cases/${c.caseId}`, { 'if-none-match': '"4"' })).status).toBe(304);
    expect((await call('GET', `/cases/${c.caseId}`, { 'if-none-match': '"3.2"' })).status).toBe(200);
  });
});

describe('the lists the console polls answer 304 to their own ETag', () => {
  const LISTS: { name: string; path: string; query?: Record<string, string> }[] = [
    { name: 'my work', path: '/cases', query: { owner: 'me', status: 'assigned,in_progress,on_hold', limit: '100' } },
    { name: 'a queue', path: '/cases', query: { queue: 'support', status: 'in_progress', limit: '100' } },
    { name: 'the team', path: '/agents' },
    { name: 'me', path: '/agents/me' },
  ];

  for (const list of LISTS) {
    it(`${list.name}: 304 with no body while unchanged; a new ETag and the change once something on it changes`, async () => {
      const c = await ownedCase();
      const first = await call('GET', list.path, {}, list.query);
      expect(first.status).toBe(200);
      const etag = String(first.headers.etag);
      expect(etag).toMatch(/^"l[A-Za-z0-9_-]{27}"$/);

      const again = await call('GET', list.path, { 'if-none-match': etag }, list.query);
      expect(again.status).toBe(304);
      expect(again.body).toBeUndefined();
      expect(again.headers.etag).toBe(etag);
      // Weak comparison, as If-None-Match wants, and a list of ETags.
      expect((await call('GET', list.path, { 'if-none-match': `"other", W/${etag}` }, list.query)).status).toBe(304);

      // Something on the list changes: a case's priority on the case lists, Ann's presence on the agents'.
      if (list.path === '/cases') {
        expect((await call('POST', `/cases/${c.caseId}/priority`, {}, undefined, { priority: 'critical', reason: 'a key account' })).status).toBe(200);
      } else {
        expect((await call('PUT', '/agents/me/presence', {}, undefined, { status: seq % 2 ? 'away' : 'online' })).status).toBe(200);
      }
      const changed = await call('GET', list.path, { 'if-none-match': etag }, list.query);
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      if (list.path === '/cases') expect(changed.body.items.find((i: CaseRecord) => i.caseId === c.caseId)?.priority).toBe('critical');
    });
  }
});
