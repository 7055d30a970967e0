import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { monotonicFactory } from 'ulid';
import { makeAgentStateRepository } from '../adapters/agent-state-repository.js';
import { makeAssignmentStore } from '../adapters/assignment-store.js';
import { makeCaseRepository } from '../adapters/case-repository.js';
import { makeConfigRepository } from '../adapters/config-repository.js';
import { makeEmailStore } from '../adapters/email-store.js';
import { meterAssignmentStore, meterCaseRepository, meterEmailStore } from '../adapters/metering.js';
import { makePowertoolsMetricsSink } from '../adapters/powertools-metrics.js';
import { makeSlackSwarmNotifier, staticWebhookUrl } from '../adapters/slack-webhook.js';
import type { TableRef } from '../adapters/dynamo.js';
import { makeDocumentClient } from '../adapters/dynamo.js';
import { makeRateLimiter } from '../adapters/rate-limiter.js';
import { makeSubmissionClaims } from '../adapters/submission-claims.js';
import { makeSnsAlertPublisher } from '../adapters/sns-alerts.js';
import { makeNotifier } from '../adapters/notifier.js';
import { makeStepFunctionsStarter } from '../adapters/step-functions.js';
import { cachedModelSource, makeLazyS3ModelStore } from '../adapters/triage-model-store.js';
import type { TriageModelStore } from '../core/triage/ports.js';
import type {
  AgentStateRepository,
  AlertPublisher,
  AssignmentStore,
  CaseRepository,
  Clock,
  ConfigRepository,
  EmailStore,
  IdGenerator,
  FileLinks,
  Mailer,
  Notifier,
  RateLimiter,
  RawMailStore,
  Sleep,
  StatusLinks,
  SubmissionClaims,
  SwarmNotifier,
  ThreadingKeySource,
  WorkflowStarter,
} from '../core/ports.js';
import type { MetricsSink } from '../core/metrics.js';
import { NO_METRICS } from '../core/metrics.js';
import type { WebIntakeLimits } from '../core/use-cases/submit-web-case.js';
import { env } from './env.js';
import { metrics } from './observability.js';

/**
 * The composition root. Handlers take an AppDeps; in Lambda it is built from the environment, in
 * the local stack and in tests from local adapters (lib/local). Only adapters differ, never the
 * handlers or the core.
 */
export interface AppDeps {
  table: TableRef;
  cases: CaseRepository;
  agentStates: AgentStateRepository;
  assignments: AssignmentStore;
  configs: ConfigRepository;
  rateLimiter: RateLimiter;
  /** Idempotency and dedupe keys of web submissions, claimed before anything else (functions/adapters/submission-claims.ts). */
  claims: SubmissionClaims;
  alerts: AlertPublisher;
  workflow: WorkflowStarter;
  clock: Clock;
  ids: IdGenerator;
  sleep: Sleep;
  webLimits: WebIntakeLimits;
  /** Where a plain HTML form post is redirected after success; unset ▶ thank-you page. */
  webFormReturnUrl?: string;
  /** Email-to-case: raw mail (S3 / data dir), outbound mail (SES / outbox), subject-token keys. */
  rawMail: RawMailStore;
  mailer: Mailer;
  threadingKeys: ThreadingKeySource;
  /** Acknowledgement sender when the configuration names none. */
  defaultFromAddress?: string;
  /** SLA warnings, breaches and escalations, on-hold limits: agents by mail, admins by alert (functions/adapters/notifier.ts). */
  notifier: Notifier;
  /** Email records beside the cases (sent ids, contacts): agent replies are recorded through it (functions/adapters/email-store.ts). */
  emailStore: EmailStore;
  /** Swarm announcements to the team's chat (Slack incoming webhook; functions/adapters/slack-webhook.ts). */
  swarmNotifier: SwarmNotifier;
  /** Where a person opens a case, for links in notifications: `<base>/<caseId>`. */
  caseLinkBase?: string;
  /**
   * Operational metrics (functions/core/metrics.ts). The event-writing ports above are already
   * metered with it; handlers record what is not an event (an intake that failed).
   */
  metrics: MetricsSink;
  /** Trained triage model versions (S3 / the data directory); absent where no function needs them. */
  triageModels?: TriageModelStore;
  /** Whether `mailer` can send (email is set up): web-form cases are acknowledged only then. */
  canSendMail: boolean;
  /** The customer's status page: its link keys and where it lives (functions/core/status-link.ts). */
  statusLinks?: StatusLinks;
  /** Short-lived download links of stored files (attachments): S3 pre-signed in AWS, a signed local route locally. */
  fileLinks?: FileLinks;
}

export const systemClock: Clock = { now: () => new Date() };

export const systemSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return { next: () => next() };
}

export interface DepsParts {
  table: TableRef;
  alerts: AlertPublisher;
  workflow: WorkflowStarter;
  clock?: Clock;
  ids?: IdGenerator;
  /** Default: setTimeout. */
  sleep?: Sleep;
  webLimits?: Partial<WebIntakeLimits>;
  webFormReturnUrl?: string;
  /** Email-to-case adapters; absent ones fail when first used (functions that take no email need none). */
  rawMail?: RawMailStore;
  mailer?: Mailer;
  threadingKeys?: ThreadingKeySource;
  defaultFromAddress?: string;
  /** Default: agents mailed through `mailer` (when given), admins through `alerts`. */
  notifier?: Notifier;
  /** Default: announcements are skipped (no webhook configured). */
  swarmNotifier?: SwarmNotifier;
  caseLinkBase?: string;
  /** CloudWatch EMF in Lambda, memory in the local stack; default none. */
  metrics?: MetricsSink;
  /** Triage model versions; loaded versions are kept in memory for the process's life. */
  triageModels?: TriageModelStore;
  statusLinks?: StatusLinks;
  fileLinks?: FileLinks;
}

export const DEFAULT_WEB_LIMITS: WebIntakeLimits = { perIp: 20, perEmail: 5, windowSeconds: 3600 };

export function makeAppDeps(parts: DepsParts): AppDeps {
  const metrics = parts.metrics ?? NO_METRICS;
  return {
    table: parts.table,
    // Metered: every committed case event that is a metric (created, assigned, SLA) is counted here.
    cases: meterCaseRepository(makeCaseRepository(parts.table), metrics),
    agentStates: makeAgentStateRepository(parts.table),
    assignments: meterAssignmentStore(makeAssignmentStore(parts.table), metrics),
    configs: makeConfigRepository(parts.table),
    rateLimiter: makeRateLimiter(parts.table),
    claims: makeSubmissionClaims(parts.table),
    alerts: parts.alerts,
    workflow: parts.workflow,
    clock: parts.clock ?? systemClock,
    ids: parts.ids ?? ulidGenerator(),
    sleep: parts.sleep ?? systemSleep,
    webLimits: { ...DEFAULT_WEB_LIMITS, ...parts.webLimits },
    ...(parts.webFormReturnUrl ? { webFormReturnUrl: parts.webFormReturnUrl } : {}),
    rawMail: parts.rawMail ?? {
      get: unconfigured('the raw-mail store'),
      putPart: unconfigured('the raw-mail store'),
      mark: unconfigured('the raw-mail store'),
    },
    mailer: parts.mailer ?? { send: unconfigured('the mailer') },
    threadingKeys: parts.threadingKeys ?? { keys: unconfigured('the threading key') },
    ...(parts.defaultFromAddress ? { defaultFromAddress: parts.defaultFromAddress } : {}),
    notifier: parts.notifier ?? makeNotifier({ ...(parts.mailer ? { mailer: parts.mailer } : {}), alerts: parts.alerts }),
    emailStore: meterEmailStore(makeEmailStore(parts.table), metrics),
    swarmNotifier: parts.swarmNotifier ?? makeSlackSwarmNotifier({ webhookUrl: staticWebhookUrl(undefined) }),
    ...(parts.caseLinkBase ? { caseLinkBase: parts.caseLinkBase } : {}),
    metrics,
    ...(parts.triageModels ? { triageModels: cachedModelSource(parts.triageModels) } : {}),
    canSendMail: parts.mailer !== undefined,
    ...(parts.statusLinks ? { statusLinks: parts.statusLinks } : {}),
    ...(parts.fileLinks ? { fileLinks: parts.fileLinks } : {}),
  };
}

const unconfigured = (what: string) => () => {
  throw new Error(`${what} is not configured for this function`);
};

let awsCached: AppDeps | undefined;

/** AppDeps for Lambda, from the environment CDK set (functions/shared/env.ts). */
export function awsDeps(): AppDeps {
  if (awsCached) return awsCached;
  const e = env();
  const table = { client: makeDocumentClient({ endpoint: e.DYNAMODB_ENDPOINT }), tableName: e.TABLE_NAME };
  awsCached = makeAppDeps({
    table,
    alerts: e.ALERT_TOPIC_ARN ? makeSnsAlertPublisher(new SNSClient({}), e.ALERT_TOPIC_ARN) : { publish: unconfigured('ALERT_TOPIC_ARN') },
    workflow: e.STATE_MACHINE_ARN ? makeStepFunctionsStarter(new SFNClient({}), e.STATE_MACHINE_ARN) : { startCase: unconfigured('STATE_MACHINE_ARN') },
    webLimits: { perIp: e.WEB_RATE_LIMIT_PER_IP, perEmail: e.WEB_RATE_LIMIT_PER_EMAIL, windowSeconds: e.WEB_RATE_LIMIT_WINDOW_SECONDS },
    webFormReturnUrl: e.WEB_FORM_RETURN_URL,
    metrics: makePowertoolsMetricsSink(metrics),
    ...(e.TRIAGE_MODEL_BUCKET ? { triageModels: makeLazyS3ModelStore(e.TRIAGE_MODEL_BUCKET, e.TRIAGE_MODEL_PREFIX) } : {}),
    // The S3, SES and Secrets Manager adapters are added by functions/shared/email-deps.ts, imported
    // only by the email intake function so the other bundles do not carry those clients.
  });
  return awsCached;
}
