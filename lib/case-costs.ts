/**
 * What cases cost: the billable operations a measured day of work used (counted by `npm run bench
 * -- cost` from the real calls on the local stack), priced from the dated table of us-east-1 list
 * prices below, per 1,000 cases, with the fixed monthly items (lib/fixed-costs.ts) spread over 5,000
 * and 50,000 cases a month. Pure: counts in, dollars out (docs/costs.md).
 */
import { PRICES_US_EAST_1 } from './fixed-costs.js';

/** us-east-1 list prices in USD for the per-use items, without free tiers. Update the date with the figures. */
export const VARIABLE_PRICES_US_EAST_1 = {
  asOf: PRICES_US_EAST_1.asOf,
  source: 'AWS pricing pages for DynamoDB on-demand, Step Functions, Lambda, API Gateway HTTP APIs, SES, S3, X-Ray and CloudWatch Logs, us-east-1',
  dynamodb: { writeRequestUnitsPerMillion: 0.625, readRequestUnitsPerMillion: PRICES_US_EAST_1.dynamodb.readRequestUnitsPerMillion },
  stepFunctions: { standardStateTransitionsPerThousand: 0.025 },
  lambda: PRICES_US_EAST_1.lambda,
  apiGateway: { httpApiRequestsPerMillion: 1.0 },
  ses: { outboundPerThousand: 0.1, inboundPerThousand: 0.1, inboundChunksPerThousand: 0.09 },
  s3: { putPerThousand: 0.005, getPerThousand: 0.0004, storagePerGbMonth: 0.023 },
  xray: PRICES_US_EAST_1.xray,
  logs: { ingestedPerGb: PRICES_US_EAST_1.cloudwatch.logsIngestedPerGb },
} as const;

export type VariablePrices = typeof VARIABLE_PRICES_US_EAST_1;

/** One function's measured invocations. */
export interface FunctionUse {
  readonly invocations: number;
  /** Sum of the measured durations, milliseconds (each rounded up to the next ms, as Lambda bills). */
  readonly billedMs: number;
  readonly memoryMb: number;
  /** X-Ray active tracing on (each invocation counted as a recorded trace: at this volume nearly all are sampled). */
  readonly traced: boolean;
}

/** What a measured run used, counted from the calls it made. */
export interface MeasuredUse {
  readonly cases: number;
  readonly dynamodb: { readUnits: number; writeUnits: number; byIndex: Readonly<Record<string, { read: number; write: number }>> };
  readonly stateTransitions: number;
  readonly functions: Readonly<Record<string, FunctionUse>>;
  readonly httpRequests: number;
  readonly sesOutbound: number;
  readonly sesInbound: number;
  /** Raw inbound mail stored in S3: one PUT (SES) and one GET (the intake function) each, and its bytes. */
  readonly s3: { puts: number; gets: number; bytesStored: number };
  /** Bytes of log the invocations write (Lambda's START/END/REPORT lines and the handlers' own). */
  readonly logBytes: number;
}

export interface CostItem {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  /** Dollars for the measured run. */
  readonly dollars: number;
  /** Dollars per 1,000 cases. */
  readonly per1000Cases: number;
}

export interface CaseCostReport {
  readonly pricesAsOf: string;
  readonly cases: number;
  readonly items: readonly CostItem[];
  /** Variable dollars per 1,000 cases. */
  readonly variablePer1000: number;
  /** Each monthly volume: the fixed monthly cost spread over it, and variable + fixed per 1,000 cases. */
  readonly atVolume: readonly { casesPerMonth: number; fixedMonthly: number; fixedPer1000: number; totalPer1000: number; totalMonthly: number }[];
}

/** S3 storage is billed by the month; a day's mail is kept (the raw-mail bucket's lifecycle) for this many months. */
const MAIL_RETENTION_MONTHS = 1;

export function priceCases(
  use: MeasuredUse,
  fixedMonthly: number,
  volumes: readonly number[] = [5_000, 50_000],
  prices: VariablePrices = VARIABLE_PRICES_US_EAST_1,
): CaseCostReport {
  if (use.cases <= 0) throw new Error('a cost report needs at least one case');
  const items: CostItem[] = [];
  const add = (service: string, item: string, quantity: number, unit: string, dollars: number) => {
    if (quantity > 0) items.push({ service, item, quantity, unit, dollars, per1000Cases: (dollars / use.cases) * 1000 });
  };
  add(
    'DynamoDB',
    'write request units (table and indexes)',
    use.dynamodb.writeUnits,
    'WRU',
    (use.dynamodb.writeUnits * prices.dynamodb.writeRequestUnitsPerMillion) / 1e6,
  );
  add('DynamoDB', 'read request units', use.dynamodb.readUnits, 'RRU', (use.dynamodb.readUnits * prices.dynamodb.readRequestUnitsPerMillion) / 1e6);
  add(
    'Step Functions',
    'state transitions (Standard)',
    use.stateTransitions,
    'transition',
    (use.stateTransitions * prices.stepFunctions.standardStateTransitionsPerThousand) / 1000,
  );
  let requests = 0;
  let gbSeconds = 0;
  let traces = 0;
  for (const fn of Object.values(use.functions)) {
    requests += fn.invocations;
    gbSeconds += (fn.billedMs / 1000) * (fn.memoryMb / 1024);
    if (fn.traced) traces += fn.invocations;
  }
  add('Lambda', 'requests', requests, 'request', (requests * prices.lambda.requestsPerMillion) / 1e6);
  add('Lambda', 'duration (ARM, measured, at each function’s memory)', gbSeconds, 'GB-second', gbSeconds * prices.lambda.arm64PerGbSecond);
  add('X-Ray', 'traces (active tracing)', traces, 'trace', (traces * prices.xray.tracesRecordedPerMillion) / 1e6);
  add('API Gateway', 'HTTP API requests', use.httpRequests, 'request', (use.httpRequests * prices.apiGateway.httpApiRequestsPerMillion) / 1e6);
  add('SES', 'emails sent', use.sesOutbound, 'email', (use.sesOutbound * prices.ses.outboundPerThousand) / 1000);
  add(
    'SES',
    'emails received (and their 256 KB chunks)',
    use.sesInbound,
    'email',
    (use.sesInbound * (prices.ses.inboundPerThousand + prices.ses.inboundChunksPerThousand)) / 1000,
  );
  add(
    'S3',
    'raw mail PUT and GET',
    use.s3.puts + use.s3.gets,
    'request',
    (use.s3.puts * prices.s3.putPerThousand + use.s3.gets * prices.s3.getPerThousand) / 1000,
  );
  add(
    'S3',
    'raw mail storage',
    use.s3.bytesStored / 1024 ** 3,
    'GB-month',
    (use.s3.bytesStored / 1024 ** 3) * prices.s3.storagePerGbMonth * MAIL_RETENTION_MONTHS,
  );
  add('CloudWatch Logs', 'function logs ingested', use.logBytes / 1024 ** 3, 'GB', (use.logBytes / 1024 ** 3) * prices.logs.ingestedPerGb);

  const variablePer1000 = items.reduce((n, i) => n + i.per1000Cases, 0);
  return {
    pricesAsOf: prices.asOf,
    cases: use.cases,
    items: [...items].sort((a, b) => b.per1000Cases - a.per1000Cases),
    variablePer1000,
    atVolume: volumes.map((casesPerMonth) => {
      const fixedPer1000 = (fixedMonthly / casesPerMonth) * 1000;
      return {
        casesPerMonth,
        fixedMonthly,
        fixedPer1000,
        totalPer1000: variablePer1000 + fixedPer1000,
        totalMonthly: fixedMonthly + (variablePer1000 * casesPerMonth) / 1000,
      };
    }),
  };
}

/** The report as Markdown: items by what they cost per 1,000 cases, then the totals at each volume. */
export function formatCaseCosts(report: CaseCostReport): string {
  const money = (n: number) => (n > 0 && n < 0.005 ? '< $0.01' : `$${n.toFixed(2)}`);
  const qty = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n < 1 ? n.toPrecision(3) : n.toFixed(1));
  return [
    `| service | item | quantity (${report.cases} cases) | per 1,000 cases |`,
    '| --- | --- | ---: | ---: |',
    ...report.items.map((i) => `| ${i.service} | ${i.item} | ${qty(i.quantity)} ${i.unit} | ${money(i.per1000Cases)} |`),
    `| | **variable** | | **${money(report.variablePer1000)}** |`,
    '',
    '| cases a month | fixed a month | fixed per 1,000 | total per 1,000 | total a month |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...report.atVolume.map(
      (v) =>
        `| ${v.casesPerMonth.toLocaleString('en-US')} | ${money(v.fixedMonthly)} | ${money(v.fixedPer1000)} | ${money(v.totalPer1000)} | ${money(v.totalMonthly)} |`,
    ),
  ].join('\n');
}
