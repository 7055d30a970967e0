/**
 * What a caller can learn from the agent API, through the real api handler on DynamoDB Local:
 * - a caller who may not act on a case gets the same answer whatever If-Match (or If-None-Match)
 *   they send, on every route that takes one and every case route: authorisation comes before the
 *   version check, so a 412 or a 304 never tells them the case's number or version;
 * - If-Match takes only the ETags the API issues (fuzzed): anything else is 412, never 400 and
 *   never a write;
 * - an unknown key in a nested object is named by its path.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord, CaseStatus, Swarm } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { createHandler, parseIfMatch } from '../../functions/handlers/api.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import type { HttpResult } from '../../functions/http/api-gateway.js';
import { OPERATIONS } from '../../functions/handlers/api/openapi.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock, makeCase, makeMessage } from '../support/fixtures.js';
import { apiEvent, cognitoClaims, lambdaContext } from '../support/api-events.js';

const db = await freshTable('api-trust');
const clock = fixedClock('2025-03-03T09:00:00.000Z');
const deps = makeAppDeps({
  table: db.table,
  clock,
  alerts: { publish: async () => undefined },
  workflow: { startCase: async () => undefined },
});
const api = createHandler(deps);
const context = lambdaContext();

const CONFIG: RoutingConfigInput = {
  queues: [
    { id: 'support', name: 'Support', members: ['ann', 'cat'] },
    { id: 'other', name: 'Other', members: ['zed'] },
  ],
  agents: [
    { id: 'ann', name: 'Ann', email: 'ann@example.com', roles: ['agent'], capacity: { email: 50, web: 50, phone: 50 } },
    { id: 'cat', name: 'Cat', email: 'cat@example.com', roles: ['agent'], capacity: { email: 50, web: 50, phone: 50 } },
    { id: 'zed', name: 'Zed', email: 'zed@example.com', roles: ['agent'], capacity: { email: 50, web: 50, phone: 50 } },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', roles: ['agent', 'manager'], capacity: { email: 50, web: 50, phone: 50 } },
  ],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
};
const ROLES: Record<string, string[]> = { ann: ['agent'], cat: ['agent'], zed: ['agent'], bob: ['agent', 'manager'], adam: ['admin'] };

beforeAll(async () => {
  await deps.configs.put(parseRoutingConfig(CONFIG), 0, 'test', clock.iso());
});

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
}

async function call(method: string, path: string, options: { as?: string; json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const event = apiEvent({
    method,
    path,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.as ? { claims: cognitoClaims(options.as, ROLES[options.as] ?? ['agent']) } : {}),
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
  const result = (await api(event, context)) as HttpResult;
  const text = result.body ?? '';
  return { status: result.statusCode ?? 200, headers: result.headers ?? {}, text, body: text ? JSON.parse(text) : undefined };
}

let seq = 0;
/** A case in `support` owned by ann, at a version other than 1 so a guessed "1" does not match by chance. */
async function ownedCase(status: CaseStatus, withSwarm = false): Promise<CaseRecord> {
  seq++;
  const c = makeCase({
    channel: 'web',
    status,
    owner: 'ann',
    queue: 'support',
    territory: 'all',
    version: 7 + seq,
    subject: `Trust case ${seq}`,
    ...(withSwarm ? { swarm: openSwarm() } : {}),
  });
  // With a file, so an attachment route has something an unauthorised caller must not learn of.
  const message = makeMessage(c.caseId, {
    messageId: `${c.caseId}-m1`,
    attachments: [{ name: `secret-${seq}.pdf`, contentType: 'application/pdf', size: 10, ref: `parts/x/secret-${seq}.pdf` }],
  });
  expect((await deps.cases.create({ case: c, messages: [message], events: [] })).created).toBe(true);
  return c;
}

/** An open swarm with cat in it, asking for a skill nobody has. */
const openSwarm = (): Swarm => ({
  swarmId: `swarm-${seq}`,
  status: 'open',
  startedAt: clock.iso(),
  startedBy: 'ann',
  skills: [{ skill: 'kernel', minLevel: 1, optional: false }],
  members: [{ agentId: 'cat', name: 'Cat', score: 1, reasons: [], invitedAt: clock.iso(), invitedBy: 'ann' }],
});

// ---------------------------------------------------------------------------------------------

/** What each route needs besides the path to get past validation; every route below must have an entry. */
const REQUESTS: Record<string, { json?: unknown; status?: CaseStatus; swarm?: boolean; conditional: 'if-match' | 'if-none-match' }> = {
  'GET /cases/{id}': { conditional: 'if-none-match' },
  'GET /cases/{id}/messages/{messageId}/attachments/{index}': { conditional: 'if-none-match' },
  'PATCH /cases/{id}': { json: { type: 'billing', reason: 'it is a billing question' }, conditional: 'if-match' },
  'POST /cases/{id}/accept': { status: 'assigned', conditional: 'if-match' },
  'POST /cases/{id}/decline': { json: {}, status: 'assigned', conditional: 'if-match' },
  'POST /cases/{id}/status': { json: { status: 'on_hold', reason: 'waiting for parts' }, conditional: 'if-match' },
  'POST /cases/{id}/priority': { json: { priority: 'high', reason: 'customer is blocked' }, conditional: 'if-match' },
  'POST /cases/{id}/notes': { json: { text: 'a note' }, conditional: 'if-match' },
  'POST /cases/{id}/reassign': { json: { queue: 'support', reason: 'handing over' }, conditional: 'if-match' },
  'POST /cases/{id}/replies': { json: { text: 'Hello' }, conditional: 'if-match' },
  'POST /cases/{id}/uploads': { json: { contentType: 'application/pdf', size: 1024 }, conditional: 'if-match' },
  'POST /cases/{id}/swarm': { json: {}, conditional: 'if-match' },
  'POST /cases/{id}/swarm/join': { swarm: true, conditional: 'if-match' },
  'POST /cases/{id}/swarm/leave': { swarm: true, conditional: 'if-match' },
};

/** Every case route and every route that takes If-Match, from the one table of operations. */
const CASE_ROUTES = Object.entries(OPERATIONS)
  .filter(([key, doc]) => key.includes(' /cases/{id}') || (doc.ifMatch && key.includes('{id}')))
  .map(([key]) => key);

/**
 * Who may not do what: zed is in neither the case's queue nor its swarm (nor has its skill); cat may
 * read it but not work it, may join its swarm, and is in it when it has one.
 */
function unauthorisedCallers(route: string): string[] {
  if (route === 'GET /cases/{id}' || route === 'POST /cases/{id}/notes' || route.includes('/attachments/')) return ['zed'];
  if (route === 'POST /cases/{id}/swarm/join' || route === 'POST /cases/{id}/swarm/leave') return ['zed'];
  if (route === 'POST /cases/{id}/accept' || route === 'POST /cases/{id}/decline') return ['zed', 'cat', 'bob'];
  return ['zed', 'cat'];
}

describe('authorisation before anything about the case is revealed', () => {
  it('covers every case route and every route with If-Match', () => {
    expect(CASE_ROUTES.length).toBeGreaterThanOrEqual(9);
    expect(CASE_ROUTES.filter((r) => !REQUESTS[r])).toEqual([]);
  });

  it.each(CASE_ROUTES)('%s: an unauthorised caller gets the same answer whatever the version they send', async (route) => {
    const spec = REQUESTS[route]!;
    const [method, pattern] = route.split(' ') as [string, string];
    const header = spec.conditional;
    for (const who of unauthorisedCallers(route)) {
      const c = await ownedCase(spec.status ?? 'in_progress', spec.swarm);
      const path = pattern.replace('{id}', c.caseId).replace('{messageId}', `${c.caseId}-m1`).replace('{index}', '0');
      const variants: Record<string, Record<string, string>> = {
        none: {},
        current: { [header]: `"${c.version}"` },
        stale: { [header]: `"${c.version + 5}"` },
        older: { [header]: `"${c.version - 1}"` },
        malformed: { [header]: '"0x10"' },
        weak: { [header]: `W/"${c.version}"` },
        star: { [header]: '*' },
      };
      const answers: Record<string, Answer> = {};
      for (const [name, headers] of Object.entries(variants)) {
        answers[name] = await call(method, path, { as: who, headers, ...(spec.json !== undefined ? { json: spec.json } : {}) });
      }
      const first = answers.none!;
      expect([403, 404], `${route} as ${who}: ${first.text}`).toContain(first.status);
      for (const [name, a] of Object.entries(answers)) {
        expect({ status: a.status, body: a.body, etag: a.headers.etag }, `${route} as ${who}, If-Match ${name}`).toEqual({
          status: first.status,
          body: first.body,
          etag: first.headers.etag,
        });
        expect(a.text, `${route} as ${who}`).not.toContain(c.caseNumber);
        expect(a.text, `${route} as ${who}`).not.toContain('secret-');
        expect(a.text, `${route} as ${who}`).not.toMatch(new RegExp(`\\b${c.version}\\b`));
      }
      // Nothing was written.
      expect((await deps.cases.get(c.caseId))?.version).toBe(c.version);
    }
  });

  it('still tells the owner a stale version (412): the answers above could differ', async () => {
    const c = await ownedCase('assigned');
    const stale = await call('POST', `/cases/${c.caseId}/accept`, { as: 'ann', headers: { 'if-match': `"${c.version + 5}"` } });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toBe('PreconditionFailedError');
    const fresh = await call('GET', `/cases/${c.caseId}`, { as: 'ann', headers: { 'if-none-match': `"${c.version}"` } });
    expect(fresh.status).toBe(304);
  });

  it('PUT /admin/config: a non-admin gets the same 403 whatever the version', async () => {
    const current = await deps.configs.getCurrent();
    for (const who of ['ann', 'bob']) {
      const answers = [];
      for (const ifMatch of [undefined, `"${current!.version}"`, `"${current!.version + 3}"`, '"1e3"']) {
        answers.push(await call('PUT', '/admin/config', { as: who, json: CONFIG, headers: ifMatch ? { 'if-match': ifMatch } : {} }));
      }
      for (const a of answers) expect({ status: a.status, body: a.body }).toEqual({ status: 403, body: answers[0]!.body });
    }
    expect((await deps.configs.getCurrent())?.version).toBe(current!.version);
  });
});

// ---------------------------------------------------------------------------------------------

describe('If-Match takes only the ETags the API issues', () => {
  it('parses exactly the quoted decimal version; everything else can never match', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('')).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
    expect(parseIfMatch('"7"')).toBe(7);
    expect(parseIfMatch(' "12" ')).toBe(12);
    expect(parseIfMatch('\t"12" ')).toBe(12);
    for (const bad of ['""', '"0x10"', '"1e3"', '"07"', '"-1"', '"+1"', '"1.0"', '7', 'W/"7"', '"7", "8"', '"٣"', '" 7"', '"9007199254740993"', '\u00a0"7"']) {
      expect(parseIfMatch(bad), bad).toBe(-1);
    }
  });

  it('fuzz: any If-Match but the current ETag (or none, or *) is 412 and writes nothing', async () => {
    let c = await ownedCase('in_progress');
    /** Header values built around the version current at the time of the request. */
    const headerFor: fc.Arbitrary<(v: number) => string> = fc.oneof(
      fc.string({ maxLength: 12 }).map((s) => () => s),
      fc.string({ unit: 'binary', maxLength: 8 }).map((s) => () => s),
      fc.integer({ min: -3, max: 3 }).map((d) => (v: number) => `"${v + d}"`),
      fc.constantFrom<(v: number) => string>(
        (v) => `"${v}"`,
        (v) => `W/"${v}"`,
        (v) => `"0${v}"`,
        (v) => `"${v}.0"`,
        (v) => `"${v}e0"`,
        (v) => `"+${v}"`,
        (v) => `${v}`,
        (v) => `"0x${v.toString(16)}"`,
        () => '""',
        (v) => `"${v}", "${v + 1}"`,
        (v) => `'${v}'`,
        (v) => `\u00a0"${v}"`,
      ),
      fc.tuple(fc.constantFrom('', ' ', '\t', 'x', '"', '  '), fc.constantFrom('', ' ', '\t', 'x', '"')).map(
        ([a, b]) =>
          (v: number) =>
            `${a}"${v}"${b}`,
      ),
    );
    const ows = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');
    let writes = 0;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(headerFor, async (build) => {
        const value = build(c.version);
        const trimmed = ows(value);
        const shouldWrite = trimmed === '' || trimmed === '*' || trimmed === `"${c.version}"`;
        const res = await call('POST', `/cases/${c.caseId}/notes`, { as: 'ann', json: { text: 'fuzz' }, headers: { 'if-match': value } });
        const after = (await deps.cases.get(c.caseId))!;
        if (shouldWrite) {
          expect(res.status, JSON.stringify(value)).toBe(201);
          expect(after.version).toBe(c.version + 1);
          writes++;
        } else {
          expect({ status: res.status, error: res.body.error }, JSON.stringify(value)).toEqual({ status: 412, error: 'PreconditionFailedError' });
          expect(after.version).toBe(c.version);
          refusals++;
        }
        c = after;
      }),
      { numRuns: 150 },
    );
    expect(writes).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
  });
});

describe('unknown keys in nested objects', () => {
  it('names them by their path', async () => {
    const res = await call('POST', '/cases', {
      as: 'ann',
      json: { subject: 's', description: 'd', contact: { email: 'a@example.com', fax: '1' }, location: { country: 'GB', bogus: 1 }, extra: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual(
      expect.arrayContaining([
        { field: 'contact.fax', message: 'is not a known field' },
        { field: 'location.bogus', message: 'is not a known field' },
        { field: 'extra', message: 'is not a known field' },
      ]),
    );
    expect(res.body.fields).toHaveLength(3);
  });
});

describe('text that is not UTF-8', () => {
  it('is refused by field in API bodies too, not stored as U+FFFD', async () => {
    const c = await ownedCase('in_progress');
    const res = await call('POST', `/cases/${c.caseId}/notes`, { as: 'ann', json: { text: 'half a pair: \udc00' } });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ field: 'text', message: 'is not valid UTF-8' }]);
    expect((await deps.cases.get(c.caseId))?.version).toBe(c.version);
  });
});

describe('templates in the configuration', () => {
  it('PUT /admin/config refuses a placeholder that is not documented, naming its path', async () => {
    const before = await deps.configs.getCurrent();
    const res = await call('PUT', '/admin/config', {
      as: 'adam',
      json: { ...CONFIG, email: { acknowledgement: { templates: { en: { subject: 'Re: {{subject}}', text: 'Case {{caseNumber}}: {{constructor}}' } } } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([
      { field: 'email.acknowledgement.templates.en.text', message: expect.stringContaining('{{constructor}} is not a placeholder') },
    ]);
    expect((await deps.configs.getCurrent())?.version).toBe(before!.version);
  });
});
