import { monotonicFactory } from 'ulid';
import { makeAgentStateRepository } from '../adapters/agent-state-repository.js';
import { makeAssignmentStore } from '../adapters/assignment-store.js';
import { makeCaseRepository } from '../adapters/case-repository.js';
import { makeConfigRepository } from '../adapters/config-repository.js';
import { makeEmailStore } from '../adapters/email-store.js';
import type { MeteringWarning } from '../adapters/metering.js';
import { meterAssignmentStore, meterCaseRepository, meterEmailStore } from '../adapters/metering.js';
import { makeSlackSwarmNotifier, staticWebhookUrl } from '../adapters/slack-webhook.js';
import type { SlackApp } from '../adapters/slack-app.js';
import { makeSlackApp } from '../adapters/slack-app.js';
import type { SlackLedger } from '../adapters/slack-ledger.js';
import { makeSlackLedger } from '../adapters/slack-ledger.js';
import type { SlackSecretSource } from '../adapters/slack-secrets.js';
import { staticSlackSecrets } from '../adapters/slack-secrets.js';
import { makeSlackWebApi } from '../adapters/slack-web-api.js';
import { chooseSwarmNotifier } from '../adapters/swarm-chat.js';
import { makeSwarmConversations } from '../adapters/swarm-conversations.js';
import { makeResolvedCases } from '../adapters/resolved-cases.js';
import type { TableRef } from '../adapters/dynamo.js';
import { makeRateLimiter } from '../adapters/rate-limiter.js';
import { makeSubmissionClaims } from '../adapters/submission-claims.js';
import { makeNotifier } from '../adapters/notifier.js';
import { cachedModelSource } from '../adapters/triage-model-store.js';
import type { TriageModelStore } from '../core/triage/ports.js';
import type { Clock, IdGenerator, Sleep } from '../core/ports/clock.js';
import type { EmailStore, RawMailStore, ThreadingKeySource } from '../core/ports/email-intake.js';
import type { FileLinks, FileUploads, StatusLinks } from '../core/ports/links.js';
import type { Mailer } from '../core/ports/mail.js';
import type { AlertPublisher, Notifier } from '../core/ports/notifications.js';
import type { AgentStateRepository, AssignmentStore, CaseRepository, ConfigRepository } from '../core/ports/repositories.js';
import type { RateLimiter, SubmissionClaims } from '../core/ports/submissions.js';
import type { ResolvedCases, SwarmConversations, SwarmNotifier } from '../core/ports/swarm.js';
import type { WorkflowStarter } from '../core/ports/workflow.js';
import type { MetricsSink } from '../core/metrics.js';
import { NO_METRICS } from '../core/metrics.js';
import type { WebIntakeLimits } from '../core/use-cases/submit-web-case.js';
import { logger } from '../runtime/observability.js';

/**
 * The composition root (docs/architecture.md#composition-root): every adapter over one table,
 * built once. Handlers take an AppDeps; in Lambda it is built from the environment
 * (functions/composition/lambda.ts), in the local stack, the benchmarks and the tests from local
 * adapters (lib/local). Only adapters differ, never the handlers or the core.
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
  /**
   * Swarms in the team's chat: the Slack app when its credentials are there, else the incoming
   * webhook, else skipped (functions/adapters/swarm-chat.ts).
   */
  swarmNotifier: SwarmNotifier;
  /** Which case a swarm's Slack conversation belongs to (functions/adapters/swarm-conversations.ts). */
  swarmConversations: SwarmConversations;
  /** The recently resolved cases: who resolved similar ones, for the expert finder. */
  resolvedCases: ResolvedCases;
  /** The Slack app: its credentials, its Web API side, and what its routes remember (signatures, events). */
  slack: { secrets: SlackSecretSource; app: SlackApp; ledger: SlackLedger };
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
  /** Short-lived uploads of large reply files: S3 pre-signed POSTs in AWS, a signed local route locally. */
  fileUploads?: FileUploads;
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
  /** Replaces the choice between the Slack app and the webhook (tests). */
  swarmNotifier?: SwarmNotifier;
  /** The incoming-webhook mode, used when the Slack app has no credentials; default: no webhook. */
  webhookNotifier?: SwarmNotifier;
  /** The Slack app's bot token and signing secret; default: no Slack app. */
  slackSecrets?: SlackSecretSource;
  /** Where Slack's Web API is (https://slack.com/api; locally --slack-api-url). */
  slackApiUrl?: string;
  caseLinkBase?: string;
  /** CloudWatch EMF in Lambda, memory in the local stack; default none. */
  metrics?: MetricsSink;
  /** Where a metric that could not be recorded is reported; default the process's logger (functions/runtime/observability.ts). */
  meteringWarning?: MeteringWarning;
  /** Triage model versions; loaded versions are kept in memory for the process's life. */
  triageModels?: TriageModelStore;
  statusLinks?: StatusLinks;
  fileLinks?: FileLinks;
  fileUploads?: FileUploads;
}

export const DEFAULT_WEB_LIMITS: WebIntakeLimits = { perIp: 20, perEmail: 5, windowSeconds: 3600 };

export function makeAppDeps(parts: DepsParts): AppDeps {
  const metrics = parts.metrics ?? NO_METRICS;
  const warn = parts.meteringWarning ?? ((message, details) => logger.warn(message, details));
  const slack = makeSlackDeps(parts);
  return {
    table: parts.table,
    // Metered: every committed case event that is a metric (created, assigned, SLA) is counted here.
    cases: meterCaseRepository(makeCaseRepository(parts.table), metrics, warn),
    agentStates: makeAgentStateRepository(parts.table),
    assignments: meterAssignmentStore(makeAssignmentStore(parts.table), metrics, warn),
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
    emailStore: meterEmailStore(makeEmailStore(parts.table), metrics, warn),
    swarmNotifier: parts.swarmNotifier ?? slack.swarmNotifier,
    swarmConversations: makeSwarmConversations(parts.table),
    resolvedCases: makeResolvedCases(parts.table),
    slack: slack.slack,
    ...(parts.caseLinkBase ? { caseLinkBase: parts.caseLinkBase } : {}),
    metrics,
    ...(parts.triageModels ? { triageModels: cachedModelSource(parts.triageModels) } : {}),
    canSendMail: parts.mailer !== undefined,
    ...(parts.statusLinks ? { statusLinks: parts.statusLinks } : {}),
    ...(parts.fileLinks ? { fileLinks: parts.fileLinks } : {}),
    ...(parts.fileUploads ? { fileUploads: parts.fileUploads } : {}),
  };
}

/**
 * The Slack app from its credentials (the Web API client asks for the bot token when it first
 * calls), and the swarm notifier that prefers it to the webhook.
 */
export function makeSlackDeps(parts: Pick<DepsParts, 'table' | 'slackSecrets' | 'slackApiUrl' | 'webhookNotifier'>): {
  slack: AppDeps['slack'];
  swarmNotifier: SwarmNotifier;
} {
  const secrets = parts.slackSecrets ?? staticSlackSecrets({});
  const api = makeSlackWebApi({
    ...(parts.slackApiUrl ? { baseUrl: parts.slackApiUrl } : {}),
    token: async () => {
      const credentials = await secrets.get();
      if (!credentials.secrets) throw new Error(credentials.reason);
      return credentials.secrets.botToken;
    },
  });
  const app = makeSlackApp({ api });
  const webhook = parts.webhookNotifier ?? makeSlackSwarmNotifier({ webhookUrl: staticWebhookUrl(undefined) });
  return { slack: { secrets, app, ledger: makeSlackLedger(parts.table) }, swarmNotifier: chooseSwarmNotifier({ secrets, app, webhook }) };
}

const unconfigured = (what: string) => () => {
  throw new Error(`${what} is not configured for this function`);
};
