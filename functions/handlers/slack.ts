import { randomUUID } from 'node:crypto';
import type { SlackApp } from '../adapters/slack-app.js';
import { FORM_CALLBACK_ID, OPEN_CASE_ACTION, buttonOf, caseCardBlocks, formValue, parseFormMetadata, summaryText } from '../adapters/slack-blocks.js';
import type { SlackLedger } from '../adapters/slack-ledger.js';
import type { SlackSecretSource } from '../adapters/slack-secrets.js';
import { verifySlackSignature } from '../adapters/slack-signature.js';
import { NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { SlackInbound, SlackOutcome } from '../core/use-cases/slack-interactions.js';
import { awsApiDeps } from '../composition/lambda.js';
import type { AppDeps } from '../composition/deps.js';
import type { HttpEvent, HttpResult } from '../http/api-gateway.js';
import { header, httpHandler, json } from '../http/api-gateway.js';
import type { RouteKey, RouteOf } from '../http/routes.js';
import { lazy } from '../runtime/lambda.js';
import { logger } from '../runtime/observability.js';
import { makeUseCases } from '../composition/use-cases.js';

/**
 * Slack's three public routes (docs/slack.md#the-request-urls): `/slack/events` (Events API: the
 * URL verification handshake and messages in swarm conversations), `/slack/interactions` (button
 * clicks and form submissions) and `/slack/commands` (`/case`). Nothing is read before the request
 * proves it comes from Slack: a v0 signature over the raw body with the app's signing secret, a
 * timestamp within five minutes, and a signature never seen before (a replay within those five
 * minutes is refused too). Then the request is parsed and handed to the Slack interaction use
 * cases (functions/core/use-cases/slack-interactions.ts), which act as the Slack user's agent.
 *
 * Slack wants an answer within three seconds. Everything here is a few reads and writes and at most
 * a couple of Web API calls; an event Slack retries anyway (`X-Slack-Retry-Num`) is recognised by its
 * `event_id` and acknowledged without acting twice.
 */

export const SLACK_MAX_BODY_BYTES = 256 * 1024;

/** The subtypes of `message` events that are a person writing (docs.slack.dev/reference/events/message). */
const PERSON_MESSAGE_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

export interface SlackHandlerDeps {
  secrets: SlackSecretSource;
  ledger: SlackLedger;
  app: Pick<SlackApp, 'whisper' | 'respond'>;
  handle: (inbound: SlackInbound) => Promise<SlackOutcome>;
  clock: Clock;
}

function rawBody(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function parseJson(text: string, field: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ValidationError([{ field, message: 'is not a JSON object' }]);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function required(value: unknown, field: string): string {
  const s = str(value);
  if (s === undefined) throw new ValidationError([{ field, message: 'is required' }]);
  return s;
}

/** An empty 200: what Slack wants as the acknowledgement of an event or an interaction. */
const ack = (): HttpResult => ({ statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' });

export function createSlackHandler(deps: SlackHandlerDeps) {
  async function verify(event: HttpEvent, body: Buffer): Promise<void> {
    const credentials = await deps.secrets.get();
    if (!credentials.secrets) {
      logger.warn('Slack request refused: the Slack app is not set up', { reason: credentials.reason });
      throw new UnauthorizedError('the Slack app is not set up on this deployment');
    }
    const now = deps.clock.now();
    const check = verifySlackSignature(
      { timestamp: header(event, 'x-slack-request-timestamp'), signature: header(event, 'x-slack-signature'), body },
      credentials.secrets.signingSecrets,
      now,
    );
    if (!check.ok) {
      logger.warn('Slack request refused: bad signature', { reason: check.reason });
      throw new UnauthorizedError('the request is not signed by Slack, or not recently');
    }
    if (!(await deps.ledger.firstUse(check.signature, now))) {
      logger.warn('Slack request refused: a signature seen before (replay)');
      throw new UnauthorizedError('this request was already received');
    }
  }

  async function onEvent(event: HttpEvent, body: Buffer): Promise<HttpResult> {
    const envelope = parseJson(body.toString('utf8'), 'body');
    if (envelope.type === 'url_verification') return json(200, { challenge: required(envelope.challenge, 'challenge') });
    if (envelope.type !== 'event_callback') return ack();
    const eventId = required(envelope.event_id, 'event_id');
    const e = (envelope.event ?? {}) as Record<string, unknown>;
    // Only people writing in a conversation: not bots (caseflow's own posts included), not edits, joins or deletions.
    if (e.type !== 'message' || !PERSON_MESSAGE_SUBTYPES.has(str(e.subtype)) || e.bot_id !== undefined || !str(e.user) || !str(e.channel)) return ack();
    const retry = header(event, 'x-slack-retry-num');
    const token = randomUUID();
    const claim = await deps.ledger.claimEvent(eventId, token, deps.clock.now());
    if (claim !== 'claimed') {
      logger.info('Slack event already handled or in hand: acknowledged', { eventId, claim, retry });
      return ack();
    }
    const inbound: Extract<SlackInbound, { kind: 'message' }> = {
      kind: 'message',
      user: str(e.user)!,
      channel: str(e.channel)!,
      ts: required(e.ts, 'event.ts'),
      ...(str(e.thread_ts) ? { threadTs: str(e.thread_ts)! } : {}),
      text: typeof e.text === 'string' ? e.text : '',
    };
    try {
      const outcome = await deps.handle(inbound);
      if (outcome.kind === 'refused') {
        await deps.app
          .whisper({ channel: inbound.channel, user: inbound.user, ...(inbound.threadTs ? { threadTs: inbound.threadTs } : {}) }, outcome.text)
          .catch((error: unknown) => logger.warn('could not tell a Slack user why their message was not added', { error: (error as Error).message }));
      }
      await deps.ledger.completeEvent(eventId, token);
      logger.info('Slack event handled', { eventId, outcome: outcome.kind, retry });
      return ack();
    } catch (error) {
      // Let Slack's retry try again.
      await deps.ledger.releaseEvent(eventId, token).catch(() => undefined);
      throw error;
    }
  }

  async function onInteraction(body: Buffer): Promise<HttpResult> {
    const form = new URLSearchParams(body.toString('utf8'));
    const payload = parseJson(required(form.get('payload'), 'payload'), 'payload');
    const user = required((payload.user as Record<string, unknown> | undefined)?.id, 'payload.user.id');

    if (payload.type === 'block_actions') {
      const action = (Array.isArray(payload.actions) ? payload.actions[0] : undefined) as Record<string, unknown> | undefined;
      const actionId = required(action?.action_id, 'payload.actions.0.action_id');
      if (actionId === OPEN_CASE_ACTION) return ack();
      const button = buttonOf(actionId);
      if (!button) return ack();
      const caseId = required(action?.value, 'payload.actions.0.value');
      const outcome = await deps.handle({ kind: 'button', button, caseId, user, triggerId: required(payload.trigger_id, 'payload.trigger_id') });
      if (outcome.kind === 'refused') {
        const responseUrl = str(payload.response_url);
        const channel = str((payload.channel as Record<string, unknown> | undefined)?.id);
        const tell = responseUrl
          ? deps.app.respond(responseUrl, outcome.text)
          : channel
            ? deps.app.whisper({ channel, user }, outcome.text)
            : Promise.resolve();
        await tell.catch((error: unknown) => logger.warn('could not tell a Slack user why nothing happened', { error: (error as Error).message }));
      }
      return ack();
    }

    if (payload.type === 'view_submission') {
      const view = (payload.view ?? {}) as Record<string, unknown>;
      if (view.callback_id !== FORM_CALLBACK_ID) return ack();
      const meta = parseFormMetadata(view.private_metadata);
      if (!meta) throw new ValidationError([{ field: 'payload.view.private_metadata', message: 'names no caseflow form' }]);
      const values = (view.state as Record<string, unknown> | undefined)?.values;
      const text = formValue(values, 'text');
      const comment = formValue(values, 'comment');
      const outcome = await deps.handle({
        kind: 'form',
        form: meta.form,
        caseId: meta.caseId,
        user,
        ...(text !== undefined ? { text } : {}),
        ...(comment !== undefined ? { comment } : {}),
      });
      const block = meta.form === 'note' || meta.form === 'reply' ? 'text' : 'comment';
      if (outcome.kind === 'form-errors') {
        // Slack shows each message under its input and keeps the form open.
        const errors = Object.fromEntries(Object.entries(outcome.errors).map(([k, v]) => [k === 'text' || k === 'comment' ? k : block, v]));
        return json(200, { response_action: 'errors', errors });
      }
      if (outcome.kind === 'refused') return json(200, { response_action: 'errors', errors: { [block]: outcome.text } });
      return ack();
    }
    // view_closed, shortcuts and the rest: nothing to do.
    return ack();
  }

  async function onCommand(body: Buffer): Promise<HttpResult> {
    const form = new URLSearchParams(body.toString('utf8'));
    const command = required(form.get('command'), 'command');
    const user = required(form.get('user_id'), 'user_id');
    if (command !== '/case') return json(200, { response_type: 'ephemeral', text: `caseflow knows /case only, not ${command}.` });
    const outcome = await deps.handle({ kind: 'command', user, text: form.get('text') ?? '' });
    if (outcome.kind === 'case') return json(200, { response_type: 'ephemeral', text: summaryText(outcome.summary), blocks: caseCardBlocks(outcome.summary) });
    return json(200, { response_type: 'ephemeral', text: outcome.kind === 'refused' ? outcome.text : 'Done.' });
  }

  /** One entry per Slack route of functions/http/routes.ts: a route added there without one here does not compile. */
  const routes: Record<RouteKey<RouteOf<'slack'>>, (event: HttpEvent, body: Buffer) => Promise<HttpResult>> = {
    'POST /slack/events': (event, body) => onEvent(event, body),
    'POST /slack/interactions': (_event, body) => onInteraction(body),
    'POST /slack/commands': (_event, body) => onCommand(body),
  };
  const routeOf = (key: string) => (Object.hasOwn(routes, key) ? routes[key as keyof typeof routes] : undefined);

  return httpHandler(async (event) => {
    const started = Date.now();
    const path = event.rawPath ?? '';
    const method = event.requestContext?.http?.method ?? 'POST';
    const route = routeOf(`${method.toUpperCase()} ${path}`);
    if (!route) throw new NotFoundError(`no Slack route for ${method} ${path}`);
    const body = rawBody(event);
    if (body.length > SLACK_MAX_BODY_BYTES) throw new PayloadTooLargeError(`a Slack request is at most ${SLACK_MAX_BODY_BYTES / 1024} KB`);
    await verify(event, body);
    const result = await route(event, body);
    const ms = Date.now() - started;
    // Slack gives up after three seconds: a slow answer is worth knowing about before users see errors.
    if (ms > 2_500) logger.warn('Slack request answered slowly', { path, ms });
    return result;
  });
}

export function slackHandlerDeps(deps: AppDeps): SlackHandlerDeps {
  const { slackInteractions } = makeUseCases(deps);
  return { secrets: deps.slack.secrets, ledger: deps.slack.ledger, app: deps.slack.app, handle: slackInteractions.handle, clock: deps.clock };
}

export function createHandler(deps: AppDeps) {
  return createSlackHandler(slackHandlerDeps(deps));
}

/**
 * At start-up, the Slack secret as this function needs it: when the app's fields are missing or
 * malformed, one error saying which (docs/slack.md#the-slack-secret), before any request is refused
 * for it. The read is the one the first request makes anyway (cached, shared while in flight).
 */
export async function checkSlackSecretAtStart(secrets: SlackSecretSource, log: Pick<typeof logger, 'error'> = logger): Promise<string | undefined> {
  const credentials = await secrets.get().catch((error: unknown) => ({ reason: `the Slack secret could not be read: ${(error as Error).message}` }));
  if (credentials.reason !== undefined) log.error('The Slack function cannot verify requests: the Slack secret is not usable', { reason: credentials.reason });
  return credentials.reason;
}

/** The Lambda entry point: the API function's dependencies (replies and status changes need them all), built on first use. */
export const handler = lazy(() => {
  const deps = awsApiDeps();
  void checkSlackSecretAtStart(deps.slack.secrets);
  return createHandler(deps);
});
