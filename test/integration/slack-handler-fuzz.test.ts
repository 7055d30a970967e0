/**
 * Whatever a correctly signed request to Slack's three routes carries, the Slack handler answers it:
 * 200 (acted on, or nothing to do), or 400 naming the field at fault; never a 5xx, never a change to
 * a case it does not name. Fuzzed with fast-check over the real handler, on DynamoDB Local with a
 * swarm on a case, and the Slack double as Slack's Web API. And an unsigned request, whatever it
 * carries, is 401 before anything is read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FORM_CALLBACK_ID, formView } from '../../functions/adapters/slack-blocks.js';
import { staticSlackSecrets } from '../../functions/adapters/slack-secrets.js';
import { signSlackRequest } from '../../functions/adapters/slack-signature.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { isOpen } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import { createHandler } from '../../functions/handlers/slack.js';
import type { HttpEvent, HttpResult } from '../../functions/http/api-gateway.js';
import { withLocalEmail } from '../../lib/local/smtp.js';
import { freshTable } from '../support/dynamo.js';
import { makeCase } from '../support/fixtures.js';
import { type SlackDouble, startSlackDouble } from '../support/slack-double.js';

const db = await freshTable('slack-fuzz');
// Set up before the arbitraries below, which draw on the case, its channel and the Slack users.
const slack: SlackDouble = await startSlackDouble();
const outbox = await mkdtemp(join(tmpdir(), 'caseflow-slack-fuzz-'));
// Replies go out through the local outbox mailer, as on the local stack.
const email = await withLocalEmail(
  makeAppDeps({
    table: db.table,
    alerts: { publish: async () => undefined },
    workflow: { startCase: async () => undefined },
    notifier: { notify: async () => undefined },
    slackSecrets: staticSlackSecrets({ botToken: slack.botToken, signingSecret: slack.signingSecret }),
    slackApiUrl: slack.apiUrl,
  }),
  outbox,
);
const deps = email.deps;
const agents = ['owner', 'ana'].map((id) => ({ id, name: id, email: `${id}@support.example.com`, capacity: { web: 5 }, skills: { vpn: 3 } }));
await deps.configs.put(parseRoutingConfig({ queues: [{ id: 'support', name: 'Support', members: ['owner'] }], agents }), 0, 'test', new Date().toISOString());
const slackUser: Record<string, string> = {};
for (const a of agents) {
  slackUser[a.id] = slack.addUser({ email: a.email, name: a.name }).id;
  await deps.agentStates.setPresence(a.id, 'online', new Date().toISOString());
}
slackUser.guest = slack.addUser({ email: 'guest@elsewhere.example', name: 'guest' }).id;
const useCases = makeUseCases(deps);

/** A case the owner works, with a swarm (ana in it) and its channel in Slack. */
async function openSwarmCase(): Promise<CaseRecord> {
  const opened = makeCase({ status: 'in_progress', owner: 'owner', queue: 'support', channel: 'web' });
  await deps.cases.create({ case: opened, messages: [], events: [] });
  return (await useCases.startSwarm({ agentId: 'owner', roles: ['agent'] }, opened.caseId, { skills: [{ skill: 'vpn', minLevel: 1 }] })).case;
}

/** The case the requests are about: a new one once a request has resolved or closed it, so the fuzzing keeps reaching the use cases. */
let kase = await openSwarmCase();
const cases = [kase.caseId];
async function keepOneOpen(): Promise<void> {
  if (isOpen((await deps.cases.get(kase.caseId))!.status)) return;
  kase = await openSwarmCase();
  cases.push(kase.caseId);
}
const channelOf = () => kase.swarm!.chat!.channel;
/** A value read when a run's input is drawn (the case of the moment), not when the arbitrary is built. */
const live = <T>(read: () => T) => fc.constant(0).map(read);
const handler = createHandler(deps);
const context = { awsRequestId: 'fuzz', functionName: 'slack', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

afterAll(async () => {
  email.close();
  await slack.close();
  await rm(outbox, { recursive: true, force: true });
});

const PATHS = ['/slack/events', '/slack/interactions', '/slack/commands'] as const;

/**
 * Each signed request gets its own timestamp inside the five-minute window (rising one second a
 * request from the window's start), so a body fast-check draws twice is not refused as a replay.
 */
let sent = 0;

async function send(path: string, body: string, options: { contentType?: string; sign?: boolean; base64?: boolean } = {}): Promise<HttpResult> {
  const stamp = Math.floor(Date.now() / 1000) - 290 + sent++;
  const event = {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(options.sign === false
        ? {}
        : { 'x-slack-request-timestamp': String(stamp), 'x-slack-signature': signSlackRequest(slack.signingSecret, stamp, Buffer.from(body, 'utf8')) }),
    },
    requestContext: { http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '3.0.0.1', userAgent: 'Slackbot' }, requestId: 'fuzz' },
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 === true,
  } as unknown as HttpEvent;
  return (await handler(event, context)) as HttpResult;
}

/** The statuses each route answered, to check the fuzzing reached both the parsers' refusals and the use cases. */
const seen: Record<string, number[]> = {};

/** 200, or a 400 that names the field at fault: what every answer below must be. */
function expectAnswered(result: HttpResult, what: string, path: string): void {
  (seen[path] ??= []).push(result.statusCode!);
  expect([200, 400], `${what}: ${result.statusCode} ${result.body}`).toContain(result.statusCode);
  if (result.statusCode === 400) {
    const body = JSON.parse(result.body!);
    expect(body.error, what).toBe('ValidationError');
    expect(body.fields?.[0]?.field, what).toMatch(/\S/);
  }
}

// Slack's own shapes, mostly with the values Slack would send (so the use cases are reached: notes,
// forms opened and sent, status changes, /case), each part now and then swapped for anything at all.
const anyValue = fc.oneof(fc.jsonValue(), fc.constantFrom(undefined, null, '', 0, [], {}));
/** The valid value four times in five, anything else otherwise. */
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: anyValue, weight: 1 });
const anyUser = fc.oneof(
  { arbitrary: fc.constantFrom(slackUser.owner!, slackUser.ana!), weight: 4 },
  { arbitrary: fc.constantFrom(slackUser.guest!, 'UNKNOWN1', 'UBOTCASEFLOW'), weight: 1 },
);
const anyCaseId = fc.oneof(
  { arbitrary: live(() => kase.caseId), weight: 4 },
  {
    arbitrary: fc.oneof(
      fc.constantFrom('01NOSUCHCASE', '', '../x'),
      live(() => kase.caseNumber),
    ),
    weight: 1,
  },
);
const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('Checked the logs.', '  ', '&lt;b&gt; &amp;', 'x'.repeat(5000)));
/** A trigger the double issued just now (so views.open works), or one it never did. */
const anyTrigger = fc.oneof(
  {
    arbitrary: fc.constant(0).map(() => slack.clickButton({ user: slackUser.owner!, channel: channelOf(), messageTs: '1.1', actionId: 'x' }).triggerId),
    weight: 3,
  },
  { arbitrary: fc.constantFrom('1.2.never-issued', ''), weight: 1 },
);

/** What Slack sends when a person writes: built by the double, the person, the place and the words drawn. */
const realEvent = fc
  .record({ user: anyUser, inSwarm: fc.boolean(), threaded: fc.boolean(), text: anyText })
  .map(
    ({ user, inSwarm, threaded, text }) =>
      slack.postMessage({ user, channel: inSwarm ? channelOf() : 'C0ELSEWHERE', text, ...(threaded ? { threadTs: '1.1' } : {}) }).body,
  );

const eventBody = fc.oneof(
  { arbitrary: realEvent, weight: 6 },
  { arbitrary: fc.string(), weight: 1 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 1 },
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          type: mostly(fc.constantFrom('event_callback', 'event_callback', 'url_verification', 'app_rate_limited')),
          challenge: mostly(fc.string({ minLength: 1 })),
          event_id: mostly(fc.uuid().map((u) => `Ev${u}`)),
          event: mostly(
            fc.record({
              type: mostly(fc.constant('message')),
              subtype: fc.oneof(
                { arbitrary: fc.constant(undefined), weight: 4 },
                { arbitrary: fc.constantFrom('thread_broadcast', 'message_changed'), weight: 1 },
              ),
              user: mostly(anyUser),
              channel: mostly(fc.oneof({ arbitrary: live(channelOf), weight: 4 }, { arbitrary: fc.constant('C0ELSEWHERE'), weight: 1 })),
              ts: mostly(fc.constant('1760000001.000100')),
              thread_ts: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: anyValue, weight: 1 }),
              text: mostly(anyText),
              bot_id: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: anyValue, weight: 1 }),
            }),
          ),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
  },
);

const FORMS = ['note', 'reply', 'resolve', 'close'] as const;
const interactionPayload = fc.oneof(
  { arbitrary: fc.string(), weight: 1 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 1 },
  {
    weight: 4,
    arbitrary: fc
      .record({
        type: mostly(fc.constant('block_actions')),
        user: mostly(fc.record({ id: mostly(anyUser) })),
        trigger_id: mostly(anyTrigger),
        response_url: fc.oneof(fc.constant(undefined), anyValue),
        channel: mostly(fc.record({ id: mostly(live(channelOf)) })),
        actions: mostly(
          fc.tuple(
            fc.record({
              action_id: mostly(
                fc.constantFrom('swarm_join', 'swarm_leave', 'swarm_note', 'swarm_reply', 'swarm_resolve', 'swarm_close', 'open_case', 'swarm_'),
              ),
              value: mostly(anyCaseId),
            }),
          ),
        ),
      })
      .map((v) => JSON.stringify(v)),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        type: mostly(fc.constant('view_submission')),
        user: mostly(fc.record({ id: mostly(anyUser) })),
        view: mostly(
          fc.record({
            callback_id: mostly(fc.constant(FORM_CALLBACK_ID)),
            private_metadata: mostly(fc.record({ form: mostly(fc.constantFrom(...FORMS)), caseId: mostly(anyCaseId) }).map((m) => JSON.stringify(m))),
            state: mostly(
              fc.record({
                values: mostly(
                  fc.record(
                    {
                      text: mostly(fc.record({ value: mostly(fc.record({ type: fc.constant('plain_text_input'), value: mostly(anyText) })) })),
                      comment: mostly(fc.record({ value: mostly(fc.record({ type: fc.constant('plain_text_input'), value: mostly(anyText) })) })),
                    },
                    { requiredKeys: [] },
                  ),
                ),
              }),
            ),
          }),
        ),
      })
      .map((v) => JSON.stringify(v)),
  },
);

/** A click on the summary's buttons, or a form sent back, as the double builds them (with a trigger it issued). */
const realInteraction = fc.oneof(
  fc
    .record({ user: anyUser, button: fc.constantFrom('join', 'leave', 'note', 'reply', 'resolve', 'close', 'nope'), caseId: anyCaseId })
    .map(
      ({ user, button, caseId }) =>
        slack.clickButton({ user, channel: channelOf(), messageTs: kase.swarm!.chat!.summaryTs, actionId: `swarm_${button}`, value: caseId }).body,
    ),
  fc
    .record({ user: anyUser, form: fc.constantFrom(...FORMS), caseId: anyCaseId, text: anyText, comment: anyText })
    .map(({ user, form, caseId, text, comment }) =>
      slack.viewSubmission({ user, view: formView({ form, caseId, caseNumber: kase.caseNumber, subject: kase.subject }), values: { text, comment } }),
    ),
);

const interactionBody = fc.oneof(
  { arbitrary: realInteraction, weight: 8 },
  { arbitrary: fc.string(), weight: 1 },
  { arbitrary: interactionPayload.map((payload) => new URLSearchParams({ payload }).toString()), weight: 8 },
  { arbitrary: fc.dictionary(fc.constantFrom('payload', 'token', 'x'), fc.string()).map((d) => new URLSearchParams(d).toString()), weight: 1 },
);

const commandBody = fc.oneof(
  { arbitrary: fc.string(), weight: 1 },
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          command: mostly(fc.constantFrom('/case', '/case', '/other')),
          user_id: mostly(anyUser),
          text: fc.oneof(
            live(() => kase.caseNumber),
            live(() => `#${Number(kase.caseNumber)}`),
            fc.string(),
            fc.constantFrom('#', '00000000', '1e3', ' 0x10 ', '-1'),
          ),
          channel_id: live(channelOf),
        },
        { requiredKeys: [] },
      )
      .map((d) => new URLSearchParams(Object.entries(d).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString()),
  },
);

describe("Slack's routes, signed, whatever they carry", () => {
  it('events: 200 or a 400 naming the field; never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(eventBody, fc.boolean(), async (body, base64) => {
        expectAnswered(await send('/slack/events', body, { base64 }), body.slice(0, 200), 'events');
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('interactions: 200 or a 400 naming the field; never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(interactionBody, async (body) => {
        expectAnswered(await send('/slack/interactions', body, { contentType: 'application/x-www-form-urlencoded' }), body.slice(0, 300), 'interactions');
        await keepOneOpen();
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('commands: 200 or a 400 naming the field; never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(commandBody, async (body) => {
        expectAnswered(await send('/slack/commands', body, { contentType: 'application/x-www-form-urlencoded' }), body.slice(0, 200), 'commands');
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('reached both the refusals and the use cases', async () => {
    for (const path of ['events', 'interactions', 'commands']) {
      expect(seen[path], path).toContain(200);
      expect(seen[path], path).toContain(400);
    }
    const activities: string[] = [];
    for (const id of cases) activities.push(...(await deps.cases.getWithHistory(id))!.events.map((e) => e.activity));
    const count = (a: string) => activities.filter((x) => x === a).length;
    console.log(
      cases.length,
      'cases',
      slack.views.length,
      'forms',
      ['note_added', 'reply_sent', 'resolved', 'closed_unresolved', 'swarm_joined', 'swarm_left'].map((a) => `${a} ${count(a)}`).join(', '),
    );
    expect(slack.views.length).toBeGreaterThan(0);
    expect(count('note_added')).toBeGreaterThan(0);
  });
});

describe('a click Slack no longer lets us answer with a form', () => {
  it('is told to click again (200, ephemeral), not a 5xx: the trigger was used or has expired', async () => {
    await keepOneOpen();
    const click = slack.clickButton({
      user: slackUser.owner!,
      channel: channelOf(),
      messageTs: kase.swarm!.chat!.summaryTs,
      actionId: 'swarm_note',
      value: kase.caseId,
    });
    expect((await send('/slack/interactions', click.body, { contentType: 'application/x-www-form-urlencoded' })).statusCode).toBe(200);
    expect(slack.views.filter((v) => v.triggerId === click.triggerId)).toHaveLength(1);
    // The same click again (a new signature): its trigger is spent, as one is after Slack's three
    // seconds (a cold start can take that long); Slack answers views.open with an error.
    const again = await send('/slack/interactions', click.body, { contentType: 'application/x-www-form-urlencoded' });
    expect(again.statusCode, again.body).toBe(200);
    const told = slack.responses.filter((r) => r.url === click.responseUrl).at(-1);
    expect(told?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Slack would not open the form .*click .* again/) });
    expect(slack.views.filter((v) => v.triggerId === click.triggerId)).toHaveLength(1);
  });
});

describe("Slack's routes, unsigned", () => {
  it('401 before anything is read, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.oneof(fc.string(), eventBody, interactionBody), async (path, body) => {
        const result = await send(path, body, { sign: false, contentType: 'application/x-www-form-urlencoded' });
        expect(result.statusCode).toBe(401);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe('a path that is not one of the Slack routes', () => {
  it('is 404 even signed, and never runs a command (it used to fall through to /case)', async () => {
    const body = new URLSearchParams({ command: '/case', text: '1', user_id: 'U1', team_id: 'T1' }).toString();
    const result = await send('/slack/other', body, { contentType: 'application/x-www-form-urlencoded' });
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body!).error).toBe('NotFoundError');
  });
});
