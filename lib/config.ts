import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import type { IndexName } from '../functions/adapters/table-definition.js';
import { TABLE } from '../functions/adapters/table-definition.js';

/**
 * Deployment settings, read from CDK context (`-c key=value` or cdk.json). Every parameter is
 * documented at the top of bin/caseflow.ts. Parsed and validated once here, so a typo fails synth
 * with a message instead of deploying a half-configured stack.
 */
export interface CaseflowConfig {
  /** Names the stack (`Caseflow-<stage>`) and tags every resource. */
  readonly stage: string;
  /** Subscribed by email to the admin alerts topic when set. */
  readonly alertEmail?: string;
  /** Where the web form redirects after a case is created; unset ▶ the handler's thank-you page. */
  readonly webFormReturnUrl?: string;
  /** Steady-state requests per second across the whole HTTP API stage. */
  readonly apiThrottleRate: number;
  /** Burst bucket size for the HTTP API stage. */
  readonly apiThrottleBurst: number;
  /**
   * Steady-state requests per second on each public route (the web form, /health, /openapi.json),
   * each its own bucket apart from the agents' routes: a flood on the form is refused at the gateway.
   */
  readonly publicThrottleRate: number;
  /** Burst bucket size of each public route. */
  readonly publicThrottleBurst: number;
  /** Retention of every log group the stack creates (functions, API access logs, workflow). */
  readonly logRetentionDays: RetentionDays;
  /** The SES receiving and sending domain: email-to-case is deployed when it is set. */
  readonly sesDomain?: string;
  /** Minutes between sweep runs (EventBridge Scheduler rate); 1 to 60. */
  readonly sweepScheduleMinutes: number;
  /**
   * Deploy the CloudWatch dashboard, and publish the metrics only it shows (cases created and
   * assignment latency per channel, SLA warnings, breaches and escalations, queue depth). Off by
   * default: a dashboard is $3 a month at list price (docs/deploying.md#what-it-costs-when-idle).
   */
  readonly dashboard: boolean;
  /**
   * Only while trimming index projections on a deployed table (docs/deploying.md#changing-an-index-projection):
   * the indexes that still project ALL in AWS, kept so, since CloudFormation cannot change a projection in place.
   */
  readonly indexesProjectingAll: readonly IndexName[];
  /** Only while changing an index's projection: the index left out of the table, so the deploy deletes it. */
  readonly withoutIndex?: IndexName;
}

export const CONFIG_DEFAULTS = {
  stage: 'dev',
  apiThrottleRate: 50,
  apiThrottleBurst: 100,
  publicThrottleRate: 10,
  publicThrottleBurst: 20,
  logRetentionDays: RetentionDays.THREE_MONTHS,
  sweepScheduleMinutes: 1,
  dashboard: false,
} as const;

type ContextReader = Pick<Node, 'tryGetContext'>;

export function readCaseflowConfig(node: ContextReader): CaseflowConfig {
  const stage = optionalString(node, 'stage') ?? CONFIG_DEFAULTS.stage;
  // The stage ends up in the stack name and resource names: keep it to what CloudFormation accepts everywhere.
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`context "stage" must match /^[a-z][a-z0-9-]{0,19}$/, got "${stage}"`);
  }

  const alertEmail = optionalString(node, 'alertEmail');
  if (alertEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alertEmail)) {
    throw new Error(`context "alertEmail" is not an email address: "${alertEmail}"`);
  }

  const webFormReturnUrl = optionalString(node, 'webFormReturnUrl');
  if (webFormReturnUrl !== undefined && !isHttpUrl(webFormReturnUrl)) {
    // functions/composition/env.ts rejects a non-URL at cold start; failing here is cheaper.
    throw new Error(`context "webFormReturnUrl" must be an http(s) URL, got "${webFormReturnUrl}"`);
  }

  const apiThrottleRate = positiveNumber(node, 'apiThrottleRate', CONFIG_DEFAULTS.apiThrottleRate);
  const apiThrottleBurst = positiveInteger(node, 'apiThrottleBurst', CONFIG_DEFAULTS.apiThrottleBurst);
  const publicThrottleRate = positiveNumber(node, 'publicThrottleRate', CONFIG_DEFAULTS.publicThrottleRate);
  const publicThrottleBurst = positiveInteger(node, 'publicThrottleBurst', CONFIG_DEFAULTS.publicThrottleBurst);

  const logRetentionDays = positiveInteger(node, 'logRetentionDays', CONFIG_DEFAULTS.logRetentionDays);
  if (!(Object.values(RetentionDays) as number[]).includes(logRetentionDays)) {
    throw new Error(
      `context "logRetentionDays" must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...), got ${logRetentionDays}`,
    );
  }

  const sweepScheduleMinutes = positiveInteger(node, 'sweepScheduleMinutes', CONFIG_DEFAULTS.sweepScheduleMinutes);
  if (sweepScheduleMinutes > 60) {
    // Offers lapse after minutes (acceptTimeout, default PT5M): a sweep less often than hourly would make them meaningless.
    throw new Error(`context "sweepScheduleMinutes" must be a whole number of minutes from 1 to 60, got ${sweepScheduleMinutes}`);
  }

  return {
    stage,
    alertEmail,
    webFormReturnUrl,
    apiThrottleRate,
    apiThrottleBurst,
    publicThrottleRate,
    publicThrottleBurst,
    logRetentionDays: logRetentionDays as RetentionDays,
    sesDomain: optionalString(node, 'sesDomain'),
    sweepScheduleMinutes,
    dashboard: dashboardEnabled(node),
    ...indexMigration(node),
  };
}

/** `indexesProjectingAll` (names, comma-separated) and `withoutIndex` (one name): each a name TABLE has. */
function indexMigration(node: ContextReader): Pick<CaseflowConfig, 'indexesProjectingAll' | 'withoutIndex'> {
  const names: readonly string[] = TABLE.indexes.map((i) => i.name);
  const isIndex = (name: string): name is IndexName => names.includes(name);
  const list = optionalString(node, 'indexesProjectingAll');
  const all = (list ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const unknown = all.filter((n) => !isIndex(n));
  if (unknown.length > 0) throw new Error(`context "indexesProjectingAll" names no index of the table: ${unknown.join(', ')} (indexes: ${names.join(', ')})`);
  const without = optionalString(node, 'withoutIndex');
  if (without !== undefined && !isIndex(without)) throw new Error(`context "withoutIndex" must be one of ${names.join(', ')}, got "${without}"`);
  return { indexesProjectingAll: all.filter(isIndex), ...(without !== undefined && isIndex(without) ? { withoutIndex: without } : {}) };
}

/** The `dashboard` context flag on its own: every function reads it to know which metrics to publish. */
export function dashboardEnabled(node: ContextReader): boolean {
  return optionalBoolean(node, 'dashboard', CONFIG_DEFAULTS.dashboard);
}

function optionalString(node: ContextReader, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value.trim() || undefined;
}

/** `-c key=true` arrives as the string "true", cdk.json gives a boolean: accept both, and nothing else. */
function optionalBoolean(node: ContextReader, key: string, fallback: boolean): boolean {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`context "${key}" must be true or false, got ${JSON.stringify(raw)}`);
}

/** `-c key=5` arrives as the string "5", cdk.json gives a number: accept both. */
function positiveNumber(node: ContextReader, key: string, fallback: number): number {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`context "${key}" must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function positiveInteger(node: ContextReader, key: string, fallback: number): number {
  const value = positiveNumber(node, key, fallback);
  if (!Number.isInteger(value)) throw new Error(`context "${key}" must be a whole number, got ${value}`);
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
