import { describe, expect, it } from 'vitest';
import { PRICES_US_EAST_1, type TemplateJson, fixedMonthlyCosts, formatFixedCosts } from '../../lib/fixed-costs.js';

const fn = (extra: Record<string, unknown> = {}, scope?: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    MemorySize: 1024,
    Architectures: ['arm64'],
    Environment: { Variables: { POWERTOOLS_METRICS_NAMESPACE: 'caseflow', ...(scope ? { METRICS_SCOPE: scope } : {}) } },
    ...extra,
  },
});

function template(options: { scope?: string; parts?: string[]; tracing?: boolean; rate?: string } = {}): TemplateJson {
  return {
    Resources: {
      Single: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Namespace: 'AWS/Lambda', Period: 300 } },
      Fast: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Namespace: 'AWS/Lambda', Period: 10 } },
      Math: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          Metrics: [
            { Id: 'e', Expression: 'a+b+c' },
            { Id: 'a', MetricStat: { Period: 300 }, ReturnData: false },
            { Id: 'b', MetricStat: { Period: 300 }, ReturnData: false },
            { Id: 'c', MetricStat: { Period: 3600 }, ReturnData: false },
          ],
        },
      },
      Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      S1: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
      S2: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
      Api: fn({}, options.scope),
      Sweep: fn(options.tracing ? { TracingConfig: { Mode: 'Active' } } : {}, options.scope),
      Schedule: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          ScheduleExpression: options.rate ?? 'rate(5 minutes)',
          Target: { Arn: { 'Fn::GetAtt': ['Sweep', 'Arn'] }, Input: JSON.stringify(options.parts ? { parts: options.parts } : {}) },
        },
      },
    },
  };
}

const item = (report: ReturnType<typeof fixedMonthlyCosts>, prefix: string) => report.items.find((i) => i.item.startsWith(prefix));

describe('fixed monthly costs from a synthesized template', () => {
  it('bills each metric an alarm reads (metric math once per metric, never per expression), high resolution apart', () => {
    const report = fixedMonthlyCosts(template({ scope: 'alarms', parts: ['dispatch'] }));
    expect(report.alarms).toEqual([
      { id: 'Single', metrics: 1 },
      { id: 'Fast', metrics: 1 },
      { id: 'Math', metrics: 3 },
    ]);
    expect(item(report, 'alarm metrics')).toMatchObject({ quantity: 4, monthly: 0.4 });
    expect(item(report, 'high-resolution')).toMatchObject({ quantity: 1, monthly: 0.3 });
    expect(item(report, 'dashboards')).toMatchObject({ quantity: 1, monthly: 3 });
    expect(item(report, 'customer managed keys')).toMatchObject({ quantity: 1, monthly: 1 });
    expect(item(report, 'secrets')).toMatchObject({ quantity: 2, monthly: 0.8 });
  });

  it('counts only the alarm metrics when the functions publish those alone, every series when they publish all', () => {
    const alarmsOnly = fixedMonthlyCosts(template({ scope: 'alarms' }));
    expect(alarmsOnly.series).toEqual(['IntakeFailures{channel=web}', 'IntakeFailures{channel=email}', 'SlaMet', 'SlaMetLate']);
    // All: cases and latency per channel (4 each), SLA warnings, breaches, escalations per milestone (2 each),
    // met and late (1 each), intake failures (2), and the queue gauge per queue, since the schedule runs every part.
    const all = fixedMonthlyCosts(template({ scope: 'all' }), { queues: 5 });
    expect(all.series).toHaveLength(4 + 4 + 6 + 2 + 2 + 5);
    expect(item(all, 'custom metric series')).toMatchObject({ quantity: 23, monthly: 6.9 });
    // No METRICS_SCOPE is the handler's default: all. Without the queueDepth part, no gauge.
    const noGauge = fixedMonthlyCosts(template({ parts: ['dispatch'] }), { queues: 5 });
    expect(noGauge.series.filter((s) => s.startsWith('QueueDepth'))).toEqual([]);
    expect(noGauge.series).toHaveLength(18);
  });

  it("prices the sweep schedule's runs: invocations, Lambda requests and GB-seconds, reads, logs, and traces only when traced", () => {
    const untraced = fixedMonthlyCosts(template({ scope: 'alarms' }), { sweepDurationMs: 200, sweepReadUnitsPerRun: 4 });
    const runs = (730 * 60) / 5;
    expect(item(untraced, 'sweep schedule invocations')).toMatchObject({ quantity: runs });
    expect(item(untraced, 'sweep requests')!.monthly).toBeCloseTo(runs * 0.2e-6, 4);
    expect(item(untraced, 'sweep duration')).toMatchObject({ quantity: runs * 0.2 * 1, unitPrice: PRICES_US_EAST_1.lambda.arm64PerGbSecond });
    expect(item(untraced, 'sweep reads')!.quantity).toBe(runs * 4);
    expect(item(untraced, 'sweep traces')).toBeUndefined();
    const traced = fixedMonthlyCosts(template({ scope: 'alarms', tracing: true }));
    expect(item(traced, 'sweep traces')).toMatchObject({ quantity: runs, monthly: Math.round(runs * 5e-6 * 10_000) / 10_000 });
    expect(() => fixedMonthlyCosts(template({ rate: 'cron(0 * * * ? *)' }))).toThrow(/cron/);
  });

  it('sums the CloudWatch items apart from the total, and prints a table to the cent', () => {
    const report = fixedMonthlyCosts(template({ scope: 'alarms' }));
    expect(report.cloudwatch).toBeCloseTo(0.4 + 0.3 + 3 + 4 * 0.3, 6);
    expect(report.total).toBeCloseTo(
      report.items.reduce((n, i) => n + i.monthly, 0),
      6,
    );
    const table = formatFixedCosts(report);
    expect(table).toContain('| CloudWatch | dashboards | 1 | $3.00 |');
    expect(table).toContain(`| | **CloudWatch** | | **$${report.cloudwatch.toFixed(2)}** |`);
    expect(table.split('\n')[0]).toBe('| service | item | quantity | a month |');
  });
});
