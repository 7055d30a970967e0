/**
 * Least privilege on the table, proved from both sides against real calls. Every handler runs with
 * its own DynamoDB client against DynamoDB Local through a day's work (configuration, web, phone and
 * email cases, stamping, routing, declines, dispatch, SLA breaches with reassignment, sweeps, reports,
 * a workflow failure, a swarm worked from Slack); every command each one sends is recorded and translated into the requests IAM
 * authorises (one per transaction item, with its partition keys and attributes). Then:
 *
 * - each request is allowed by that function's role in the synthesized template (a grant too narrow
 *   for the code fails here, not with AccessDenied in AWS);
 * - each function queried exactly the indexes (and the table) it is granted (a grant wider than the
 *   code needs fails here too).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamo.js';
import { makeDocumentClient } from '../../functions/adapters/dynamo.js';
import { staticSlackSecrets } from '../../functions/adapters/slack-secrets.js';
import { signSlackRequest } from '../../functions/adapters/slack-signature.js';
import { TABLE } from '../../functions/adapters/table-definition.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { createHandler as createApiHandler } from '../../functions/handlers/api.js';
import { createHandler as createIntakeHandler, s3ObjectCreatedEvent } from '../../functions/handlers/intake-email.js';
import { makeReportsDeps } from '../../functions/composition/reports.js';
import { createHandler as createReportsHandler } from '../../functions/handlers/reports.js';
import { createHandler as createSlackHandler } from '../../functions/handlers/slack.js';
import { createHandler as createSweepHandler } from '../../functions/handlers/sweep.js';
import { createHandler as createWebToCaseHandler } from '../../functions/handlers/web-to-case.js';
import { createHandler as createEvaluateSlaHandler } from '../../functions/handlers/workflow-evaluate-sla.js';
import { createHandler as createFailedHandler } from '../../functions/handlers/workflow-failed.js';
import { createHandler as createRouteHandler } from '../../functions/handlers/workflow-route.js';
import { createHandler as createScheduleSlaHandler } from '../../functions/handlers/workflow-schedule-sla.js';
import { createHandler as createStampHandler } from '../../functions/handlers/workflow-stamp.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { staticThreadingKeys } from '../../functions/adapters/threading-keys.js';
import type { HttpEvent, HttpResult } from '../../functions/http/api-gateway.js';
import { LOCAL_MAIL_BUCKET, makeFileRawMailStore } from '../../lib/local/mail-store.js';
import { withLocalEmail } from '../../lib/local/smtp.js';
import { TABLE_ACCESS, type TableUser } from '../../lib/table-access.js';
import { logicalId, synthCaseflow, type Resources } from '../support/synth.js';
import { dynamoEndpoint, freshTable } from '../support/dynamo.js';
import { fixedClock } from '../support/fixtures.js';
import { allows, iamRequestsOf, roleStatements, TABLE_ARN, type IamRequest } from '../support/iam-policy.js';
import { apiEvent, cognitoClaims, lambdaContext } from '../support/api-events.js';
import { startSlackDouble } from '../support/slack-double.js';

const db = await freshTable('table-access');
const clock = fixedClock();
const calls: Record<string, { command: string; input: Record<string, unknown> }[]> = {};
const clients: { destroy(): void }[] = [];

/** The table through a client of its own, which records every command `user` sends. */
function tableFor(user: TableUser): TableRef {
  const client = makeDocumentClient({ endpoint: dynamoEndpoint() });
  clients.push(client);
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.send = ((command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: unknown[]) => {
    (calls[user] ??= []).push({ command: command.constructor.name, input: command.input });
    return send(command, ...rest);
  }) as typeof client.send;
  return { client, tableName: db.tableName };
}

// Slack's Web API for the swarm (the API function opens its channel, the Slack function answers in it).
const slackDouble = await startSlackDouble();
const slackApp = {
  slackSecrets: staticSlackSecrets({ botToken: slackDouble.botToken, signingSecret: slackDouble.signingSecret }),
  slackApiUrl: slackDouble.apiUrl,
};

const depsFor = (user: TableUser): AppDeps =>
  makeAppDeps({
    table: tableFor(user),
    clock,
    alerts: { publish: async () => undefined },
    notifier: { notify: async () => undefined },
    workflow: { startCase: async () => undefined },
    ...slackApp,
  });

const context = lambdaContext('test');
const api = createApiHandler(depsFor('api'));
// With email, as the synthesized stack has it: web-form cases are acknowledged, and their writes checked too.
const webToCase = createWebToCaseHandler(
  makeAppDeps({
    table: tableFor('web-to-case'),
    clock,
    alerts: { publish: async () => undefined },
    workflow: { startCase: async () => undefined },
    mailer: { send: async (m) => ({ messageId: m.messageId, providerMessageIds: [] }) },
    threadingKeys: staticThreadingKeys(['a-threading-key-of-32-characters!']),
    statusLinks: { keys: staticThreadingKeys(['a-status-link-key-of-32-characters']), pageBase: 'https://console.example.com/app/status' },
  }),
);
const reports = createReportsHandler(makeReportsDeps(tableFor('reports'), clock));
const stamp = createStampHandler(depsFor('workflow-stamp'));
const route = createRouteHandler(depsFor('workflow-route'));
const failed = createFailedHandler(depsFor('workflow-failed'));
const scheduleSla = createScheduleSlaHandler(depsFor('workflow-schedule-sla'));
const evaluateSla = createEvaluateSlaHandler(depsFor('workflow-evaluate-sla'));
const sweep = createSweepHandler(depsFor('sweep'));

const CONFIG: RoutingConfigInput = {
  queues: [{ id: 'support', name: 'Support', routing: 'least_busy', members: ['alice', 'bob', 'sam'] }],
  agents: [
    { id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { email: 5, web: 5, phone: 1 }, supervisor: 'sam' },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', capacity: { email: 5, web: 5, phone: 1 }, skills: { billing: 3 } },
    { id: 'sam', name: 'Sam', email: 'sam@example.com', roles: ['agent', 'manager'], capacity: { email: 5, web: 5, phone: 1 } },
  ],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
  slaPolicies: [
    {
      id: 'standard',
      name: 'Standard',
      firstResponse: { critical: 'PT1H', high: 'PT1H', medium: 'PT1H', low: 'PT1H' },
      resolution: { critical: 'P1D', high: 'P1D', medium: 'P1D', low: 'P1D' },
      warnBefore: 'PT30M',
      escalation: [{ after: 'PT0S', reassignTo: 'supervisor', notify: ['admins'] }],
    },
  ],
  sweeps: { acceptTimeout: 'PT5M', absentAfter: 'PT15M', onHoldMax: 'P3D', relaxSkillsAfter: 'PT30M' },
  email: { fromAddress: 'support@caseflow.test', addresses: ['help@caseflow.test'] },
} as RoutingConfigInput;

function http(method: string, path: string, options: { as?: string; groups?: string[]; body?: unknown; query?: Record<string, string> } = {}): HttpEvent {
  return apiEvent({
    method,
    path,
    sourceIp: '198.51.100.7',
    requestId: 'r',
    ...(options.query ? { query: options.query } : {}),
    ...(options.as ? { claims: cognitoClaims(options.as, options.groups ?? ['agent']) } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
}

async function call(handler: (e: HttpEvent, c: Context) => unknown, e: HttpEvent, expected: number[] = [200, 201]): Promise<any> {
  const result = (await handler(e, context)) as HttpResult;
  const body = result.body && result.headers?.['content-type']?.toString().includes('json') ? JSON.parse(result.body) : result.body;
  expect(expected, `${e.requestContext.http.method} ${e.rawPath}: ${result.body?.slice(0, 300)}`).toContain(result.statusCode);
  return body;
}

let dataDir: string;
let resources: Resources;
let roleOf: Record<TableUser, string>;
let tableId: string;

beforeAll(async () => {
  const synth = synthCaseflow({ context: { sesDomain: 'support.example.com' } });
  resources = synth.template.toJSON().Resources as Resources;
  tableId = logicalId(synth.stack.data.table, synth.stack);
  const fns: Record<TableUser, { node: { defaultChild?: unknown } }> = {
    'web-to-case': synth.stack.intake.webToCaseFunction,
    api: synth.stack.api.apiFunction,
    reports: synth.stack.api.reportsFunction,
    'workflow-stamp': synth.stack.workflow.taskFunctions['workflow-stamp'],
    'workflow-route': synth.stack.workflow.taskFunctions['workflow-route'],
    'workflow-failed': synth.stack.workflow.taskFunctions['workflow-failed'],
    'workflow-schedule-sla': synth.stack.workflow.taskFunctions['workflow-schedule-sla'],
    'workflow-evaluate-sla': synth.stack.workflow.taskFunctions['workflow-evaluate-sla'],
    sweep: synth.stack.sweeps.sweepFunction,
    'intake-email': synth.stack.email!.intakeFunction,
    slack: synth.stack.api.slackFunction,
  };
  roleOf = Object.fromEntries(
    Object.entries(fns).map(([user, fn]) => [user, resources[logicalId(fn, synth.stack)]!.Properties.Role['Fn::GetAtt'][0] as string]),
  ) as Record<TableUser, string>;

  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-table-access-'));
  await runTheDay();
}, 120_000);

afterAll(async () => {
  await slackDouble.close();
  for (const client of clients) client.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const minutes = (n: number) => clock.advance(n * 60_000);

async function runTheDay(): Promise<void> {
  const ADMIN = { as: 'root', groups: ['admin'] };
  await call(api, http('PUT', '/admin/config', { ...ADMIN, body: CONFIG }));
  await call(api, http('PUT', '/agents/me/presence', { as: 'alice', body: { status: 'online' } }));

  // A web case: the public form's function creates it; the workflow stamps, routes (to Alice, the only one online) and starts its SLA clock.
  const web = await call(
    webToCase,
    http('POST', '/web-to-case', { body: { name: 'Ann', email: 'ann@customer.example', subject: 'Invoice', description: 'Wrong amount' } }),
  );
  const webCase = web.caseId as string;
  await stamp({ caseId: webCase });
  expect(await route({ caseId: webCase })).toMatchObject({ owner: 'alice' });
  await scheduleSla({ caseId: webCase, generation: 1 });
  // The same submission again: answered from its idempotency record.
  await call(
    webToCase,
    http('POST', '/web-to-case', { body: { name: 'Ann', email: 'ann@customer.example', subject: 'Invoice', description: 'Wrong amount' } }),
  );

  // A phone case for an account, opened by Alice: routed with the account's and the contact's history.
  const phone = await call(
    api,
    http('POST', '/cases', {
      as: 'alice',
      body: { subject: 'Outage', description: 'Nothing works', contact: { email: 'it@acme.example' }, account: { id: 'acme' } },
    }),
  );
  const phoneCase = phone.caseId as string;
  await stamp({ caseId: phoneCase });
  await route({ caseId: phoneCase });

  // Alice works: her cases, her queue, open cases by status, one case in full; accepts one, declines the other.
  await call(api, http('GET', '/cases', { as: 'alice', query: { owner: 'alice' } }));
  await call(api, http('GET', '/cases', { as: 'sam', groups: ['agent', 'manager'], query: { queue: 'support' } }));
  await call(api, http('GET', '/cases', { as: 'sam', groups: ['agent', 'manager'] }));
  await call(api, http('GET', `/cases/${webCase}`, { as: 'alice' }));
  await call(api, http('POST', `/cases/${webCase}/accept`, { as: 'alice' }));
  await call(api, http('POST', `/cases/${phoneCase}/decline`, { as: 'alice', body: { reason: 'not my area' } }));

  // Another account's phone case, which Alice takes and keeps: its SLA breaches later.
  const kept = await call(
    api,
    http('POST', '/cases', {
      as: 'alice',
      body: { subject: 'Billing', description: 'Double charge', contact: { email: 'ap@globex.example' }, account: { id: 'globex' } },
    }),
  );
  const keptCase = kept.caseId as string;
  await stamp({ caseId: keptCase });
  expect(await route({ caseId: keptCase })).toMatchObject({ owner: 'alice' });
  await call(api, http('POST', `/cases/${keptCase}/accept`, { as: 'alice' }));
  await scheduleSla({ caseId: keptCase, generation: 1 });

  // Bob comes online and is dispatched the queued phone case, then steps away without accepting it.
  await call(api, http('PUT', '/agents/me/presence', { as: 'bob', body: { status: 'online' } }));
  minutes(1);
  await call(api, http('PUT', '/agents/me/presence', { as: 'bob', body: { status: 'away' } }));

  // Twenty minutes on, the sweep: the offer lapsed, Bob counts as absent, queues are dispatched.
  minutes(20);
  await sweep({});

  // Two hours in, Alice's cases have breached their first response: escalated to her supervisor
  // (offline ▶ routed from the queue, with the contact's and the account's history).
  minutes(100);
  await evaluateSla({ caseId: webCase, generation: 1, loops: 0, maxLoops: 10 });
  await evaluateSla({ caseId: keptCase, generation: 1, loops: 0, maxLoops: 10 });
  await failed({ caseId: phoneCase, failedState: 'Route', error: { Error: 'Probe', Cause: 'a probe failure' } });

  // Email: a new message makes a case; a reply to it joins that case.
  const intakeDeps = (await withLocalEmail(depsFor('intake-email'), dataDir)).deps;
  const intake = createIntakeHandler(intakeDeps);
  const store = makeFileRawMailStore(dataDir);
  const deliver = async (key: string, raw: string) => {
    const bytes = Buffer.from(raw, 'utf8');
    await store.put(key, bytes);
    const { results } = await intake(s3ObjectCreatedEvent(LOCAL_MAIL_BUCKET, key, bytes.byteLength));
    return results[0]!;
  };
  const first = await deliver(
    'inbound/first',
    'From: Kim <kim@customer.example>\r\nTo: help@caseflow.test\r\nSubject: Cannot log in\r\nMessage-ID: <first@customer.example>\r\nDate: Mon, 03 Mar 2025 11:00:00 +0000\r\n\r\nThe login page says my account is locked.\r\n',
  );
  expect(first.outcome, JSON.stringify(first)).toBe('created');
  const reply = await deliver(
    'inbound/reply',
    'From: Kim <kim@customer.example>\r\nTo: help@caseflow.test\r\nSubject: Re: Cannot log in\r\nMessage-ID: <second@customer.example>\r\nIn-Reply-To: <first@customer.example>\r\nReferences: <first@customer.example>\r\nDate: Mon, 03 Mar 2025 11:05:00 +0000\r\n\r\nStill locked.\r\n',
  );
  expect(reply.caseId).toBe(first.caseId);

  // A swarm worked from Slack: Sam (a manager) brings Bob in on the email case, which Alice took; in
  // the swarm's channel Bob writes a note and looks the case up with /case, and Sam answers the
  // customer and resolves the case (which frees Alice for her queue's next case).
  await stamp({ caseId: first.caseId! });
  expect(await route({ caseId: first.caseId! })).toMatchObject({ owner: 'alice' });
  await call(api, http('POST', `/cases/${first.caseId}/accept`, { as: 'alice' }));
  await call(api, http('PUT', '/agents/me/presence', { as: 'bob', body: { status: 'online' } }));
  const swarm = await call(
    api,
    http('POST', `/cases/${first.caseId}/swarm`, { as: 'sam', groups: ['agent', 'manager'], body: { skills: [{ skill: 'billing' }] } }),
  );
  expect(swarm.invited.map((i: { agentId: string }) => i.agentId)).toEqual(['bob']);
  await runSlack(swarm.case, dataDir);

  // Reports: a week's summary, the backlog, the event export (OCEL reads each case's messages).
  const MANAGER = { as: 'sam', groups: ['agent', 'manager'] };
  await call(reports, http('GET', '/reports/summary', { ...MANAGER, query: { from: '2025-03-03', to: '2025-03-09' } }));
  await call(reports, http('GET', '/reports/backlog', MANAGER));
  await call(reports, http('GET', '/exports/events', { ...MANAGER, query: { from: '2025-03-03', to: '2025-03-03', format: 'ocel' } }));
}

/** Slack's requests to the Slack function, signed as Slack signs them, at the test clock's time. */
async function runSlack(kase: { caseId: string; caseNumber: number; swarm: { chat: { channel: string } } }, dir: string): Promise<void> {
  const { caseId } = kase;
  const channel = kase.swarm.chat.channel;
  const slack = createSlackHandler((await withLocalEmail(depsFor('slack'), dir)).deps);
  const bob = slackDouble.addUser({ email: 'bob@example.com', name: 'bob' }).id;
  const sam = slackDouble.addUser({ email: 'sam@example.com', name: 'sam' }).id;
  const send = async (path: string, body: string, contentType: string) => {
    const stamp = Math.floor(clock.now().getTime() / 1000);
    const event = {
      ...http('POST', path),
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(stamp),
        'x-slack-signature': signSlackRequest(slackDouble.signingSecret, stamp, Buffer.from(body)),
      },
      body,
    } as HttpEvent;
    const result = (await slack(event, context)) as HttpResult;
    expect(result.statusCode, `${path}: ${result.body}`).toBe(200);
    return result.body ? JSON.parse(result.body) : undefined;
  };
  const form = 'application/x-www-form-urlencoded';
  await send('/slack/events', slackDouble.postMessage({ user: bob, channel, text: 'Refund issued on our side.' }).body, 'application/json');
  const shown = await send('/slack/commands', slackDouble.slashCommandBody({ user: bob, channel, text: String(kase.caseNumber) }), form);
  expect(shown.text).toContain('Cannot log in');
  const summaryTs = slackDouble.messagesIn(channel)[0]!.ts;
  for (const [button, values] of [
    ['reply', { text: 'We have refunded you.' }],
    ['resolve', { comment: 'Refunded.' }],
  ] as const) {
    await send(
      '/slack/interactions',
      slackDouble.clickButton({ user: sam, channel, messageTs: summaryTs, actionId: `swarm_${button}`, value: caseId }).body,
      form,
    );
    const view = slackDouble.views.at(-1)!.view;
    await send('/slack/interactions', slackDouble.viewSubmission({ user: sam, view, values }), form);
  }
  expect(slackDouble.violations).toEqual([]);
}

const users = Object.keys(TABLE_ACCESS) as TableUser[];
const requestsOf = (user: TableUser): IamRequest[] =>
  (calls[user] ?? []).flatMap((c) => iamRequestsOf(c.command, c.input, { partitionKey: TABLE.partitionKey, sortKey: TABLE.sortKey }));

describe('every function, through a day of work against DynamoDB Local', () => {
  it.each(users)('%s: every request it made is allowed by its role in the synthesized template', (user) => {
    const requests = requestsOf(user);
    expect(requests.length, `${user} made no table call: the scenario does not exercise it`).toBeGreaterThan(0);
    const statements = roleStatements(resources, roleOf[user]);
    const denied = requests.filter((r) => !allows(statements, r, { table: tableId }));
    expect(denied.map((r) => `${r.action} ${r.resource} ${JSON.stringify(r.context)}`)).toEqual([]);
  });

  it.each(users)('%s: queried exactly the indexes (and the table) it is granted, no more and no fewer', (user) => {
    const queried = new Set(
      requestsOf(user)
        .filter((r) => r.action === 'dynamodb:Query')
        .map((r) => r.resource),
    );
    const grant = TABLE_ACCESS[user];
    const granted = new Set([...(grant.queriesTable ? [TABLE_ARN] : []), ...grant.indexes.map((index) => `${TABLE_ARN}/index/${index}`)]);
    expect([...queried].sort()).toEqual([...granted].sort());
  });

  it('web-to-case wrote only its own partitions, the case-number counter among them', () => {
    const writes = requestsOf('web-to-case').filter((r) => r.action !== 'dynamodb:GetItem');
    const partitions = new Set(writes.flatMap((r) => (r.context['dynamodb:LeadingKeys'] ?? []).map((pk) => pk.split('#')[0])));
    expect([...partitions].sort()).toEqual(['CASE', 'CASENO', 'COUNTER', 'IDEMP', 'OUTMSG', 'RATE', 'WORD']);
  });
});
