/**
 * The local stack end to end, over real HTTP: DynamoDB Local (in memory), the case lifecycle on local
 * Step Functions with the real ASL file, and the gateway in front of the web-to-case and api
 * handlers, checking tokens the way API Gateway's JWT authorizer does.
 *
 * The demo configuration applies (an empty store), so luke, leia, han and anakin start online.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalKeyPair } from '../../lib/local/jwt.js';
import { loadOrCreateKeyPair, signLocalToken } from '../../lib/local/jwt.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';

let stack: LocalStack;
let dataDir: string;
let keys: LocalKeyPair;
let api: LocalClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-'));
  // Rate limits high enough for a test that submits a dozen cases from one address.
  stack = await startLocalStack({ port: 0, memory: true, dataDir, quiet: true, webLimits: { perIp: 1000, perEmail: 1000 } });
  keys = await loadOrCreateKeyPair(stack.dataDir);
  api = await localClient(stack);
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const call = (...args: Parameters<LocalClient['call']>) => api.call(...args);

let submissions = 0;
/** A JSON web-to-case submission; every one differs, so content dedupe never merges two. */
async function submit(fields: Record<string, string>): Promise<{ caseId: string; caseNumber: string }> {
  submissions++;
  const res = await call('POST', '/web-to-case', {
    json: {
      name: 'Test Customer',
      email: `customer${submissions}@example.org`,
      subject: `Lamp ${submissions} flickers`,
      description: `Case body ${submissions}`,
      ...fields,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/**
 * Waits for the case's lifecycle execution and checks it took the happy path (no Catch). The demo
 * configuration has an SLA policy, so a routed case's execution goes on waiting for its SLA deadline
 * (RUNNING, parked in WaitForSlaDeadline); one that needs no clock has finished.
 */
async function lifecycleOf(caseId: string) {
  const execution = await stack.workflow.waitFor(caseId, { until: 'WaitForSlaDeadline' });
  if (execution.status === 'RUNNING') expect(execution.states.at(-1)).toBe('WaitForSlaDeadline');
  else expect(execution.status).toBe('SUCCEEDED');
  expect(execution.caught).toEqual([]);
  expect(execution.states).toEqual(expect.arrayContaining(['Stamp', 'Route']));
  return execution;
}

describe('the local stack over HTTP', () => {
  it('writes local-stack.json while it runs', async () => {
    expect((await stat(join(stack.dataDir, 'local-stack.json'))).isFile()).toBe(true);
    expect(stack.configSource).toBe('demo');
  });

  it('GET /health answers ok without a token', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: { table: 'ok', configuration: 'applied' } });
  });

  it('refuses API calls without a valid token, like the JWT authorizer: 401 {"message":"Unauthorized"}', async () => {
    const none = await call('GET', '/cases');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ message: 'Unauthorized' });

    // Right shape, right claims, wrong key.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await signLocalToken({ privateKey, publicKey, kid: keys.kid }, { agentId: 'admin', roles: ['admin', 'manager'] });
    const forgedRes = await call('GET', '/cases', { token: forged });
    expect(forgedRes.status).toBe(401);
    expect(forgedRes.body).toEqual({ message: 'Unauthorized' });

    const expired = await signLocalToken(keys, { agentId: 'admin', roles: ['admin'], ttl: 60, now: new Date(Date.now() - 3600_000) });
    expect((await call('GET', '/agents/me', { token: expired })).status).toBe(401);
    expect((await call('GET', '/agents/me', { token: 'not-a-jwt' })).status).toBe(401);
  });

  it('passes the claims as API Gateway does (groups flattened to "[a b]"), and the API reads the roles back', async () => {
    const res = await call('GET', '/agents/me', { as: 'mace' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'mace', roles: ['agent', 'manager'], queues: ['review'] });
    expect(res.body.state).toMatchObject({ agentId: 'mace', presence: 'offline' });
  });

  it('a web-to-case submission runs the lifecycle and is assigned to an online member of its queue', async () => {
    const { caseId, caseNumber } = await submit({ country: 'DE' });
    await lifecycleOf(caseId);

    const res = await call('GET', `/cases/${caseId}`, { as: 'luke' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const c = res.body;
    expect(c).toMatchObject({ caseId, caseNumber, channel: 'web', status: 'assigned', territory: 'dach', queue: 'emea' });
    // emea's members are luke, leia and obiwan; only luke and leia are online in the demo.
    expect(['luke', 'leia']).toContain(c.owner);
    // Stamping records the detected language (normalised) and the computed priority before the territory.
    // Then the demo SLA policy's clock starts (ScheduleSla).
    // The acknowledgement goes out beside the workflow (docs/web-form.md#acknowledgements): its event
    // may land anywhere among the workflow's, so it is checked on its own.
    expect(c.events.map((e: { activity: string }) => e.activity)).toContain('acknowledgement_sent');
    expect(c.events.map((e: { activity: string }) => e.activity).filter((a: string) => a !== 'acknowledgement_sent')).toEqual([
      'case_created',
      'normalised',
      'priority_set',
      'territory_stamped',
      'assigned',
      'sla_clock_started',
    ]);
    expect(c.events[0]).toMatchObject({ actor: { kind: 'customer' }, at: expect.any(String), details: expect.any(Object) });
    expect(c.messages).toEqual([
      expect.objectContaining({ direction: 'inbound', from: expect.stringContaining('@example.org'), attachments: [] }),
      expect.objectContaining({ direction: 'outbound', kind: 'acknowledgement', text: expect.stringContaining('/app/status/') }),
    ]);
    expect(c.decisions.map((d: { kind: string }) => d.kind)).toEqual(expect.arrayContaining(['territory', 'assignment']));
    // Internal bookkeeping stays inside; the version (and the history written since) is the ETag.
    expect(c).not.toHaveProperty('priorityRank');
    expect(c).not.toHaveProperty('routing');
    expect(c.version).toEqual(expect.any(Number));
    expect(c).not.toHaveProperty('historyRevision');
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(new RegExp(`^"${c.version}(\\.[1-9][0-9]*)?"$`));
    const unchanged = await call('GET', `/cases/${caseId}`, { as: 'luke', headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);

    // han works americas and general, does not own it: 403. Managers see every case.
    const other = await call('GET', `/cases/${caseId}`, { as: 'han' });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('ForbiddenError');
    expect((await call('GET', `/cases/${caseId}`, { as: 'mace' })).status).toBe(200);
    expect((await call('GET', `/cases/${caseId}`, { as: 'admin' })).status).toBe(200);

    expect((await call('GET', '/cases/01ZZZZZZZZZZZZZZZZZZZZZZZZ', { as: 'mace' })).status).toBe(404);
  });

  it('queues cases nobody can take, pages through them exactly once, and dispatches them when an agent comes online', async () => {
    // apac (no overflow queue): anakin (online in the demo) and yoda (offline). Take anakin offline
    // first; agents cannot do that for others, managers can.
    expect((await call('PUT', '/agents/anakin/presence', { as: 'luke', json: { status: 'offline' } })).status).toBe(403);
    const off = await call('PUT', '/agents/anakin/presence', { as: 'mace', json: { status: 'offline' } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ state: { agentId: 'anakin', presence: 'offline' }, dispatched: [] });

    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await submit({ country: 'JP' })).caseId);
    for (const caseId of created) await lifecycleOf(caseId);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const qs = new URLSearchParams({ queue: 'apac', status: 'queued', limit: '2', ...(cursor ? { cursor } : {}) });
      const page = await call('GET', `/cases?${qs}`, { as: 'anakin' });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) {
        expect(item).toMatchObject({ queue: 'apac', status: 'queued' });
        expect(item).not.toHaveProperty('priorityRank');
        seen.push(item.caseId);
      }
      cursor = page.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual([...created].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(3);

    // Agents may list only their own queues; managers any.
    expect((await call('GET', '/cases?queue=apac&status=queued', { as: 'luke' })).status).toBe(403);
    expect((await call('GET', '/cases?queue=apac&status=queued&limit=100', { as: 'mace' })).body.items).toHaveLength(5);

    const online = await call('PUT', '/agents/me/presence', { as: 'anakin', json: { status: 'online' } });
    expect(online.status, JSON.stringify(online.body)).toBe(200);
    expect(online.body.state).toMatchObject({ agentId: 'anakin', presence: 'online' });
    expect(online.body.dispatched.length).toBeGreaterThan(0);
    expect(online.body.state.load.web).toBe(online.body.dispatched.length);
    for (const caseId of online.body.dispatched) {
      const c = await call('GET', `/cases/${caseId}`, { as: 'anakin' });
      expect(c.body).toMatchObject({ status: 'assigned', owner: 'anakin' });
      expect(c.body.events.at(-1)).toMatchObject({ activity: 'assigned', details: { owner: 'anakin', method: 'dispatch' } });
    }
    const mine = await call('GET', '/cases?owner=anakin&status=assigned&limit=100', { as: 'anakin' });
    expect(mine.body.items.map((c: { caseId: string }) => c.caseId).sort()).toEqual([...online.body.dispatched].sort());
  });

  it('answers unknown routes with 404, wrong methods with 405, and bad input with 400 naming the field', async () => {
    const unknown = await call('GET', '/nope', { as: 'luke' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: 'Not Found' });

    const wrong = await call('DELETE', '/cases/anything', { as: 'luke' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PATCH');

    const badJson = await call('PUT', '/agents/me/presence', { as: 'luke', body: '{"status":', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.body.fields).toEqual([{ field: 'body', message: 'is not valid JSON' }]);

    const badValue = await call('PUT', '/agents/me/presence', { as: 'luke', json: { status: 'busy' } });
    expect(badValue.status).toBe(400);
    expect(badValue.body.fields.map((f: { field: string }) => f.field)).toEqual(['status']);

    const badQuery = await call('GET', '/cases?limit=500&status=open', { as: 'luke' });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['limit', 'status']);

    const badCursor = await call('GET', '/cases?cursor=bm90LWEtY3Vyc29y', { as: 'luke' });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.fields[0].field).toBe('cursor');

    const badForm = await call('POST', '/web-to-case', { json: { subject: 'no email', description: 'x' } });
    expect(badForm.status).toBe(400);
    expect(badForm.body.fields.map((f: { field: string }) => f.field)).toContain('email');

    const big = await call('PUT', '/agents/me/presence', { as: 'luke', json: { status: 'online', pad: 'x'.repeat(70 * 1024) } });
    expect(big.status).toBe(413);
  });

  it("refuses a body over API Gateway's 10 MB at the gateway, before any function runs", async () => {
    const res = await call('POST', '/web-to-case', { body: 'x'.repeat(10 * 1024 * 1024 + 1), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ message: 'Request Entity Too Large' });
  });

  it('writes admin alerts to alerts.log and, as a MIME email to the configured admins, to the outbox', async () => {
    await stack.deps.alerts.publish({
      alertId: 'ALERT1',
      at: '2026-03-14T10:15:00.000Z',
      subject: 'Case 00001234 needs manual review',
      message: 'Über-long wait.',
      caseId: 'CASE1',
    });

    const lines = (await readFile(join(stack.dataDir, 'alerts.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ alertId: 'ALERT1', caseId: 'CASE1', recipients: ['admin@support.example.com'] });

    const files = (await readdir(join(stack.dataDir, 'outbox'))).filter((f) => f.includes('ALERT1'));
    expect(files).toEqual(['20260314T101500000Z-alert-ALERT1.eml']);
    const eml = await readFile(join(stack.dataDir, 'outbox', files[0]!), 'utf8');
    expect(eml).toMatch(/^From: caseflow alerts <alerts@caseflow\.local>\r$/m);
    expect(eml).toMatch(/^To: admin@support\.example\.com\r$/m);
    expect(eml).toMatch(/^Subject: \[caseflow\] Case 00001234 needs manual review\r$/m);
    expect(eml).toMatch(/^Content-Type: text\/plain; charset=utf-8\r$/m);
    expect(eml).toMatch(/^X-Caseflow-Case-I[dD]: CASE1\r$/m);
  });
});
