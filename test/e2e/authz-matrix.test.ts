/**
 * The authorisation matrix, over real HTTP on the local stack (gateway JWT check included): every
 * route of ROUTES × every kind of caller, with the exact status each gets. A route added to ROUTES
 * without a row here fails the first test. Then what bad requests get: 400 naming the field, 404,
 * 405, 413, and never a stack trace or an internal message, 500s included.
 *
 * Callers, by a configuration of its own: olive owns the cases (queue q1), quinn is in q1, oscar is
 * in q2, sam is in q2 and invited to each case's swarm, max is a manager, ada an admin (only).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord, CaseStatus } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import type { RouteDefinition } from '../../functions/http/routes.js';
import { ROUTES } from '../../functions/http/routes.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import { signStatusToken, statusLinkExpiry } from '../../functions/core/status-link.js';
import { makeCase, makeMessage } from '../support/fixtures.js';
import type { LocalClient, Sent } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';

const PERSONAS = ['anonymous', 'owner', 'queue', 'other', 'swarm', 'manager', 'admin'] as const;
type Persona = (typeof PERSONAS)[number];
const AGENT_OF: Record<Exclude<Persona, 'anonymous'>, string> = { owner: 'olive', queue: 'quinn', other: 'oscar', swarm: 'sam', manager: 'max', admin: 'ada' };

const big = { email: 1000, web: 1000, phone: 1000, chat: 10 };
const CONFIG: RoutingConfigInput = {
  queues: [
    { id: 'q1', name: 'Queue one', members: ['olive', 'quinn'] },
    { id: 'q2', name: 'Queue two', members: ['oscar', 'sam'] },
  ],
  agents: [
    { id: 'olive', name: 'Olive Owner', email: 'olive@example.com', roles: ['agent'], capacity: big, skills: { lamps: 2 }, languages: ['en'] },
    { id: 'quinn', name: 'Quinn Queue', email: 'quinn@example.com', roles: ['agent'], capacity: big, languages: ['en'] },
    { id: 'oscar', name: 'Oscar Other', email: 'oscar@example.com', roles: ['agent'], capacity: big, languages: ['en'] },
    { id: 'sam', name: 'Sam Swarm', email: 'sam@example.com', roles: ['agent'], capacity: big, skills: { lamps: 5 }, languages: ['en'] },
    { id: 'max', name: 'Max Manager', email: 'max@example.com', roles: ['manager'], capacity: big, languages: ['en'] },
    { id: 'ada', name: 'Ada Admin', email: 'ada@example.com', roles: ['admin'], languages: ['en'] },
  ],
  territories: [{ id: 'all', name: 'Everywhere', queue: 'q1' }],
};

let stack: LocalStack;
/** The local stack's status-link keys: a customer's link to a case is signed with them. */
let statusKeys: string[] = [];
const statusToken = (c: CaseRecord) => signStatusToken(c.caseId, statusLinkExpiry(new Date()), statusKeys);
let dataDir: string;
let api: LocalClient;
/** Every response of this file, checked at the end for stack traces and internals. */
const responses: { what: string; res: Sent }[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-authz-'));
  const configFile = join(dataDir, 'matrix.config.json');
  await writeFile(configFile, JSON.stringify(CONFIG));
  stack = await startLocalStack({ port: 0, memory: true, dataDir, configFile, quiet: true, webLimits: { perIp: 10_000, perEmail: 10_000 } });
  api = await localClient(stack);
  statusKeys = await stack.deps.statusLinks!.keys.keys();
  const at = new Date().toISOString();
  for (const id of ['olive', 'quinn', 'oscar', 'sam', 'max']) await stack.deps.agentStates.setPresence(id, 'online', at);
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A case in q1 owned by olive, in `status`, whose open swarm has invited sam. */
async function freshCase(status: CaseStatus): Promise<CaseRecord> {
  const at = new Date().toISOString();
  const base = makeCase({
    caseNumber: await stack.deps.cases.allocateCaseNumber(),
    channel: 'email',
    status: 'queued',
    queue: 'q1',
    territory: 'all',
    product: 'lamps',
    contact: { email: 'customer@example.org', name: 'Customer' },
    createdAt: at,
    updatedAt: at,
  });
  // The customer's first message, with a file: the attachment route has something to hand out.
  const first = makeMessage(base.caseId, {
    messageId: `${base.caseId}-m1`,
    attachments: [{ name: 'photo.txt', contentType: 'text/plain', size: 5, ref: `parts/matrix/${base.caseId}/photo.txt` }],
  });
  await stack.deps.cases.create({ case: base, messages: [first], events: [] });
  const claimed = await stack.deps.assignments.claim({
    next: { ...base, status: 'assigned', owner: 'olive' },
    expectedVersion: base.version,
    agentId: 'olive',
    channel: 'email',
    capacity: big.email,
    at,
    events: [],
    decisions: [],
  });
  if (!claimed.claimed) throw new Error(`could not set up a case: ${claimed.reason}`);
  return stack.deps.cases.update(
    {
      ...claimed.case,
      status,
      swarm: {
        swarmId: `swarm-${base.caseId}`,
        status: 'open',
        startedAt: at,
        startedBy: 'olive',
        skills: [{ skill: 'lamps', minLevel: 1, optional: false }],
        members: [{ agentId: 'sam', name: 'Sam Swarm', score: 60, reasons: ['lamps level 5: +50'], invitedAt: at, invitedBy: 'olive' }],
      },
    },
    claimed.case.version,
    [],
  );
}

type Expect = Record<Persona, number>;
const all = (status: number): Expect => Object.fromEntries(PERSONAS.map((p) => [p, status])) as Expect;
const signedIn = (status: number): Expect => ({ ...all(status), anonymous: 401 });
const ownerOrManager = (status: number): Expect => ({ anonymous: 401, owner: status, queue: 403, other: 403, swarm: 403, manager: status, admin: status });
const readers = (status: number): Expect => ({ anonymous: 401, owner: status, queue: status, other: 403, swarm: status, manager: status, admin: status });
const managersOnly = (status: number): Expect => ({ anonymous: 401, owner: 403, queue: 403, other: 403, swarm: 403, manager: status, admin: status });

let uniq = 0;
interface Row {
  route: string;
  /** The case the request is about, set up afresh for each caller (writes change it). */
  state?: CaseStatus;
  request: (c: CaseRecord | undefined) => { path: string; json?: unknown };
  expect: Expect;
}

const MATRIX: Row[] = [
  { route: 'GET /health', request: () => ({ path: '/health' }), expect: all(200) },
  { route: 'GET /openapi.json', request: () => ({ path: '/openapi.json' }), expect: all(200) },
  { route: 'GET /web-to-case', request: () => ({ path: '/web-to-case' }), expect: all(200) },
  {
    route: 'POST /web-to-case',
    request: () => ({ path: '/web-to-case', json: { email: `matrix${++uniq}@example.org`, subject: `Matrix ${uniq}`, description: 'A form post.' } }),
    expect: all(201),
  },
  { route: 'GET /web-to-case/options', request: () => ({ path: '/web-to-case/options' }), expect: all(200) },
  // The customer's status page: the signed link is the key, whoever holds it (a bearer token is neither needed nor used).
  { route: 'GET /status/{token}', state: 'in_progress', request: (c) => ({ path: `/status/${statusToken(c!)}` }), expect: all(200) },
  {
    route: 'POST /status/{token}/messages',
    state: 'in_progress',
    request: (c) => ({ path: `/status/${statusToken(c!)}/messages`, json: { text: 'A customer adds a line.' } }),
    expect: all(201),
  },
  { route: 'GET /cases', request: () => ({ path: '/cases' }), expect: signedIn(200) },
  {
    route: 'POST /cases',
    request: () => ({ path: '/cases', json: { subject: `Call ${++uniq}`, description: 'A phone call.', contact: { phone: '+44 20 7946 0000' } } }),
    expect: signedIn(201),
  },
  { route: 'GET /cases/search', request: () => ({ path: '/cases/search?q=00000001' }), expect: signedIn(200) },
  { route: 'GET /cases/{id}', state: 'in_progress', request: (c) => ({ path: `/cases/${c!.caseId}` }), expect: readers(200) },
  {
    route: 'GET /cases/{id}/messages/{messageId}/attachments/{index}',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/messages/${c!.caseId}-m1/attachments/0` }),
    expect: readers(200),
  },
  { route: 'GET /agents', request: () => ({ path: '/agents' }), expect: signedIn(200) },
  { route: 'GET /agents/me', request: () => ({ path: '/agents/me' }), expect: signedIn(200) },
  { route: 'PUT /agents/me/presence', request: () => ({ path: '/agents/me/presence', json: { status: 'online' } }), expect: signedIn(200) },
  {
    route: 'PUT /agents/{id}/presence',
    request: () => ({ path: '/agents/oscar/presence', json: { status: 'online' } }),
    // Oscar himself, or a manager: agents set only their own presence.
    expect: { anonymous: 401, owner: 403, queue: 403, other: 200, swarm: 403, manager: 200, admin: 200 },
  },
  { route: 'POST /agents/me/next', request: () => ({ path: '/agents/me/next' }), expect: signedIn(200) },
  {
    route: 'POST /cases/{id}/accept',
    state: 'assigned',
    request: (c) => ({ path: `/cases/${c!.caseId}/accept` }),
    // Only the agent the case was offered to: not even a manager accepts for them.
    expect: { anonymous: 401, owner: 200, queue: 403, other: 403, swarm: 403, manager: 403, admin: 403 },
  },
  {
    route: 'POST /cases/{id}/decline',
    state: 'assigned',
    request: (c) => ({ path: `/cases/${c!.caseId}/decline`, json: { reason: 'busy' } }),
    expect: { anonymous: 401, owner: 200, queue: 403, other: 403, swarm: 403, manager: 403, admin: 403 },
  },
  {
    route: 'POST /cases/{id}/status',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/status`, json: { status: 'on_hold', reason: 'waiting for the customer' } }),
    expect: ownerOrManager(200),
  },
  {
    route: 'PATCH /cases/{id}',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}`, json: { type: 'billing', reason: 'the customer asks about an invoice' } }),
    expect: ownerOrManager(200),
  },
  {
    route: 'POST /cases/{id}/priority',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/priority`, json: { priority: 'high', reason: 'escalated by phone' } }),
    expect: ownerOrManager(200),
  },
  {
    route: 'POST /cases/{id}/notes',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/notes`, json: { text: 'a note' } }),
    expect: readers(201),
  },
  {
    route: 'POST /cases/{id}/reassign',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/reassign`, json: { queue: 'q2', reason: 'belongs to q2' } }),
    expect: ownerOrManager(200),
  },
  {
    route: 'POST /cases/{id}/replies',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/replies`, json: { text: 'Hello from support.' } }),
    expect: ownerOrManager(201),
  },
  {
    route: 'POST /cases/{id}/uploads',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/uploads`, json: { contentType: 'application/pdf', size: 1024 } }),
    expect: ownerOrManager(201),
  },
  { route: 'POST /cases/{id}/swarm', state: 'in_progress', request: (c) => ({ path: `/cases/${c!.caseId}/swarm`, json: {} }), expect: ownerOrManager(200) },
  {
    route: 'POST /cases/{id}/swarm/join',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/swarm/join` }),
    // Who may read the case joins (sam is in already: no change); the owner has no need to (409);
    // oscar can neither read the case nor has its swarm's skill.
    expect: { anonymous: 401, owner: 409, queue: 200, other: 403, swarm: 200, manager: 200, admin: 200 },
  },
  {
    route: 'POST /cases/{id}/swarm/leave',
    state: 'in_progress',
    request: (c) => ({ path: `/cases/${c!.caseId}/swarm/leave` }),
    // Only a member leaves; readers who are not members are told so (409), others learn nothing (403).
    expect: { anonymous: 401, owner: 409, queue: 409, other: 403, swarm: 200, manager: 409, admin: 409 },
  },
  { route: 'GET /admin/config', request: () => ({ path: '/admin/config' }), expect: { ...managersOnly(200), manager: 403 } },
  { route: 'PUT /admin/config', request: () => ({ path: '/admin/config', json: CONFIG }), expect: { ...managersOnly(200), manager: 403 } },
  { route: 'POST /admin/config/validate', request: () => ({ path: '/admin/config/validate', json: CONFIG }), expect: { ...managersOnly(200), manager: 403 } },
  { route: 'GET /reports', request: () => ({ path: '/reports' }), expect: managersOnly(200) },
  { route: 'GET /reports/{name}', request: () => ({ path: '/reports/backlog' }), expect: managersOnly(200) },
  { route: 'GET /exports/events', request: () => ({ path: '/exports/events?from=2025-01-01&to=2025-01-02' }), expect: managersOnly(200) },
  // Slack's routes take no token, only Slack's signature: a bearer token counts for nothing there
  // (test/e2e/slack.test.ts has what a signed request gets).
  { route: 'POST /slack/events', request: () => ({ path: '/slack/events', json: { type: 'url_verification', challenge: 'x' } }), expect: all(401) },
  { route: 'POST /slack/interactions', request: () => ({ path: '/slack/interactions', json: {} }), expect: all(401) },
  { route: 'POST /slack/commands', request: () => ({ path: '/slack/commands', json: {} }), expect: all(401) },
];

describe('the authorisation matrix', () => {
  it('has a row for every route, and a route for every row', () => {
    const declared = (ROUTES as readonly RouteDefinition[]).map((r) => `${r.method} ${r.path}`).sort();
    expect(MATRIX.map((r) => r.route).sort()).toEqual(declared);
  });

  it.each(MATRIX.map((row) => [row.route, row] as const))('%s', async (route, row) => {
    const method = route.split(' ')[0]!;
    const got = {} as Expect;
    for (const persona of PERSONAS) {
      const c = row.state ? await freshCase(row.state) : undefined;
      const { path, json } = row.request(c);
      const res = await api.call(method, path, { ...(persona === 'anonymous' ? {} : { as: AGENT_OF[persona] }), ...(json !== undefined ? { json } : {}) });
      responses.push({ what: `${route} as ${persona}`, res });
      got[persona] = res.status;
      const auth = (ROUTES as readonly RouteDefinition[]).find((r) => `${r.method} ${r.path}` === route)!.auth;
      // API Gateway's own answer on token routes; the Slack handler's on Slack's (unsigned).
      if (res.status === 401 && auth === 'jwt') expect(res.body, `${route} as ${persona}`).toEqual({ message: 'Unauthorized' });
      if (res.status === 401 && auth === 'public') expect(res.body, `${route} as ${persona}`).toMatchObject({ error: 'UnauthorizedError' });
      if (res.status === 403) expect(res.body, `${route} as ${persona}`).toMatchObject({ error: 'ForbiddenError', message: expect.any(String) });
    }
    expect(got).toEqual(row.expect);
  });
});

describe('GET /agents: who sees whom', () => {
  it("managers and admins see every agent with load and capacity; an agent sees only their queues' members, presence only", async () => {
    for (const who of ['max', 'ada']) {
      const res = await api.call('GET', '/agents', { as: who });
      expect(res.status).toBe(200);
      expect(res.body.agents.map((a: { id: string }) => a.id).sort()).toEqual(['ada', 'max', 'olive', 'oscar', 'quinn', 'sam']);
      expect(res.body.queues.map((q: { id: string }) => q.id)).toEqual(expect.arrayContaining(['q1', 'q2']));
      const olive = res.body.agents.find((a: { id: string }) => a.id === 'olive');
      expect(olive).toMatchObject({ roles: ['agent'], capacity: { email: 1000 }, state: { presence: 'online', load: expect.any(Object) } });
    }
    const quinn = await api.call('GET', '/agents', { as: 'quinn' });
    expect(quinn.status).toBe(200);
    expect(quinn.body.agents.map((a: { id: string }) => a.id).sort()).toEqual(['olive', 'quinn']);
    expect(quinn.body.queues.map((q: { id: string }) => q.id)).toEqual(['q1']);
    for (const agent of quinn.body.agents) {
      expect(Object.keys(agent).sort()).toEqual(['id', 'name', 'queues', 'state']);
      expect(Object.keys(agent.state).sort()).toEqual(['presence', 'presenceSince']);
    }
    // Presence changes show at once: the team board follows them.
    await api.call('PUT', '/agents/me/presence', { as: 'olive', json: { status: 'away' } });
    const after = await api.call('GET', '/agents', { as: 'quinn' });
    expect(after.body.agents.find((a: { id: string }) => a.id === 'olive').state.presence).toBe('away');
    await api.call('PUT', '/agents/me/presence', { as: 'olive', json: { status: 'online' } });
  });
});

describe('GET /cases/search: only what the caller may read', () => {
  it('finds a case by number and by customer email for its readers, and nothing for others', async () => {
    const c = await freshCase('in_progress');
    const number = String(Number(c.caseNumber));
    for (const [who, sees] of [
      ['olive', true],
      ['quinn', true],
      ['oscar', false],
      ['max', true],
    ] as const) {
      for (const q of [number, `#${c.caseNumber}`, c.contact.email.toUpperCase()]) {
        const res = await api.call('GET', `/cases/search?q=${encodeURIComponent(q)}`, { as: who });
        expect(res.status, `${who} ${q}`).toBe(200);
        expect(
          res.body.items.some((x: { caseId: string }) => x.caseId === c.caseId),
          `${who} ${q}`,
        ).toBe(sees);
      }
    }
    // Words of the subject: the same filter (docs/api.md#finding-a-case).
    const word = c.subject.split(/\s+/).find((w) => w.length >= 4)!;
    for (const [who, sees] of [
      ['olive', true],
      ['oscar', false],
      ['max', true],
    ] as const) {
      const res = await api.call('GET', `/cases/search?q=${encodeURIComponent(c.subject)}`, { as: who });
      expect(res.status, `${who} ${word}`).toBe(200);
      expect(
        res.body.items.some((x: { caseId: string }) => x.caseId === c.caseId),
        `${who} ${c.subject}`,
      ).toBe(sees);
    }
    const nothingLeft = await api.call('GET', '/cases/search?q=the', { as: 'max' });
    expect(nothingLeft.status).toBe(400);
    expect(nothingLeft.body.fields).toEqual([{ field: 'q', message: expect.any(String) }]);
    const empty = await api.call('GET', '/cases/search?q=', { as: 'max' });
    expect(empty.status).toBe(400);
    expect(empty.body.fields[0].field).toBe('q');
  });
});

describe('what bad requests get', () => {
  it('400 naming each field at fault', async () => {
    const c = await freshCase('in_progress');
    const cases: [string, string, unknown, { field: string }[]][] = [
      ['POST', `/cases/${c.caseId}/priority`, { priority: 'high' }, [{ field: 'reason' }]],
      ['PATCH', `/cases/${c.caseId}`, { reason: 'x' }, [{ field: 'type' }]],
      ['PATCH', `/cases/${c.caseId}`, { type: 'billing', queue: 'x' }, [{ field: 'queue' }]],
      ['POST', `/cases/${c.caseId}/reassign`, { reason: 'x' }, [{ field: 'agent' }]],
      ['POST', `/cases/${c.caseId}/replies`, { text: 'x', cc: 'y' }, [{ field: 'cc' }]],
      ['POST', `/cases/${c.caseId}/swarm`, { limit: 50 }, [{ field: 'limit' }]],
      ['POST', `/cases/${c.caseId}/status`, { status: 'done' }, [{ field: 'status' }]],
      ['POST', '/cases', { subject: '', description: 'x', contact: { email: 'not-an-address' } }, [{ field: 'subject' }, { field: 'contact.email' }]],
      ['GET', '/cases?priority=urgent', undefined, [{ field: 'priority' }]],
    ];
    for (const [method, path, json, fields] of cases) {
      const res = await api.call(method, path, { as: 'olive', ...(json !== undefined ? { json } : {}) });
      responses.push({ what: `${method} ${path}`, res });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(400);
      expect(res.body.error).toBe('ValidationError');
      expect(res.body.fields.map((f: { field: string }) => ({ field: f.field }))).toEqual(fields);
    }
    const notJson = await api.call('POST', `/cases/${c.caseId}/notes`, {
      as: 'olive',
      body: 'text=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    responses.push({ what: 'form body', res: notJson });
  });

  it('404 for unknown routes and cases, 405 for wrong methods, 413 for bodies over the limit', async () => {
    const checks: [Sent, number][] = [
      [await api.call('GET', '/nowhere', { as: 'olive' }), 404],
      [await api.call('GET', '/cases/01ZZZZZZZZZZZZZZZZZZZZZZZZ', { as: 'olive' }), 404],
      [await api.call('GET', '/cases/..%2F..%2Fetc', { as: 'olive' }), 404],
      [await api.call('DELETE', '/cases/01ZZZZZZZZZZZZZZZZZZZZZZZZ', { as: 'olive' }), 405],
      [await api.call('GET', '/cases/01ZZZZZZZZZZZZZZZZZZZZZZZZ/replies', { as: 'olive' }), 405],
      [await api.call('PUT', '/openapi.json'), 405],
      [await api.call('POST', '/cases/01ZZZZZZZZZZZZZZZZZZZZZZZZ/notes', { as: 'olive', json: { text: 'x'.repeat(70 * 1024) } }), 413],
      [await api.call('POST', '/cases', { as: 'olive', body: 'x'.repeat(10 * 1024 * 1024 + 1), headers: { 'content-type': 'application/json' } }), 413],
    ];
    for (const [res, status] of checks) {
      responses.push({ what: `expected ${status}`, res });
      expect(res.status, res.text.slice(0, 200)).toBe(status);
    }
    expect(checks[3]![0].headers.get('allow')).toBe('GET, PATCH');
    expect(checks[4]![0].headers.get('allow')).toBe('POST');
  });

  it('500 with a generic body when something breaks inside (here: the outbox cannot be written)', async () => {
    const c = await freshCase('in_progress');
    const outbox = join(dataDir, 'outbox');
    await rm(outbox, { recursive: true, force: true });
    await writeFile(outbox, 'not a directory'); // mkdir and writes under it now fail with ENOTDIR/EEXIST
    try {
      const res = await api.call('POST', `/cases/${c.caseId}/replies`, { as: 'olive', json: { text: 'this cannot be sent' } });
      responses.push({ what: 'a failing reply', res });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'InternalError', message: 'Something went wrong on our side. It has been logged.' });
      // Nothing was recorded as sent.
      const detail = await stack.deps.cases.getWithHistory(c.caseId);
      expect(detail!.messages.filter((m) => m.direction === 'outbound')).toEqual([]);
    } finally {
      await rm(outbox, { force: true });
    }
  });

  it('never shows a stack trace, a file path or an internal error in any response of this file', () => {
    expect(responses.length).toBeGreaterThan(150);
    const internal =
      /\n\s+at\s|node_modules|\.ts:\d+|ENOTDIR|EEXIST|ENOENT|ConditionalCheckFailed|TransactionCanceled|DynamoDB|\bTypeError\b|\bReferenceError\b/;
    // Error answers must not name where things live either (the data directory is under /tmp here).
    const leaks = responses.filter(({ res }) => internal.test(res.text) || (res.status >= 400 && /\/tmp\/|caseflow-e2e/.test(res.text)));
    expect(leaks.map(({ what, res }) => `${what}: ${res.status} ${res.text.slice(0, 200)}`)).toEqual([]);
    for (const { res } of responses.filter(({ res }) => res.status >= 500))
      expect(res.body).toEqual({ error: 'InternalError', message: 'Something went wrong on our side. It has been logged.' });
  });
});
