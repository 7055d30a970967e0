/**
 * Reports over HTTP on the local stack: cases come in through the web form, the lifecycle routes
 * them, an agent resolves one, and a manager asks for today's report and the event log, through the
 * gateway's JWT check, exactly as behind API Gateway. The demo configuration applies (luke, leia,
 * han and anakin online; yoda and mace are managers).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC } from '../../functions/core/metrics.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';
import { until } from '../support/polling.js';

let stack: LocalStack;
let dataDir: string;
let api: LocalClient;
const caseIds: string[] = [];
let today: string;

async function settled(caseId: string): Promise<{ status: string; owner?: string }> {
  return until(
    `case ${caseId} to be routed`,
    async () => {
      const c = await stack.deps.cases.get(caseId);
      return c && c.status !== 'new' ? c : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-reports-e2e-'));
  stack = await startLocalStack({ port: 0, memory: true, dataDir, quiet: true, webLimits: { perIp: 1000, perEmail: 1000 } });
  api = await localClient(stack);
  today = stack.deps.clock.now().toISOString().slice(0, 10);
  for (let i = 1; i <= 3; i++) {
    const res = await api.call('POST', '/web-to-case', {
      json: { name: 'Report Customer', email: `report${i}@example.org`, subject: `Printer ${i} jams`, description: `Paper jam number ${i}`, country: 'DE' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    caseIds.push(res.body.caseId);
  }
  const first = await settled(caseIds[0]!);
  expect(first).toMatchObject({ status: 'assigned' });
  const resolved = await api.call('POST', `/cases/${caseIds[0]}/status`, { as: first.owner!, json: { status: 'resolved', comment: 'cleared the jam' } });
  expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
  for (const id of caseIds.slice(1)) await settled(id);
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('reports on the local stack', () => {
  it("gives a manager today's summary: three cases created, one resolved, two open in emea", async () => {
    const res = await api.call('GET', `/reports/summary?from=${today}&to=${today}`, { as: 'yoda' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const report = res.body;
    expect(report).toMatchObject({ report: 'summary', period: { from: today, to: today, days: 1, timezone: 'UTC' }, casesWithActivity: 3 });
    expect(report.volume).toMatchObject({ created: 3, resolved: 1, closedUnresolved: 0, reopened: 0 });
    expect(report.responseTimes.resolution.count).toBe(1);
    expect(report.responseTimes.firstResponse).toMatchObject({ count: 0, averageMs: null });
    expect(report.firstContactResolution).toEqual({ resolved: 1, firstContact: 0, rate: 0 }); // resolved without a reply
    expect(report.reassignments.total).toMatchObject({ cases: 3, assignments: 3, reassignments: 0, handovers: 0 });
    expect(report.backlog).toMatchObject({ asOf: report.asOf, openNow: 2 });
    expect(report.backlog.byQueue).toEqual([expect.objectContaining({ queue: 'emea', openNow: 2, byStatus: { assigned: 2 } })]);
    const held = report.agents.agents.filter((a: { casesHeldInPeriod: number }) => a.casesHeldInPeriod > 0).map((a: { agentId: string }) => a.agentId);
    expect(held.every((id: string) => ['luke', 'leia'].includes(id))).toBe(true);
  });

  it('filters, and serves the focused reports', async () => {
    const none = await api.call('GET', `/reports/volume?from=${today}&to=${today}&channel=email`, { as: 'mace' });
    expect(none.body.volume.created).toBe(0);
    const backlog = await api.call('GET', '/reports/backlog?queue=emea', { as: 'admin' });
    expect(backlog.status).toBe(200);
    expect(backlog.body.backlog.openNow).toBe(2);
  });

  it('is refused to agents (403) and to callers without a token (401, by the gateway)', async () => {
    const agent = await api.call('GET', `/reports/summary?from=${today}&to=${today}`, { as: 'luke' });
    expect(agent.status).toBe(403);
    expect(agent.body).toMatchObject({ error: 'ForbiddenError', message: 'managers and admins only' });
    const anonymous = await api.call('GET', `/reports/summary?from=${today}&to=${today}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ message: 'Unauthorized' });
    const bad = await api.call('GET', '/reports/summary?from=yesterday', { as: 'yoda' });
    expect(bad.status).toBe(400);
  });

  it("exports today's event log as CSV, gzip-encoded on the wire", async () => {
    const res = await api.call('GET', `/exports/events?format=csv&from=${today}&to=${today}`, { as: 'yoda', headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip'); // fetch decodes it for us
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.body as string, { columns: true }) as Record<string, string>[];
    expect(new Set(rows.map((r) => r.case_id))).toEqual(new Set(caseIds));
    expect(rows.filter((r) => r.activity === 'case_created')).toHaveLength(3);
    expect(rows.filter((r) => r.activity === 'resolved')).toHaveLength(1);
  });

  it('counted what CloudWatch would get, in memory: cases created per channel and assignment latency', () => {
    expect(stack.metrics.get(METRIC.casesCreated, { channel: 'web' })?.count).toBe(3);
    const latency = stack.metrics.get(METRIC.assignmentLatency, { channel: 'web' });
    expect(latency?.count).toBeGreaterThanOrEqual(3);
    expect(latency?.min).toBeGreaterThanOrEqual(0);
  });
});
