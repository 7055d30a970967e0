/**
 * What a deployment costs a month before its first case: the fixed items, read from a synthesized
 * CloudFormation template (`cdk synth` output, or `Template.toJSON()`), priced from the dated table of
 * us-east-1 list prices below (docs/deploying.md#what-it-costs-when-idle). Pure: no AWS calls, no CDK;
 * the cost bench reuses it for the fixed part of its figures.
 *
 * Counted: CloudWatch alarm metrics (each metric an alarm reads is billed, a metric-math alarm once
 * per metric), dashboards, the custom metric series the functions publish (functions/core/metrics.ts:
 * which metrics the METRICS_SCOPE of the functions lets out, split by their dimension's values; the
 * per-queue gauge only when the sweep schedule runs the queueDepth part), customer managed KMS keys,
 * Secrets Manager secrets, and the sweep schedule's own runs (Scheduler invocations, Lambda requests
 * and duration, X-Ray traces when the function is traced, DynamoDB reads and log lines per run).
 *
 * Series are priced as if published every hour of the month ($0.30 each): CloudWatch bills a custom
 * metric by the hours it receives data, so an event-driven series (an SLA breach) costs less in a
 * quiet month; the gauge (QueueDepth, every sweep run) costs exactly that. Free tiers are left out.
 */
import { CHANNELS } from '../functions/core/config.js';
import { ALARM_METRICS, INTAKE_CHANNELS, METRIC, METRIC_SERIES, type MetricName } from '../functions/core/metrics.js';
import { MILESTONES } from '../functions/core/case.js';
import { SWEEP_PARTS } from '../functions/core/use-cases/sweep.js';

/** us-east-1 list prices in USD, without free tiers. Update the date with the figures. */
export const PRICES_US_EAST_1 = {
  asOf: '2026-12-07',
  source: 'AWS pricing pages for CloudWatch, KMS, Secrets Manager, Lambda, X-Ray, EventBridge Scheduler, DynamoDB and CloudWatch Logs, us-east-1',
  hoursPerMonth: 730,
  cloudwatch: {
    /** Per metric an alarm evaluates, per month (standard resolution, period ≥ 60 s). */
    alarmMetric: 0.1,
    /** Per metric an alarm evaluates at high resolution (period < 60 s). */
    alarmMetricHighResolution: 0.3,
    dashboard: 3.0,
    /** Per custom metric series per month (first 10,000). */
    customMetric: 0.3,
    /** Logs ingested, per GB. */
    logsIngestedPerGb: 0.5,
  },
  kms: { customerManagedKey: 1.0 },
  secretsManager: { secret: 0.4 },
  lambda: { requestsPerMillion: 0.2, arm64PerGbSecond: 0.0000133334, x86PerGbSecond: 0.0000166667 },
  xray: { tracesRecordedPerMillion: 5.0 },
  scheduler: { invocationsPerMillion: 1.0 },
  dynamodb: { readRequestUnitsPerMillion: 0.125 },
} as const;

export type Prices = typeof PRICES_US_EAST_1;

export interface FixedCostOptions {
  /** Queues in the routing configuration: one QueueDepth series each when the gauge is published. @default 3 */
  readonly queues?: number;
  /** Milliseconds a sweep run bills when there is little to do (measured by the cost bench). @default 300 */
  readonly sweepDurationMs?: number;
  /** DynamoDB read request units a quiet sweep run consumes (its due-work, absence and queue-head Queries). @default 6 */
  readonly sweepReadUnitsPerRun?: number;
  /** Bytes of log a quiet sweep run writes (Lambda's START, END and REPORT lines). @default 400 */
  readonly sweepLogBytesPerRun?: number;
  readonly prices?: Prices;
}

export interface FixedCostItem {
  readonly service: 'CloudWatch' | 'KMS' | 'Secrets Manager' | 'Lambda' | 'X-Ray' | 'EventBridge Scheduler' | 'DynamoDB' | 'CloudWatch Logs';
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly monthly: number;
}

export interface FixedCostReport {
  readonly pricesAsOf: string;
  readonly items: readonly FixedCostItem[];
  /** The CloudWatch items (alarms, dashboards, custom metrics). */
  readonly cloudwatch: number;
  readonly total: number;
  /** Each alarm and the metrics it is billed for. */
  readonly alarms: readonly { readonly id: string; readonly metrics: number }[];
  /** Each custom metric series counted. */
  readonly series: readonly string[];
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, any>;
}
export interface TemplateJson {
  Resources?: Record<string, TemplateResource>;
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** Metrics an alarm is billed for: its one metric, or each metric (not expression) of its metric math. */
function alarmMetrics(alarm: TemplateResource): { count: number; highResolution: number } {
  const props = alarm.Properties ?? {};
  if (props.MetricName) return props.Period !== undefined && props.Period < 60 ? { count: 0, highResolution: 1 } : { count: 1, highResolution: 0 };
  const stats = ((props.Metrics ?? []) as { MetricStat?: { Period: number } }[]).filter((m) => m.MetricStat);
  const high = stats.filter((m) => m.MetricStat!.Period < 60).length;
  return { count: stats.length - high, highResolution: high };
}

/** `rate(5 minutes)` ▶ runs a month; a cron expression is not what the sweep uses and is refused. */
function runsPerMonth(expression: string, hoursPerMonth: number): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`cannot count the runs of schedule expression ${expression}`);
  const every = Number(match[1]);
  const minutes = match[2]!.startsWith('minute') ? every : match[2]!.startsWith('hour') ? every * 60 : every * 1440;
  return (hoursPerMonth * 60) / minutes;
}

function publishedSeries(resources: Record<string, TemplateResource>, queues: number): string[] {
  const caseflowFunctions = Object.values(resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.POWERTOOLS_METRICS_NAMESPACE,
  );
  // Unset is the handler's default, `all`.
  const everything = caseflowFunctions.some((fn) => (fn.Properties!.Environment.Variables.METRICS_SCOPE ?? 'all') === 'all');
  if (caseflowFunctions.length === 0) return [];
  const names: MetricName[] = everything ? Object.values(METRIC) : [...ALARM_METRICS];

  const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
  const gaugeRuns = schedules.some((s) => {
    const input = s.Properties?.Target?.Input ? (JSON.parse(s.Properties.Target.Input) as { parts?: string[] }) : {};
    return (input.parts ?? SWEEP_PARTS).includes('queueDepth');
  });

  const series: string[] = [];
  for (const name of names) {
    const dimension = METRIC_SERIES[name].dimension;
    if (name === METRIC.queueDepth && !gaugeRuns) continue;
    const values: readonly string[] =
      dimension === 'channel'
        ? name === METRIC.intakeFailures
          ? INTAKE_CHANNELS
          : CHANNELS
        : dimension === 'milestone'
          ? MILESTONES
          : dimension === 'queue'
            ? Array.from({ length: queues }, (_, i) => `queue${i + 1}`)
            : [''];
    for (const value of values) series.push(dimension ? `${name}{${dimension}=${value}}` : name);
  }
  return series;
}

export function fixedMonthlyCosts(template: TemplateJson, options: FixedCostOptions = {}): FixedCostReport {
  const prices = options.prices ?? PRICES_US_EAST_1;
  const resources = template.Resources ?? {};
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const items: FixedCostItem[] = [];
  const add = (item: Omit<FixedCostItem, 'monthly'>) => {
    if (item.quantity > 0) items.push({ ...item, monthly: round(item.quantity * item.unitPrice) });
  };

  const alarms = ofType('AWS::CloudWatch::Alarm').map(([id, alarm]) => ({ id, ...alarmMetrics(alarm) }));
  add({
    service: 'CloudWatch',
    item: `alarm metrics (${alarms.length} alarms)`,
    quantity: alarms.reduce((n, a) => n + a.count, 0),
    unit: 'metric',
    unitPrice: prices.cloudwatch.alarmMetric,
  });
  add({
    service: 'CloudWatch',
    item: 'high-resolution alarm metrics',
    quantity: alarms.reduce((n, a) => n + a.highResolution, 0),
    unit: 'metric',
    unitPrice: prices.cloudwatch.alarmMetricHighResolution,
  });
  add({
    service: 'CloudWatch',
    item: 'dashboards',
    quantity: ofType('AWS::CloudWatch::Dashboard').length,
    unit: 'dashboard',
    unitPrice: prices.cloudwatch.dashboard,
  });
  const series = publishedSeries(resources, options.queues ?? 3);
  add({
    service: 'CloudWatch',
    item: 'custom metric series (if published every hour)',
    quantity: series.length,
    unit: 'series',
    unitPrice: prices.cloudwatch.customMetric,
  });
  const cloudwatch = round(items.reduce((n, i) => n + i.monthly, 0));

  add({ service: 'KMS', item: 'customer managed keys', quantity: ofType('AWS::KMS::Key').length, unit: 'key', unitPrice: prices.kms.customerManagedKey });
  add({
    service: 'Secrets Manager',
    item: 'secrets',
    quantity: ofType('AWS::SecretsManager::Secret').length,
    unit: 'secret',
    unitPrice: prices.secretsManager.secret,
  });

  for (const [, schedule] of ofType('AWS::Scheduler::Schedule')) {
    const runs = runsPerMonth(String(schedule.Properties!.ScheduleExpression), prices.hoursPerMonth);
    add({
      service: 'EventBridge Scheduler',
      item: 'sweep schedule invocations',
      quantity: Math.round(runs),
      unit: 'invocation',
      unitPrice: prices.scheduler.invocationsPerMillion / 1e6,
    });
    const targetId = schedule.Properties!.Target?.Arn?.['Fn::GetAtt']?.[0] as string | undefined;
    const target = targetId ? resources[targetId] : undefined;
    if (target?.Type !== 'AWS::Lambda::Function') continue;
    const memoryGb = Number(target.Properties!.MemorySize ?? 128) / 1024;
    const arm = (target.Properties!.Architectures ?? ['x86_64']).includes('arm64');
    add({ service: 'Lambda', item: 'sweep requests', quantity: Math.round(runs), unit: 'request', unitPrice: prices.lambda.requestsPerMillion / 1e6 });
    add({
      service: 'Lambda',
      item: `sweep duration (${options.sweepDurationMs ?? 300} ms a run at ${memoryGb * 1024} MB)`,
      quantity: round(runs * ((options.sweepDurationMs ?? 300) / 1000) * memoryGb),
      unit: 'GB-second',
      unitPrice: arm ? prices.lambda.arm64PerGbSecond : prices.lambda.x86PerGbSecond,
    });
    if (target.Properties!.TracingConfig?.Mode === 'Active') {
      add({ service: 'X-Ray', item: 'sweep traces', quantity: Math.round(runs), unit: 'trace', unitPrice: prices.xray.tracesRecordedPerMillion / 1e6 });
    }
    add({
      service: 'DynamoDB',
      item: `sweep reads (${options.sweepReadUnitsPerRun ?? 6} RRU a quiet run)`,
      quantity: Math.round(runs * (options.sweepReadUnitsPerRun ?? 6)),
      unit: 'read request unit',
      unitPrice: prices.dynamodb.readRequestUnitsPerMillion / 1e6,
    });
    add({
      service: 'CloudWatch Logs',
      item: 'sweep log lines',
      quantity: round((runs * (options.sweepLogBytesPerRun ?? 400)) / 1024 ** 3),
      unit: 'GB',
      unitPrice: prices.cloudwatch.logsIngestedPerGb,
    });
  }

  return {
    pricesAsOf: prices.asOf,
    items,
    cloudwatch,
    total: round(items.reduce((n, i) => n + i.monthly, 0)),
    alarms: alarms.map((a) => ({ id: a.id, metrics: a.count + a.highResolution })),
    series,
  };
}

/** The report as a Markdown table, dollars to the cent (items under a cent show as < $0.01). */
export function formatFixedCosts(report: FixedCostReport): string {
  const money = (n: number) => (n > 0 && n < 0.005 ? '< $0.01' : `$${n.toFixed(2)}`);
  const rows = report.items.map((i) => `| ${i.service} | ${i.item} | ${i.quantity.toLocaleString('en-US')} | ${money(i.monthly)} |`);
  return [
    '| service | item | quantity | a month |',
    '| --- | --- | ---: | ---: |',
    ...rows,
    `| | **CloudWatch** | | **${money(report.cloudwatch)}** |`,
    `| | **total** | | **${money(report.total)}** |`,
  ].join('\n');
}
