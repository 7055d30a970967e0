/**
 * The reports handler against DynamoDB Local: the hand-computed week (test/support/report-fixture.ts)
 * written as production writes it (case items with their index keys, events with the events-by-day
 * key), then asked for over payload-2.0 events. The handler must load exactly what the pure report
 * needs: the period's events by day, the older case's whole history (C was created before the
 * period), the open cases from the status index, and nothing of case Z (an event without a case).
 */
import type { Activity } from '../../functions/core/events.js';
import { gunzipSync } from 'node:zlib';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { caseItem, eventItem, messageItem } from '../../functions/adapters/case-repository.js';
import { makeConfigRepository } from '../../functions/adapters/config-repository.js';
import { makeReportReader } from '../../functions/adapters/report-reader.js';
import { computeReport } from '../../functions/core/reports/compute.js';
import { ocelProblems } from '../../functions/core/mining/export-ocel.js';
import { makeReportsDeps } from '../../functions/composition/reports.js';
import { createHandler } from '../../functions/handlers/reports.js';
import type { HttpEvent, HttpResult } from '../../functions/http/api-gateway.js';
import { reportResponseSchemas } from '../../functions/handlers/reports/schemas.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock, makeMessage, storedEvent } from '../support/fixtures.js';
import { AS_OF, CASES, EVENTS, OPEN, PERIOD, REPORT_CONFIG, at } from '../support/report-fixture.js';
import { apiEvent, lambdaContext } from '../support/api-events.js';

const db = await freshTable('reports');
const configs = makeConfigRepository(db.table);
await configs.put(REPORT_CONFIG, 0, 'test', AS_OF);

const MESSAGES = [
  makeMessage('A', { messageId: 'm-a1', at: at('Mon 09:00'), channel: 'web', text: 'secret words of customer A' }),
  makeMessage('A', {
    messageId: 'm-a2',
    at: at('Mon 10:00'),
    channel: 'web',
    direction: 'outbound',
    from: 'alice@example.com',
    attachments: [{ name: 'invoice.pdf', contentType: 'application/pdf', size: 1000 }],
  }),
  makeMessage('B', { messageId: 'm-b1', at: at('Mon 16:00'), channel: 'email' }),
];
const items = [...CASES.map(caseItem), ...EVENTS.map(eventItem), ...MESSAGES.map(messageItem)];
for (let i = 0; i < items.length; i += 25) {
  await db.client.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
}

const handler = createHandler(makeReportsDeps(db.table, fixedClock(AS_OF)));
const context = lambdaContext('reports', 29_000);

const MANAGER = { 'cognito:username': 'mona', 'cognito:groups': '[agent manager]' };
const AGENT = { 'cognito:username': 'alice', 'cognito:groups': '[agent]' };

function event(
  path: string,
  options: { claims?: Record<string, unknown>; query?: Record<string, string>; headers?: Record<string, string>; method?: string } = {},
): HttpEvent {
  return apiEvent({
    method: options.method ?? 'GET',
    path,
    headers: { ...options.headers },
    requestId: 'req-1',
    ...(options.query ? { query: options.query } : {}),
    ...(options.claims ? { claims: options.claims } : {}),
  });
}

async function invoke(e: HttpEvent): Promise<{ status: number; headers: Record<string, string>; text: string; body: any }> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = (await handler(e, context)) as HttpResult;
  const raw = result.body ?? '';
  const text = result.isBase64Encoded ? gunzipSync(Buffer.from(raw, 'base64')).toString('utf8') : raw;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: result.statusCode ?? 200, headers: (result.headers ?? {}) as Record<string, string>, text, body };
}

const WEEK = { from: '2025-03-03', to: '2025-03-09' };

describe('the reports handler over DynamoDB Local', () => {
  it('makes the summary of the hand-computed week, figure for figure what the pure report computes from the fixture', async () => {
    const res = await invoke(event('/reports/summary', { claims: MANAGER, query: { ...WEEK, reassignThreshold: '2' } }));
    expect(res.status, res.text).toBe(200);
    const expected = computeReport({
      period: PERIOD,
      asOf: AS_OF,
      filters: {},
      config: REPORT_CONFIG,
      cases: CASES,
      events: EVENTS,
      openCases: OPEN,
      reassignThreshold: 2,
      bucket: 'day',
    });
    expect(res.body).toEqual({ report: 'summary', generatedAt: AS_OF, ...JSON.parse(JSON.stringify(expected)) });
    // What the OpenAPI document promises, strictly: no figure more, none less.
    expect(reportResponseSchemas().ReportSchema.safeParse(res.body).error?.issues ?? []).toEqual([]);
    // A few of the hand-computed figures, to be sure the comparison is not between two empty reports.
    expect(res.body.casesWithActivity).toBe(7);
    expect(res.body.volume).toMatchObject({ created: 6, resolved: 3, closedUnresolved: 1, reopened: 1 });
    expect(res.body.responseTimes.firstResponse).toMatchObject({ count: 4, averageMs: 4_230_000, medianMs: 4_500_000 });
    expect(res.body.onHold.ongoingAtEnd).toEqual({ at: '2025-03-10T00:00:00.000Z', count: 1, longestMs: 572_400_000 }); // C's hold: its history was read whole
    expect(res.body.reassignments.frequentReassigners.agents).toEqual([{ agentId: 'carol', week: '2025-W10', cases: 3, caseIds: ['D', 'E', 'F'] }]);
    expect(res.body.backlog).toMatchObject({ asOf: AS_OF, openNow: 3 });
  });

  it('serves each focused report with only its section, and applies filters', async () => {
    const sla = await invoke(event('/reports/sla', { claims: MANAGER, query: WEEK }));
    expect(Object.keys(sla.body).sort()).toEqual(['asOf', 'casesWithActivity', 'filters', 'generatedAt', 'period', 'report', 'sla']);
    expect(sla.body.sla.total).toMatchObject({ met: 8, metLate: 1, compliance: 0.8889 });

    const web = await invoke(event('/reports/volume', { claims: MANAGER, query: { ...WEEK, channel: 'web' } }));
    expect(web.body.filters).toEqual({ channel: ['web'] });
    expect(web.body.volume).toMatchObject({ created: 3, resolved: 1, closedUnresolved: 0 });

    const agents = await invoke(event('/reports/agents', { claims: MANAGER, query: { ...WEEK, bucket: 'week', queue: 'billing,support' } }));
    const alice = agents.body.agents.agents.find((a: { agentId: string }) => a.agentId === 'alice');
    expect(alice.series).toEqual([{ bucket: '2025-W10', averageLoad: 1.1833, peakLoad: 2, utilisation: 0.2958 }]);
  });

  it('judges first-contact resolution on what came after the period: a case the customer reopened later does not count', async () => {
    // R, in January: one reply, resolved on Monday 01-06; the customer wrote back on 01-20, which
    // reopened it; resolved again on 01-21. Its history after the week is on other days' partitions.
    const customer = { kind: 'customer' as const, id: 'r@example.org' };
    const alice = { kind: 'agent' as const, id: 'alice' };
    const day = (d: string, t: string) => `2025-01-${d}T${t}:00.000Z`;
    const r = { ...CASES[0]!, caseId: 'R', status: 'resolved' as const, createdAt: day('06', '09:00'), updatedAt: day('21', '10:00') };
    const story: [string, Activity, typeof customer | typeof alice, Record<string, unknown>][] = [
      [day('06', '09:00'), 'case_created', customer, {}],
      [day('06', '09:00'), 'assigned', alice, { owner: 'alice' }],
      [day('06', '10:00'), 'reply_sent', alice, {}],
      [day('06', '11:00'), 'resolved', alice, { from: 'in_progress', to: 'resolved' }],
      [day('20', '09:00'), 'message_received', customer, {}],
      [day('20', '09:00'), 'reopened', customer, { from: 'resolved', to: 'in_progress', owner: 'alice' }],
      [day('21', '10:00'), 'resolved', alice, { from: 'in_progress', to: 'resolved' }],
    ];
    const rItems = [
      caseItem(r),
      ...story.map(([when, activity, actor, details], i) => eventItem(storedEvent({ eventId: `r${i}`, caseId: 'R', activity, at: when, actor, details }))),
    ];
    await db.client.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: rItems.map((Item) => ({ PutRequest: { Item } })) } }));

    const res = await invoke(event('/reports/first-contact-resolution', { claims: MANAGER, query: { from: '2025-01-06', to: '2025-01-12' } }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.firstContactResolution).toEqual({ resolved: 1, firstContact: 0, rate: 0 });
    expect(res.body.casesWithActivity).toBe(1);
  });

  it('gives the backlog as of now without a period', async () => {
    const res = await invoke(event('/reports/backlog', { claims: MANAGER }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.backlog.byQueue.map((q: { queue: string; openNow: number }) => [q.queue, q.openNow])).toEqual([
      ['billing', 2],
      ['support', 1],
    ]);
    expect(res.body.period).toEqual({
      from: '2025-03-10',
      to: '2025-03-10',
      days: 1,
      timezone: 'UTC',
      start: '2025-03-10T00:00:00.000Z',
      end: '2025-03-11T00:00:00.000Z',
    });
  });

  it('lists the reports', async () => {
    const res = await invoke(event('/reports', { claims: MANAGER }));
    expect(res.body.reports.map((r: { name: string }) => r.name)).toEqual([
      'summary',
      'volume',
      'response-times',
      'sla',
      'first-contact-resolution',
      'reassignments',
      'on-hold',
      'agents',
      'backlog',
    ]);
  });

  it('is for managers and admins: 401 without claims, 403 for an agent (before any parameter is looked at)', async () => {
    expect((await invoke(event('/reports/summary', { query: WEEK }))).status).toBe(401);
    const forbidden = await invoke(event('/reports/summary', { claims: AGENT, query: { from: 'nonsense' } }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('ForbiddenError');
    expect((await invoke(event('/exports/events', { claims: AGENT, query: WEEK }))).status).toBe(403);
    expect((await invoke(event('/reports', { claims: AGENT }))).status).toBe(403);
    const admin = await invoke(event('/reports/volume', { claims: { 'cognito:username': 'root', 'cognito:groups': ['admin'] }, query: WEEK }));
    expect(admin.status).toBe(200);
  });

  it('answers 400 with the field at fault for bad periods and parameters, 404 for an unknown report', async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ to: '2025-03-09' }, 'from', /required/],
      [{ from: '2025-02-30', to: '2025-03-09' }, 'from', /date/],
      [{ from: '2025-03-09', to: '2025-03-03' }, 'to', /on or after/],
      [{ from: '2024-01-01', to: '2025-01-01' }, 'to', /at most 366 days/],
      [{ ...WEEK, bucket: 'month' }, 'bucket', /day or week/],
      [{ ...WEEK, reassignThreshold: '-1' }, 'reassignThreshold', /at least 0/],
      [{ ...WEEK, colour: 'blue' }, 'colour', /not a known parameter/],
      [{ ...WEEK, queue: ',' }, 'queue', /at least one value/],
    ];
    for (const [query, field, message] of cases) {
      const res = await invoke(event('/reports/summary', { claims: MANAGER, query }));
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.fields, JSON.stringify(query)).toContainEqual({ field, message: expect.stringMatching(message) });
    }
    const unknown = await invoke(event('/reports/everything', { claims: MANAGER, query: WEEK }));
    expect(unknown.status).toBe(404);
    expect((await invoke(event('/reports/summary', { claims: MANAGER, query: WEEK, method: 'POST' }))).status).toBe(405);
  });
});

describe('the event-log export', () => {
  it("exports the period as CSV: one row per event of the period's days (C's February events and the 03-10 one are outside)", async () => {
    const res = await invoke(event('/exports/events', { claims: MANAGER, query: { ...WEEK, format: 'csv' } }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="caseflow-events-2025-03-03_2025-03-09.csv"');
    const rows = parseCsv(res.text, { columns: true }) as Record<string, string>[];
    const inPeriod = EVENTS.filter((e) => e.at >= '2025-03-03' && e.at < '2025-03-10');
    expect(rows).toHaveLength(inPeriod.length);
    expect(res.headers['x-caseflow-events']).toBe(String(inPeriod.length));
    expect(Object.keys(rows[0]!).slice(0, 5)).toEqual(['case_id', 'activity', 'timestamp', 'resource', 'queue']);
    expect(new Set(rows.map((r) => r.case_id))).toEqual(new Set(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'Z']));
    // Customers are `customer`, never their address.
    expect(res.text).not.toContain('customer@example.org');
  });

  it('exports XES and OCEL 2.0; OCEL carries the cases and their messages without their text', async () => {
    const xes = await invoke(event('/exports/events', { claims: MANAGER, query: { ...WEEK, format: 'xes' } }));
    expect(xes.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(xes.text).toContain('<log xes.version="1849-2016"');
    expect((xes.text.match(/<trace>/g) ?? []).length).toBe(8);

    const ocel = await invoke(event('/exports/events', { claims: MANAGER, query: { ...WEEK, format: 'ocel' } }));
    expect(ocel.headers['content-disposition']).toContain('.ocel.json');
    expect(ocelProblems(ocel.body)).toEqual([]);
    const ids = ocel.body.objects.map((o: { id: string }) => o.id);
    expect(ids).toEqual(expect.arrayContaining(['case:A', 'agent:alice', 'queue:billing', 'message:m-a1', 'message:m-a2']));
    const a2 = ocel.body.objects.find((o: { id: string }) => o.id === 'message:m-a2');
    expect(a2.attributes).toContainEqual({ name: 'attachments', time: expect.any(String), value: 1 });
    expect(ocel.text).not.toContain('secret words');
  });

  it('gzips when the caller accepts it, and refuses an unknown format', async () => {
    const res = await invoke(event('/exports/events', { claims: MANAGER, query: WEEK, headers: { 'accept-encoding': 'gzip, br' } }));
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.text.startsWith('case_id,activity,timestamp,resource,queue')).toBe(true);
    const bad = await invoke(event('/exports/events', { claims: MANAGER, query: { ...WEEK, format: 'xlsx' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: 'format', message: 'must be one of csv, xes, ocel' }]);
  });
});

describe('the report reader', () => {
  it("reads a case's events and messages by Query on its partition, and the open cases from the status index", async () => {
    const reader = makeReportReader(db.table);
    expect((await reader.listCaseEvents('C')).map((e) => e.activity)).toEqual(EVENTS.filter((e) => e.caseId === 'C').map((e) => e.activity));
    const messages = await reader.listCaseMessages('A');
    expect(messages.map((m) => [m.messageId, m.direction, m.attachments.length])).toEqual([
      ['m-a1', 'inbound', 0],
      ['m-a2', 'outbound', 1],
    ]);
    expect(messages[0]).not.toHaveProperty('text');
    expect((await reader.listOpenCases()).map((c) => c.caseId).sort()).toEqual(['C', 'E', 'F']);
    expect((await reader.getCases(['A', 'nope', 'G'])).map((c) => c.caseId).sort()).toEqual(['A', 'G']);
  });
});

describe('a report grouped by territory, queue or channel in one call', () => {
  for (const groupBy of ['territory', 'queue', 'channel'] as const) {
    it(`groupBy=${groupBy}: each group's figures are the ones a call filtered by its value gives, and the whole is the ungrouped report`, async () => {
      const grouped = await invoke(event('/reports/summary', { claims: MANAGER, query: { ...WEEK, reassignThreshold: '2', groupBy } }));
      expect(grouped.status, grouped.text).toBe(200);
      expect(reportResponseSchemas().ReportSchema.safeParse(grouped.body).success).toBe(true);
      expect(grouped.body.groupBy).toBe(groupBy);
      const { groups, groupBy: _g, ...whole } = grouped.body;
      const ungrouped = await invoke(event('/reports/summary', { claims: MANAGER, query: { ...WEEK, reassignThreshold: '2' } }));
      expect(whole).toEqual(ungrouped.body);

      const values = groups.map((g: { value: string }) => g.value);
      // The configured values in order (every channel), then what the data holds besides.
      if (groupBy === 'queue') expect(values.slice(0, 2)).toEqual(REPORT_CONFIG.queues.map((q) => q.id).slice(0, 2));
      if (groupBy === 'channel') expect(values).toEqual(['email', 'web', 'phone', 'chat']);
      for (const c of CASES) expect(values).toContain(c[groupBy] ?? 'unspecified');
      expect(new Set(values).size).toBe(values.length);

      let active = 0;
      for (const group of groups) {
        const single = await invoke(event('/reports/summary', { claims: MANAGER, query: { ...WEEK, reassignThreshold: '2', [groupBy]: group.value } }));
        expect(single.status, single.text).toBe(200);
        const { report: _r, generatedAt: _at, ...figures } = single.body;
        expect(group, `${groupBy}=${group.value}`).toEqual({ value: group.value, ...figures });
        active += group.casesWithActivity;
      }
      // Every case with activity is in exactly one group.
      expect(active).toBe(whole.casesWithActivity);
      expect(whole.casesWithActivity).toBeGreaterThan(0);
    });
  }

  it('a filter on the grouped field keeps only its values; a bad groupBy is 400 naming it', async () => {
    const res = await invoke(event('/reports/volume', { claims: MANAGER, query: { ...WEEK, groupBy: 'queue', queue: 'billing' } }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.groups.map((g: { value: string }) => g.value)).toEqual(['billing']);
    expect(res.body.groups[0].volume).toEqual(res.body.volume);
    const bad = await invoke(event('/reports/summary', { claims: MANAGER, query: { ...WEEK, groupBy: 'agent' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['groupBy']);
  });
});
