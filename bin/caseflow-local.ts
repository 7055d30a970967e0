/**
 * `npm start`: the whole of caseflow on this machine (lib/local/stack.ts), until Ctrl-C.
 *
 * Prints progress lines while it starts (DynamoDB Local takes a few seconds), then exactly one line
 * containing `ready` with the URLs to use. SIGINT / SIGTERM stop everything, DynamoDB Local's Java
 * process included. If DynamoDB Local dies it is restarted (lib/local/dynamodb-supervisor.ts); when
 * that is not possible the stack stops and the process exits with code 1 and the reason on stderr.
 */
// First: refuse a Node older than 22 with a clear message, before anything else loads.
import '../lib/local/require-node.js';
import { parseArgs } from 'node:util';
import type { LocalService, LocalStack } from '../lib/local/stack.js';

const USAGE = `Usage: npm start -- [options]      (or: npx tsx bin/caseflow-local.ts [options])

Runs caseflow on 127.0.0.1: the agent/admin API, the web-to-case form, DynamoDB Local and the case
lifecycle workflow, with the demo configuration unless the store already has one. If DynamoDB
Local dies it is restarted on the same port and data (at most 3 times in 5 minutes); otherwise, and
always with --memory, the stack stops and exits with code 1.

Options:
  --port N          HTTP port of the API and the form (default 3000; 0 picks a free port)
  --data-dir DIR    where data, keys, alerts and the outbox live (default .caseflow)
  --memory          keep the database in memory: nothing is stored when the stack stops
  --config FILE     apply this routing configuration at start (validated; stored as a new version)
  --dynamo-port N   port of DynamoDB Local (default: a free port, written to DIR/local-stack.json)
  --smtp-port N     port of the email-to-case SMTP listener (default 2525; 0 picks a free port)
  --smtp-relay URL  also send outgoing mail (acknowledgements) to this SMTP server, e.g. smtp://127.0.0.1:1025
  --sweep-every S   run the sweeps (offers not accepted, absent agents, end of shift, on-hold limits,
                    dispatch backstop) every S seconds (default 60)
  --slack-webhook-url URL
                    announce swarms (POST /cases/{id}/swarm) to this Slack incoming webhook
                    (default: $CASEFLOW_SLACK_WEBHOOK_URL; unset: announcements are skipped)
  --slack-bot-token TOKEN, --slack-signing-secret SECRET
                    the Slack app (docs/slack.md): a channel or thread per swarm, and Slack's
                    requests taken at /slack/events, /slack/interactions and /slack/commands;
                    supersedes the webhook (default: $CASEFLOW_SLACK_BOT_TOKEN, $CASEFLOW_SLACK_SIGNING_SECRET)
  --slack-api-url URL
                    where the Slack Web API is (default https://slack.com/api; any server, e.g. a test double)
  --quiet           no progress lines or request log; only the ready line and errors
  -h, --help        show this help

Get a token for the API with:  npm run -s token -- <agentId>`;

// Each option is declared once here; services that plug into the stack (the SMTP listener with
// --smtp-port, the sweeps with --sweep-every) add their option here and their service in services().
const OPTIONS = {
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  memory: { type: 'boolean' },
  config: { type: 'string' },
  'dynamo-port': { type: 'string' },
  'smtp-port': { type: 'string' },
  'smtp-relay': { type: 'string' },
  'sweep-every': { type: 'string' },
  'slack-webhook-url': { type: 'string' },
  'slack-bot-token': { type: 'string' },
  'slack-signing-secret': { type: 'string' },
  'slack-api-url': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];

class UsageError extends Error {}

/** The Slack app's options, each falling back to its environment variable (secrets stay out of shell history that way). */
function slackApp(values: Values): { botToken?: string; signingSecret?: string; apiUrl?: string } {
  const pick = (option: string | undefined, env: string) => {
    const value = option ?? process.env[env];
    return value === undefined || value === '' ? undefined : value;
  };
  const botToken = pick(values['slack-bot-token'], 'CASEFLOW_SLACK_BOT_TOKEN');
  const signingSecret = pick(values['slack-signing-secret'], 'CASEFLOW_SLACK_SIGNING_SECRET');
  const apiUrl = pick(values['slack-api-url'], 'CASEFLOW_SLACK_API_URL');
  return { ...(botToken ? { botToken } : {}), ...(signingSecret ? { signingSecret } : {}), ...(apiUrl ? { apiUrl } : {}) };
}

function parseSeconds(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0 || Number(text) > 86_400) {
    throw new UsageError(`--${name} must be a number of seconds from 0.1 to 86400, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parsePort(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--${name} must be a port number from 0 to 65535, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** The local services started with the stack; later issues add theirs here. */
async function services(values: Values): Promise<LocalService[]> {
  // Loaded here, after the log level is set: the intake handler's logger reads it once.
  const { smtpService } = await import('../lib/local/smtp.js');
  const { sweepService } = await import('../lib/local/sweeps.js');
  const relay = values['smtp-relay'];
  return [
    smtpService({ port: parsePort('smtp-port', values['smtp-port'], 2525), ...(relay ? { relay } : {}) }),
    sweepService({ everySeconds: parseSeconds('sweep-every', values['sweep-every'], 60) }),
  ];
}

/** Resolves to an exit code, or to undefined while the stack keeps running. */
async function main(): Promise<number | undefined> {
  let values: Values;
  try {
    values = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`caseflow-local: ${(error as Error).message}\nRun with --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let port: number;
  let dynamoPort: number;
  try {
    port = parsePort('port', values.port, 3000);
    dynamoPort = parsePort('dynamo-port', values['dynamo-port'], 0);
    parsePort('smtp-port', values['smtp-port'], 2525);
    parseSeconds('sweep-every', values['sweep-every'], 60);
    const relay = values['smtp-relay'];
    if (relay !== undefined && !/^smtps?:\/\/[^\s/]+/.test(relay))
      throw new UsageError(`--smtp-relay must be an smtp:// or smtps:// URL, not ${JSON.stringify(relay)}`);
    if (values['data-dir'] !== undefined && values['data-dir'].trim() === '') throw new UsageError('--data-dir needs a directory');
    const slack = values['slack-webhook-url'] ?? process.env.CASEFLOW_SLACK_WEBHOOK_URL;
    if (slack !== undefined && slack !== '' && !/^https?:\/\/[^\s/]+/.test(slack)) throw new UsageError('--slack-webhook-url must be an http(s) URL');
    const app = slackApp(values);
    if ((app.botToken === undefined) !== (app.signingSecret === undefined)) {
      throw new UsageError('the Slack app needs both --slack-bot-token and --slack-signing-secret');
    }
    if (app.botToken !== undefined && !/^xoxb-[A-Za-z0-9-]{10,}$/.test(app.botToken)) throw new UsageError('--slack-bot-token must be a bot token (xoxb-…)');
    if (app.apiUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(app.apiUrl)) throw new UsageError('--slack-api-url must be an http(s) URL');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`caseflow-local: ${error.message}\nRun with --help for the options.`);
    return 2;
  }

  // Before the handlers load (their logger reads the level once): the JSON log of every rejected
  // request would drown the progress lines. Errors and warnings still show; override as you like.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { startLocalStack } = await import('../lib/local/stack.js');
  // The console at /app/: built now when it is missing or older than its sources.
  const { ensureConsoleBuilt } = await import('../lib/local/console.js');
  try {
    await ensureConsoleBuilt(values.quiet ? undefined : (line) => console.log(`[caseflow] ${line}`));
  } catch (error) {
    console.error(`[caseflow] the console could not be built (${(error as Error).message}); the API runs without it`);
  }

  let stack: LocalStack | undefined;
  let signalled: NodeJS.Signals | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!stack) return;
      if (!values.quiet) console.log('[caseflow] stopping...');
      await stack.stop();
      if (!values.quiet) console.log('[caseflow] stopped');
    })());

  let signalledAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      // Ctrl-C reaches every process of the terminal's group, and tsx may relay it once more: a
      // repeat within a moment is the same keypress. A later one means "stop waiting"; DynamoDB
      // Local is then killed by its own exit hook.
      if (Date.now() - signalledAt < 2_000) return;
      console.error('[caseflow] forced exit');
      process.exit(130);
    }
    signalledAt = Date.now();
    signalled = signal;
    // Before the stack is up there is nothing to stop yet; main() stops it as soon as it is.
    if (stack)
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('[caseflow] stop failed:', error);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    stack = await startLocalStack({
      port,
      dynamoPort,
      dataDir: values['data-dir'] ?? '.caseflow',
      memory: values.memory ?? false,
      ...(values.config ? { configFile: values.config } : {}),
      quiet: values.quiet ?? false,
      ...(values['smtp-relay'] ? { smtpRelay: values['smtp-relay'] } : {}),
      ...((values['slack-webhook-url'] ?? process.env.CASEFLOW_SLACK_WEBHOOK_URL)
        ? { slackWebhookUrl: values['slack-webhook-url'] ?? process.env.CASEFLOW_SLACK_WEBHOOK_URL }
        : {}),
      ...(slackApp(values).botToken ? { slack: slackApp(values) } : {}),
      services: await services(values),
    });
  } catch (error) {
    console.error(`caseflow-local: could not start: ${(error as Error).message}`);
    return 1;
  }
  if (signalled) {
    await stop();
    return 0;
  }

  const extra = Object.entries(stack.services)
    .filter(([, s]) => s.url)
    .map(([name, s]) => `${name} ${s.url}`);
  console.log(
    [
      `caseflow local stack ready on port ${stack.port}:`,
      `console ${stack.url}/app/`,
      `form ${stack.url}/web-to-case`,
      `API ${stack.url}`,
      `health ${stack.url}/health`,
      ...extra,
      `(DynamoDB Local ${stack.dynamoEndpoint}, data ${stack.dataDir}${values.memory ? ', in memory' : ''}) - Ctrl-C to stop`,
    ].join('  '),
  );
  // The stack stops on its own only when DynamoDB Local cannot be kept running (restarted too often,
  // or its data was in memory): say so plainly and exit non-zero, so a supervisor or a CI job notices.
  stack.fatal.then((error) => {
    console.error(`caseflow-local: stopped: ${error.message}`);
    process.exit(1);
  });
  // Keeps running: the HTTP server holds the event loop open until a signal stops the stack.
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    console.error('caseflow-local failed:', error);
    process.exit(1);
  },
);
