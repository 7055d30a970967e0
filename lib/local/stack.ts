/**
 * The whole system on one machine (docs/architecture.md#the-local-stack): DynamoDB Local, the case lifecycle on local Step
 * Functions, and the HTTP gateway in front of the very handlers Lambda runs. Only endpoints and
 * adapters differ from AWS: the alert publisher writes files, the workflow starter hands cases to
 * the in-process state machine, and the gateway checks tokens signed by a local key.
 *
 * `npm start` (bin/caseflow-local.ts) and the end-to-end tests both start it with startLocalStack.
 * Further local services (the SMTP listener, the sweep timer) plug in through `services`: each gets
 * the running stack's deps and is stopped with it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableRef } from '../../functions/adapters/dynamo.js';
import { makeDocumentClient } from '../../functions/adapters/dynamo.js';
import type { RoutingConfig } from '../../functions/core/config.js';
import type { StoredConfig } from '../../functions/core/ports/repositories.js';
import type { WorkflowStarter } from '../../functions/core/ports/workflow.js';
import type { WebIntakeLimits } from '../../functions/core/use-cases/submit-web-case.js';
import { createHandler as createApiHandler } from '../../functions/handlers/api.js';
import { createHandler as createWebToCaseHandler } from '../../functions/handlers/web-to-case.js';
import { createHandler as createReportsHandler } from '../../functions/handlers/reports.js';
import { makeReportsDeps } from '../../functions/composition/reports.js';
import type { RouteTarget } from '../../functions/http/routes.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeFileModelStore } from '../../functions/adapters/triage-model-store.js';
import { TRIAGE_MODELS_DIR } from './stack-info.js';
import type { Clock } from '../../functions/core/ports/clock.js';
import { DEFAULT_ALERTS_FROM, makeLocalAlertPublisher } from './alerts.js';
import { LOCAL_CLIENT_SETTINGS, ensureTable } from './dynamodb-local.js';
import type { LivenessProbe, Recovery, RestartPolicy, SupervisedDynamoDbLocal, SupervisorEvent } from './dynamodb-supervisor.js';
import { superviseDynamoDbLocal } from './dynamodb-supervisor.js';
import type { Gateway, GatewayFunction } from './gateway.js';
import { startGateway } from './gateway.js';
import { loadOrCreateKeyPair, makeTokenVerifier } from './jwt.js';
import type { LocalStackInfo } from './stack-info.js';
import { DEFAULT_DATA_DIR, DEMO_CONFIG_PATH, STACK_INFO_FILE, isAlive, readConfigFile, readStackInfo } from './stack-info.js';
import type { LocalService, StartedLocalService } from './service.js';
import { startStepFunctionsEndpoint } from './stepfunctions/endpoint.js';
import type { LocalWorkflow } from './stepfunctions/workflow.js';
import { makeLocalWorkflow } from './stepfunctions/workflow.js';
import { smtpService } from './smtp.js';
import type { LocalMetricsSink } from './metrics.js';
import { makeLocalMetricsSink } from './metrics.js';
import { loadOrCreateThreadingKey, makeFileRawMailStore } from './mail-store.js';
import { loadOrCreateFileKey, loadOrCreateStatusKeys, makeFileRoutes, makeLocalFileLinks } from './file-links.js';
import { makeLocalFileUploads, makeUploadRoutes } from './file-uploads.js';
import { makeSlackSwarmNotifier, staticWebhookUrl } from '../../functions/adapters/slack-webhook.js';
import { staticSlackSecrets } from '../../functions/adapters/slack-secrets.js';
import { createHandler as createSlackHandler } from '../../functions/handlers/slack.js';
import { sweepService } from './sweeps.js';
import { makeOutboxMailer } from './outbox-mailer.js';
import { makeNotifier } from '../../functions/adapters/notifier.js';
import { assertSupportedNode } from './node-version.js';
import { makeConsoleRoutes } from './console.js';

export { DEFAULT_DATA_DIR, DEMO_CONFIG_PATH, STACK_INFO_FILE, readStackInfo, type LocalStackInfo } from './stack-info.js';
export type { LocalService, LocalServiceContext, StartedLocalService } from './service.js';

export const DEFAULT_HTTP_PORT = 3000;
export const DEFAULT_TABLE_NAME = 'caseflow';

/**
 * Demo behaviour, not product behaviour: when the demo configuration is applied to an empty store,
 * these agents start online, so the first submissions are assigned at once instead of waiting in
 * their queues. They cover every territory's queue of the demo configuration (emea, americas, apac,
 * general).
 */
export const DEMO_ONLINE_AGENTS = ['luke', 'leia', 'han', 'anakin'] as const;

export interface LocalStackOptions {
  /** HTTP port of the gateway; 0 picks a free one. Default 3000. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** DynamoDB Local's port; default: a free one (local-stack.json says which). */
  dynamoPort?: number;
  /** Default `.caseflow` in the working directory. */
  dataDir?: string;
  /** DynamoDB Local in memory: nothing is kept when the stack stops. Keys, outbox and logs still go to dataDir. */
  memory?: boolean;
  /** A routing configuration to apply at start (validated; stored as a new version when it differs). */
  configFile?: string;
  /** No progress lines, no access log. */
  quiet?: boolean;
  webLimits?: Partial<WebIntakeLimits>;
  webFormReturnUrl?: string;
  tableName?: string;
  /** From address of the alert emails in the outbox. */
  alertsFrom?: string;
  /** Further services started after the gateway, stopped before it (SMTP listener, sweeps). */
  services?: LocalService[];
  /** Email-to-case: start the SMTP listener on this port (0 = a free one; lib/local/smtp.ts). Unset: no SMTP. */
  smtpPort?: number;
  /** With smtpPort: also relay outgoing mail to this SMTP URL (`smtp://127.0.0.1:1025`). */
  smtpRelay?: string;
  /** Progress lines; default: console.log unless quiet. */
  log?: (line: string) => void;
  /**
   * The clock every use case reads; default the system clock. A virtual clock (lib/local/virtual-clock.ts)
   * also drives the workflow's timestamp waits and the sweep timer: time moves only with its advanceTo.
   */
  clock?: Clock;
  /** Swarming: the Slack incoming-webhook URL swarms are announced to (`--slack-webhook-url`); unset: announcements are skipped. */
  slackWebhookUrl?: string;
  /**
   * The Slack app (docs/slack.md): its bot token and signing secret (`--slack-bot-token`,
   * `--slack-signing-secret`) and where its Web API is (`--slack-api-url`, default https://slack.com/api).
   * With a token and a secret it supersedes the webhook, and `/slack/*` take Slack's requests.
   */
  slack?: { botToken?: string; signingSecret?: string; apiUrl?: string };
  /** Run the sweeps (lib/local/sweeps.ts) every this many seconds; unset: no sweeps. `npm start` passes 60. */
  sweepEverySeconds?: number;
  /** When DynamoDB Local ends unexpectedly: how often it is restarted before the stack gives up (lib/local/dynamodb-supervisor.ts). */
  dynamoRestartPolicy?: Partial<RestartPolicy>;
  /** The probe that takes an emulator which stopped answering for dead; `false`: watch only its process. */
  dynamoLiveness?: Partial<LivenessProbe> | false;
  /** Where the store's crashes, restarts and a give-up are reported; shown even when quiet. Default: console.error. */
  errorLog?: (line: string) => void;
}

export interface LocalStack {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dataDir: string;
  deps: AppDeps;
  workflow: LocalWorkflow;
  dynamoEndpoint: string;
  tableName: string;
  /** What was applied at start: `demo`, `file`, or `stored` (the store already had a configuration). */
  configSource: 'demo' | 'file' | 'stored';
  configVersion: number;
  services: Record<string, StartedLocalService>;
  /** What CloudWatch would receive as metrics (functions/core/metrics.ts), summarised in memory. */
  metrics: LocalMetricsSink;
  /** DynamoDB Local under its supervisor: the Java process now, its state, and the outages it ended. */
  dynamo: { pid(): number | undefined; state(): ReturnType<SupervisedDynamoDbLocal['state']>; recoveries(): readonly Recovery[] };
  /** StartExecution for other local processes (npm run redrive), on loopback. */
  stepFunctions: { endpoint: string; stateMachineArn: string };
  /**
   * Settles, with the reason, if the stack had to stop on its own (DynamoDB Local could not be kept
   * running): the stack has stopped by then. Never settles otherwise. `npm start` exits non-zero on it.
   */
  fatal: Promise<Error>;
  /** Stops the services, the gateway, the workflow and DynamoDB Local. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  assertSupportedNode();
  const quiet = options.quiet ?? false;
  const log = options.log ?? (quiet ? () => undefined : (line: string) => console.log(`[caseflow] ${line}`));
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const memory = options.memory ?? false;
  const stops: { name: string; stop: () => Promise<void> }[] = [];

  // A configuration file with a mistake fails now, not after DynamoDB Local took its seconds to start.
  const fileConfig = options.configFile ? { path: resolve(options.configFile), config: await readConfigFile(resolve(options.configFile)) } : undefined;
  await mkdir(dataDir, { recursive: true });
  await refuseIfAnotherStackRuns(dataDir);

  const stopAll = async () => {
    const errors: unknown[] = [];
    // Last started, first stopped: nothing is left running that depends on something already gone.
    for (const { stop } of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the local stack did not stop cleanly');
  };

  const errorLog = options.errorLog ?? ((line: string) => console.error(`[caseflow] ${line}`));
  // Set once the workflow runs: after a restart of the store, cases it left in `new` are started again.
  let afterRestart: (() => Promise<void>) | undefined;

  try {
    let t = Date.now();
    log(`starting DynamoDB Local (Java, ${memory ? 'in memory' : `data in ${displayPath(join(dataDir, 'dynamodb'))}`})...`);
    const dynamo = await superviseDynamoDbLocal({
      port: options.dynamoPort ?? 0,
      ...(memory ? {} : { dataDir: join(dataDir, 'dynamodb') }),
      ...(options.dynamoRestartPolicy ? { policy: options.dynamoRestartPolicy } : {}),
      ...(options.dynamoLiveness !== undefined ? { liveness: options.dynamoLiveness } : {}),
      onEvent: (event) => errorLog(describeSupervisorEvent(event)),
      onRestarted: async (endpoint) => {
        await recheckTable(endpoint, tableName);
        await afterRestart?.().catch((error: unknown) => errorLog(`could not resume the cases left in new after the restart: ${(error as Error).message}`));
      },
    });
    stops.push({ name: 'dynamodb', stop: () => dynamo.stop() });
    log(`DynamoDB Local up at ${dynamo.endpoint} (${seconds(t)})`);

    const admin = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: dynamo.endpoint });
    try {
      await ensureTable(admin, tableName);
    } finally {
      admin.destroy();
    }
    const client = makeDocumentClient({ endpoint: dynamo.endpoint });
    stops.push({ name: 'dynamodb client', stop: async () => client.destroy() });
    const table: TableRef = { client, tableName };

    // The workflow needs AppDeps and AppDeps needs a workflow starter: the starter hands each case
    // to the local workflow, which exists by the time any case can be submitted.
    let workflow: LocalWorkflow | undefined;
    const starter: WorkflowStarter = {
      startCase: async (caseId, startOptions) => {
        if (!workflow) throw new Error('the local workflow is not running (yet)');
        await workflow.starter.startCase(caseId, startOptions);
      },
    };
    // Metrics stay in memory locally (no EMF on the terminal); tests and the curious read stack.metrics.
    const metrics = makeLocalMetricsSink();
    let deps: AppDeps | undefined;
    const alerts = makeLocalAlertPublisher({
      dataDir,
      from: options.alertsFrom ?? DEFAULT_ALERTS_FROM,
      recipients: async () => adminEmails((await deps?.configs.getCurrent())?.config),
    });
    // The customer's status page and attachment downloads: links signed with keys of the data
    // directory, pointing at this gateway (its URL is known once it listens: filled in below).
    const statusLinks = { keys: await loadOrCreateStatusKeys(dataDir), pageBase: '' };
    const fileKey = await loadOrCreateFileKey(dataDir);
    let gatewayUrl = '';
    deps = makeAppDeps({
      table,
      metrics,
      statusLinks,
      fileLinks: makeLocalFileLinks(fileKey, () => gatewayUrl),
      // Large reply files are uploaded to this gateway (POST /local-uploads/<token>), as to S3 in AWS.
      fileUploads: makeLocalFileUploads({ key: fileKey, dataDir, base: () => gatewayUrl }),
      // Files of agents' replies are kept beside the mail, as inbound attachments are.
      rawMail: makeFileRawMailStore(dataDir),
      alerts,
      workflow: starter,
      ...(options.webLimits ? { webLimits: options.webLimits } : {}),
      ...(options.webFormReturnUrl ? { webFormReturnUrl: options.webFormReturnUrl } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      // The agent API: replies go out through the outbox mailer (relayed like acknowledgements),
      // threaded with the data dir's threading key; swarms are announced to the Slack webhook.
      mailer: makeOutboxMailer({ dataDir, ...(options.smtpRelay ? { relay: options.smtpRelay } : {}) }),
      threadingKeys: await loadOrCreateThreadingKey(dataDir),
      webhookNotifier: makeSlackSwarmNotifier({ webhookUrl: staticWebhookUrl(options.slackWebhookUrl) }),
      slackSecrets: staticSlackSecrets({
        ...(options.slack?.botToken ? { botToken: options.slack.botToken } : {}),
        ...(options.slack?.signingSecret ? { signingSecret: options.slack.signingSecret } : {}),
      }),
      ...(options.slack?.apiUrl ? { slackApiUrl: options.slack.apiUrl } : {}),
      // SLA and sweep notifications: agents' mail to the outbox, admins' to the alert log (and outbox).
      notifier: makeNotifier({ mailer: makeOutboxMailer({ dataDir }), alerts }),
      // Triage model versions that `npm run triage -- train` wrote into the data directory.
      triageModels: makeFileModelStore(join(dataDir, TRIAGE_MODELS_DIR)),
    });

    const applied = await applyConfiguration(deps, fileConfig);
    log(describeApplied(applied, options.configFile));
    if (applied.source === 'demo' && applied.emptyStore) {
      const at = deps.clock.now().toISOString();
      const online = DEMO_ONLINE_AGENTS.filter((id) => applied.stored.config.agents.some((a) => a.id === id));
      for (const agentId of online) await deps.agentStates.setPresence(agentId, 'online', at);
      log(`demo: ${online.join(', ')} are online, so new cases are assigned at once`);
    }

    t = Date.now();
    workflow = makeLocalWorkflow({ deps });
    const runningWorkflow = workflow;
    stops.push({ name: 'workflow', stop: async () => runningWorkflow.stop() });
    log(`case lifecycle workflow started (local Step Functions, ${seconds(t)})`);

    const resumed = memory ? 0 : await resumeNewCases(deps, starter);
    if (resumed > 0) log(`resumed the workflow of ${resumed} case(s) the last run left unrouted`);
    const appDeps = deps;
    afterRestart = async () => {
      const count = await resumeNewCases(appDeps, starter);
      if (count > 0) errorLog(`resumed the workflow of ${count} case(s) left in new while the store was down`);
    };

    // Other local processes (npm run redrive) start workflows here, through the Step Functions adapter.
    const sfn = await startStepFunctionsEndpoint(runningWorkflow);
    stops.push({ name: 'step functions endpoint', stop: () => sfn.close() });

    const keys = await loadOrCreateKeyPair(dataDir);
    const functions: Record<RouteTarget, GatewayFunction> = {
      api: createApiHandler(deps),
      'web-to-case': createWebToCaseHandler(deps),
      // Reports get a read-only view of the table, as their Lambda does.
      reports: createReportsHandler(makeReportsDeps(table, deps.clock)),
      slack: createSlackHandler(deps),
    };
    const gateway: Gateway = await startGateway({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? DEFAULT_HTTP_PORT,
      functions,
      verifyToken: makeTokenVerifier(keys),
      // The console at /app/ and the local identity provider its sign-in page uses (lib/local/console.ts).
      localRoutes: firstRoute(
        makeConsoleRoutes({ configs: deps.configs, keys }),
        makeFileRoutes({ key: fileKey, dataDir, now: () => appDeps.clock.now() }),
        makeUploadRoutes({ key: fileKey, dataDir, now: () => appDeps.clock.now() }),
      ),
      ...(quiet ? {} : { accessLog: (line: string) => log(line) }),
      errorLog: (message, error) => console.error(`[caseflow] ${message}:`, error),
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        throw new Error(`port ${options.port ?? DEFAULT_HTTP_PORT} is in use: stop what uses it or pick another with --port (0 = any free port)`);
      }
      throw error;
    });
    stops.push({ name: 'gateway', stop: () => gateway.close() });
    // Links in swarm announcements point at this gateway (known only once it listens).
    deps.caseLinkBase ??= `${gateway.url}/cases`;
    gatewayUrl = gateway.url;
    statusLinks.pageBase = `${gateway.url}/app/status`;

    const services: Record<string, StartedLocalService> = {};
    const plugged = [
      ...(options.services ?? []),
      ...(options.smtpPort !== undefined ? [smtpService({ port: options.smtpPort, ...(options.smtpRelay ? { relay: options.smtpRelay } : {}) })] : []),
      ...(options.sweepEverySeconds !== undefined ? [sweepService({ everySeconds: options.sweepEverySeconds })] : []),
    ];
    for (const service of plugged) {
      if (services[service.name]) throw new Error(`two local services are named ${service.name}`);
      const started = await service.start({ deps, workflow, dataDir, url: gateway.url, quiet, log });
      services[service.name] = started;
      stops.push({ name: service.name, stop: () => started.stop() });
    }

    const info: LocalStackInfo = {
      url: gateway.url,
      port: gateway.port,
      dynamoEndpoint: dynamo.endpoint,
      stepFunctionsEndpoint: sfn.endpoint,
      stateMachineArn: sfn.stateMachineArn,
      tableName,
      pid: process.pid,
      dataDir,
      memory,
      startedAt: new Date().toISOString(),
      services: Object.fromEntries(Object.entries(services).map(([name, s]) => [name, { ...(s.url ? { url: s.url } : {}), ...s.info }])),
    };
    const infoPath = join(dataDir, STACK_INFO_FILE);
    await writeFile(infoPath, `${JSON.stringify(info, null, 2)}\n`);
    // Removed first on stop: from then on nobody should take the stack for running.
    stops.push({ name: 'stack info', stop: () => removeStackInfo(infoPath) });

    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= stopAll());
    // Gave up on the store: stop everything (nothing useful can run without it), then tell the caller.
    const fatal = dynamo.fatal.then(async (error) => {
      errorLog(`stopping the stack: ${error.message}`);
      await stop().catch((stopError: unknown) => errorLog(`the stack did not stop cleanly: ${(stopError as Error).message}`));
      return error;
    });
    return {
      url: gateway.url,
      port: gateway.port,
      dataDir,
      deps,
      workflow,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      configSource: applied.source,
      configVersion: applied.stored.version,
      services,
      metrics,
      dynamo: { pid: () => dynamo.pid(), state: () => dynamo.state(), recoveries: () => dynamo.recoveries() },
      stepFunctions: { endpoint: sfn.endpoint, stateMachineArn: sfn.stateMachineArn },
      fatal,
      stop,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

interface Applied {
  source: 'demo' | 'file' | 'stored';
  stored: StoredConfig;
  /** The store had no configuration before this start. */
  emptyStore: boolean;
  /** A new version was written (false when the file equals what is stored). */
  wrote: boolean;
}

/**
 * A `configFile` is applied at every start (a new version only when it differs from the current
 * one); without one, the demo configuration is applied when the store has none, and a stored
 * configuration is otherwise left as it is (an admin may have changed it since).
 */
async function applyConfiguration(deps: AppDeps, file: { path: string; config: RoutingConfig } | undefined): Promise<Applied> {
  const current = await deps.configs.getCurrent();
  if (!file && current) return { source: 'stored', stored: current, emptyStore: false, wrote: false };
  const config = file ? file.config : await readConfigFile(DEMO_CONFIG_PATH);
  if (current && JSON.stringify(current.config) === JSON.stringify(config)) {
    return { source: 'file', stored: current, emptyStore: false, wrote: false };
  }
  const appliedBy = file ? `local-stack:${displayPath(file.path)}` : 'local-stack:demo';
  const stored = await deps.configs.put(config, current?.version ?? 0, appliedBy, deps.clock.now().toISOString());
  return { source: file ? 'file' : 'demo', stored, emptyStore: !current, wrote: true };
}

function describeApplied(applied: Applied, configFile: string | undefined): string {
  const v = `version ${applied.stored.version}`;
  if (applied.source === 'stored') return `routing configuration: the stored one (${v}, applied by ${applied.stored.appliedBy})`;
  if (applied.source === 'demo') return `routing configuration: demo (config/demo.config.json) applied as ${v}`;
  return applied.wrote
    ? `routing configuration: ${configFile} applied as ${v}`
    : `routing configuration: ${configFile} matches the stored one (${v}): nothing to apply`;
}

export function adminEmails(config: RoutingConfig | undefined): string[] {
  return (config?.agents ?? []).filter((a) => a.roles.includes('admin')).map((a) => a.email);
}

/**
 * Executions live in this process, so a stop in the middle of one loses it. Cases still `new` were
 * never stamped or routed: start them again (a start is idempotent per case, and stamping and
 * routing are safe to repeat).
 */
async function resumeNewCases(deps: AppDeps, starter: WorkflowStarter): Promise<number> {
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await deps.cases.list({ statuses: ['new'], limit: 100, ...(cursor ? { cursor } : {}) });
    for (const c of page.items) {
      await starter.startCase(c.caseId);
      count++;
    }
    cursor = page.cursor;
  } while (cursor);
  return count;
}

/**
 * After a restart the table must still be there with all it held: a table that vanished means the
 * database file went with the crash, and recreating it empty under a running stack would hide that.
 * What an older table lacks (an index, TTL) is added as at start.
 */
async function recheckTable(endpoint: string, tableName: string): Promise<void> {
  const admin = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint });
  try {
    await admin.send(new DescribeTableCommand({ TableName: tableName })).catch((error: unknown) => {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') throw new Error(`the table ${tableName} is gone from its data directory`);
      throw error;
    });
    await ensureTable(admin, tableName);
  } finally {
    admin.destroy();
  }
}

function describeSupervisorEvent(event: SupervisorEvent): string {
  switch (event.kind) {
    case 'crashed':
      return `DynamoDB Local (pid ${event.pid ?? '?'}) ended unexpectedly after ${(event.uptimeMs / 1000).toFixed(0)} s (exit code ${event.code ?? 'none'}, signal ${event.signal ?? 'none'}): the store is unavailable (HTTP 503, SMTP 451)`;
    case 'unresponsive':
      return `DynamoDB Local (pid ${event.pid ?? '?'}) has not answered ${event.failedProbes} probes in a row: killing it to restart it`;
    case 'restarting':
      return `restarting DynamoDB Local in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt})`;
    case 'restart-failed':
      return `restarting DynamoDB Local failed (attempt ${event.attempt}): ${event.error.message}`;
    case 'restarted':
      return `DynamoDB Local is back (pid ${event.pid ?? '?'}), table checked; the store was unavailable for ${(event.downMs / 1000).toFixed(1)} s`;
    case 'gave-up':
      return `giving up on DynamoDB Local: ${event.error.message}`;
  }
}

/** Two stacks on one data directory would run two DynamoDB Locals on one database file. */
async function refuseIfAnotherStackRuns(dataDir: string): Promise<void> {
  const info = await readStackInfo(dataDir);
  if (!info || info.pid === process.pid) return;
  if (isAlive(info.pid)) {
    throw new Error(`another caseflow local stack (pid ${info.pid}, ${info.url}) is using ${dataDir}: stop it first, or use another --data-dir`);
  }
}

async function removeStackInfo(path: string): Promise<void> {
  const dir = resolve(path, '..');
  const info = await readStackInfo(dir);
  if (info && info.pid !== process.pid) return; // someone else's now
  await rm(path, { force: true });
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

type LocalRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Local routes tried in order: the first that answers wins. */
function firstRoute(...routes: LocalRoute[]): LocalRoute {
  return async (req, res, url) => {
    for (const route of routes) if (await route(req, res, url)) return true;
    return false;
  };
}
