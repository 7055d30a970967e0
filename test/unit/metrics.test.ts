import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { meterAssignmentStore, meterCaseRepository, meterEmailStore } from '../../functions/adapters/metering.js';
import { makePowertoolsMetricsSink } from '../../functions/adapters/powertools-metrics.js';
import type { Activity, CaseEvent } from '../../functions/core/events.js';
import type { MetricPoint } from '../../functions/core/metrics.js';
import { ALARM_METRICS, METRIC, METRIC_SERIES, intakeFailure, metricsOfEvents, queueDepthPoints } from '../../functions/core/metrics.js';
import type { EmailStore } from '../../functions/core/ports/email-intake.js';
import type { AssignmentStore, CaseRepository } from '../../functions/core/ports/repositories.js';
import { makeLocalMetricsSink } from '../../lib/local/metrics.js';
import { makeCase, makeEvent } from '../support/fixtures.js';

const c = makeCase({ caseId: 'c1', channel: 'email', createdAt: '2025-03-03T09:00:00.000Z' });
const ev = (activity: Activity, at: string, details: Record<string, unknown> = {}): CaseEvent => makeEvent('c1', { activity, at, details });

describe('metrics of committed events', () => {
  it('counts a new case by channel, assignment latency from creation, SLA warnings, breaches and escalations by milestone, and completions in all', () => {
    const points = metricsOfEvents(
      [
        ev('case_created', '2025-03-03T09:00:00.000Z', { channel: 'email' }),
        ev('assigned', '2025-03-03T09:02:30.000Z', { owner: 'alice' }),
        ev('sla_warning', '2025-03-03T09:30:00.000Z', { milestone: 'first_response' }),
        ev('sla_milestone_violated', '2025-03-03T10:00:00.000Z', { milestone: 'first_response' }),
        ev('sla_escalated', '2025-03-03T10:00:00.000Z', { milestone: 'first_response', level: 1 }),
        ev('sla_milestone_met', '2025-03-03T11:00:00.000Z', { milestone: 'resolution' }),
        ev('sla_milestone_met_late', '2025-03-03T11:00:00.000Z', { milestone: 'first_response' }),
        ev('accepted', '2025-03-03T09:05:00.000Z'),
      ],
      c,
    );
    expect(points).toEqual<MetricPoint[]>([
      { name: METRIC.casesCreated, unit: 'Count', value: 1, dimensions: { channel: 'email' } },
      { name: METRIC.assignmentLatency, unit: 'Milliseconds', value: 150_000, dimensions: { channel: 'email' } },
      { name: METRIC.slaWarnings, unit: 'Count', value: 1, dimensions: { milestone: 'first_response' } },
      { name: METRIC.slaBreaches, unit: 'Count', value: 1, dimensions: { milestone: 'first_response' } },
      { name: METRIC.slaEscalations, unit: 'Count', value: 1, dimensions: { milestone: 'first_response' } },
      // One series each for the breach-rate alarm: a milestone dimension would double what it costs.
      { name: METRIC.slaMet, unit: 'Count', value: 1, dimensions: {} },
      { name: METRIC.slaMetLate, unit: 'Count', value: 1, dimensions: {} },
    ]);
  });

  it('keep to the series METRIC_SERIES declares (what lib/fixed-costs.ts counts): one dimension at most, the declared one', () => {
    const activities: Activity[] = [
      'case_created',
      'assigned',
      'sla_warning',
      'sla_milestone_violated',
      'sla_escalated',
      'sla_milestone_met',
      'sla_milestone_met_late',
    ];
    const points = [
      ...metricsOfEvents(
        activities.map((a) => ev(a, '2025-03-03T10:00:00.000Z', { channel: 'email', milestone: 'resolution' })),
        c,
      ),
      intakeFailure('web'),
      ...queueDepthPoints({ emea: 1 }),
    ];
    expect(new Set(points.map((p) => p.name))).toEqual(new Set(Object.values(METRIC)));
    for (const point of points) {
      const declared = METRIC_SERIES[point.name].dimension;
      expect(Object.keys(point.dimensions), point.name).toEqual(declared ? [declared] : []);
    }
    for (const name of ALARM_METRICS) expect(Object.values(METRIC)).toContain(name);
  });

  it('measures latency only against the case written with the events', () => {
    expect(metricsOfEvents([ev('assigned', '2025-03-03T09:02:30.000Z', { owner: 'alice' })])).toEqual([]);
    expect(metricsOfEvents([ev('assigned', '2025-03-03T09:02:30.000Z')], { ...c, caseId: 'other' })).toEqual([]);
  });

  it('has helpers for what is not an event', () => {
    expect(intakeFailure('web')).toEqual({ name: 'IntakeFailures', unit: 'Count', value: 1, dimensions: { channel: 'web' } });
    expect(queueDepthPoints({ emea: 3, apac: 0 })).toEqual([
      { name: 'QueueDepth', unit: 'Count', value: 3, dimensions: { queue: 'emea' } },
      { name: 'QueueDepth', unit: 'Count', value: 0, dimensions: { queue: 'apac' } },
    ]);
  });
});

describe('metering decorators', () => {
  const created = ev('case_created', c.createdAt, { channel: 'email' });

  it('record only what was committed, and leave every other method as it was', async () => {
    const sink = makeLocalMetricsSink();
    let allow = true;
    const repo = {
      create: async () => (allow ? { created: true, case: c } : { created: false, existingCaseId: 'x' }),
      update: async () => {
        throw new Error('ConflictError');
      },
      get: async () => c,
    } as unknown as CaseRepository;
    const metered = meterCaseRepository(repo, sink);
    await metered.create({ case: c, messages: [], events: [created] });
    allow = false;
    await metered.create({ case: c, messages: [], events: [created] }); // a duplicate: nothing new
    await expect(metered.update(c, 1, [created])).rejects.toThrow('ConflictError');
    expect(sink.get(METRIC.casesCreated, { channel: 'email' })?.count).toBe(1);
    expect(await metered.get('c1')).toBe(c);
  });

  it('count claims that won, and email cases that were created', async () => {
    const sink = makeLocalMetricsSink();
    const assigned = ev('assigned', '2025-03-03T09:01:00.000Z', { owner: 'bob' });
    let won = false;
    const store = meterAssignmentStore(
      { claim: async () => (won ? { claimed: true, case: c } : { claimed: false, reason: 'agent_unavailable' }) } as unknown as AssignmentStore,
      sink,
    );
    await store.claim({ next: c, expectedVersion: 1, agentId: 'bob', channel: 'email', capacity: 1, at: assigned.at, events: [assigned], decisions: [] });
    won = true;
    await store.claim({ next: c, expectedVersion: 1, agentId: 'bob', channel: 'email', capacity: 1, at: assigned.at, events: [assigned], decisions: [] });
    expect(sink.get(METRIC.assignmentLatency, { channel: 'email' })).toMatchObject({ count: 1, sum: 60_000 });

    const email = meterEmailStore({ createCase: async () => ({ created: true, case: c }) } as unknown as EmailStore, sink);
    await email.createCase({ case: c, messages: [], events: [created], inbound: { hash: 'h' }, pending: [] });
    expect(sink.get(METRIC.casesCreated, { channel: 'email' })?.count).toBe(1);
  });

  it('never let a failing sink fail the write', async () => {
    const repo = { create: async () => ({ created: true, case: c }) } as unknown as CaseRepository;
    const warnings: string[] = [];
    const metered = meterCaseRepository(
      repo,
      {
        record: () => {
          throw new Error('sink down');
        },
      },
      (message, { error }) => warnings.push(`${message}: ${error.message}`),
    );
    await expect(metered.create({ case: c, messages: [], events: [created] })).resolves.toMatchObject({ created: true });
    // Reported through the logger the composition root injected, not a singleton the adapter imports.
    expect(warnings).toEqual(['could not record metrics: sink down']);
  });
});

describe('sinks', () => {
  afterEach(() => vi.restoreAllMocks());

  it('locally, summarise per metric and dimensions in memory, printing nothing', () => {
    const log = vi.spyOn(console, 'log');
    const sink = makeLocalMetricsSink();
    sink.record([intakeFailure('web'), intakeFailure('web'), ...queueDepthPoints({ emea: 4 }), ...queueDepthPoints({ emea: 1 })]);
    expect(sink.get('IntakeFailures', { channel: 'web' })).toMatchObject({ count: 2, sum: 2 });
    expect(sink.get('QueueDepth', { queue: 'emea' })).toMatchObject({ count: 2, last: 1, max: 4, min: 1 });
    expect(sink.snapshot().map((s) => s.name)).toEqual(['IntakeFailures', 'QueueDepth']);
    expect(log).not.toHaveBeenCalled();
  });

  it('in Lambda, write one EMF document per point, with its dimensions beside the service', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const sink = makePowertoolsMetricsSink(new Metrics({ namespace: 'caseflow', serviceName: 'caseflow' }));
    sink.record([
      { name: METRIC.casesCreated, unit: 'Count', value: 1, dimensions: { channel: 'web' } },
      { name: METRIC.assignmentLatency, unit: 'Milliseconds', value: 1234, dimensions: { channel: 'web' } },
    ]);
    vi.restoreAllMocks();
    const docs = lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'caseflow', Dimensions: [['service', 'channel']], Metrics: [{ Name: 'CasesCreated', Unit: 'Count' }] }] },
      service: 'caseflow',
      channel: 'web',
      CasesCreated: 1,
    });
    expect(docs[1]).toMatchObject({
      AssignmentLatency: 1234,
      _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'AssignmentLatency', Unit: 'Milliseconds' }] }] },
    });
  });

  it('in Lambda with the dashboard off, publish only the metrics the alarms read', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const sink = makePowertoolsMetricsSink(new Metrics({ namespace: 'caseflow', serviceName: 'caseflow' }), ALARM_METRICS);
    sink.record([
      { name: METRIC.casesCreated, unit: 'Count', value: 1, dimensions: { channel: 'web' } },
      intakeFailure('email'),
      ...queueDepthPoints({ emea: 2 }),
      { name: METRIC.slaMetLate, unit: 'Count', value: 1, dimensions: {} },
    ]);
    vi.restoreAllMocks();
    const names = lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)._aws.CloudWatchMetrics[0].Metrics[0].Name);
    expect(names).toEqual(['IntakeFailures', 'SlaMetLate']);
  });
});
