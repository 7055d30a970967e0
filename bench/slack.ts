/**
 * Slack benchmark: what verifying a Slack request costs, what a message in a swarm's channel costs
 * in DynamoDB and how long the handler takes to answer it (Slack gives three seconds), and what a
 * swarm request with the Slack app costs: DynamoDB (the resolved-case history included) and Web API calls.
 *
 * DynamoDB Local in memory, one table as production builds it, the real Slack handler and use cases,
 * and the Slack double of the tests (test/support/slack-double.ts) on loopback as Slack's Web API.
 * Every DynamoDB call is counted; capacity units are what DynamoDB returned, plus 1 write unit for
 * each conditional write refused (charged, but the refusal carries no ConsumedCapacity).
 */
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { caseKey } from '../functions/adapters/keys.js';
import { signSlackRequest, verifySlackSignature } from '../functions/adapters/slack-signature.js';
import { staticSlackSecrets } from '../functions/adapters/slack-secrets.js';
import { parseRoutingConfig } from '../functions/core/config.js';
import { createHandler } from '../functions/handlers/slack.js';
import { makeAppDeps } from '../functions/composition/deps.js';
import type { HttpEvent, HttpResult } from '../functions/http/api-gateway.js';
import { makeUseCases } from '../functions/composition/use-cases.js';
import { LOCAL_CLIENT_SETTINGS, ensureTable, startDynamoDbLocal } from '../lib/local/dynamodb-local.js';
import { makeCase } from '../test/support/fixtures.js';
import { startSlackDouble } from '../test/support/slack-double.js';
import { emptyTally, meteredClient, type Tally } from './support/metered-client.js';

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function runSlackBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  // 1. Verifying a signature: HMAC-SHA256 over a 2 KB body, constant-time compare.
  const secret = 'bench-signing-secret-0123456789';
  const body = Buffer.from(JSON.stringify({ event: { text: 'x'.repeat(2000) } }));
  const now = new Date();
  const ts = Math.floor(now.getTime() / 1000);
  const signature = signSlackRequest(secret, ts, body);
  const rounds = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) verifySlackSignature({ timestamp: String(ts), signature, body }, [secret], now);
  const verifyUs = ((performance.now() - t0) * 1000) / rounds;
  log(`verifying a signature over 2 KB: ${verifyUs.toFixed(1)} µs`);

  log('starting DynamoDB Local (in memory) and the Slack double...');
  const dynamo = await startDynamoDbLocal({ startTimeoutMs: 90_000 });
  const slack = await startSlackDouble();
  const admin = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: dynamo.endpoint });
  let current: Tally = emptyTally();
  const client = meteredClient(dynamo.endpoint, () => current);
  const tableName = 'caseflow-bench-slack';
  try {
    await ensureTable(admin, tableName);
    const deps = makeAppDeps({
      table: { client, tableName },
      alerts: { publish: async () => undefined },
      workflow: { startCase: async () => undefined },
      slackSecrets: staticSlackSecrets({ botToken: slack.botToken, signingSecret: slack.signingSecret }),
      slackApiUrl: slack.apiUrl,
      mailer: { send: async (m) => ({ messageId: m.messageId, providerMessageIds: [] }) },
    });
    const agents = ['owner', 'ana', 'ben', 'cal', 'dee', 'eve'].map((id, i) => ({
      id,
      name: id,
      email: `${id}@support.example.com`,
      capacity: { web: 50 },
      skills: { network: 1 + (i % 5) },
    }));
    await deps.configs.put(parseRoutingConfig({ queues: [{ id: 'support', name: 'Support', members: ['owner'] }], agents }), 0, 'bench', now.toISOString());
    const slackIds = new Map(agents.map((a) => [a.id, slack.addUser({ email: a.email, name: a.name }).id]));
    for (const a of agents) await deps.agentStates.setPresence(a.id, 'online', now.toISOString());
    // 200 resolved cases for the history, a quarter of them about the same product.
    for (let i = 0; i < 200; i++) {
      await deps.cases.create({
        case: makeCase({ status: 'resolved', owner: agents[1 + (i % 5)]!.id, product: i % 4 === 0 ? 'vpn' : 'other', channel: 'web' }),
        messages: [],
        events: [],
      });
    }
    const c = makeCase({ status: 'in_progress', owner: 'owner', queue: 'support', product: 'vpn', channel: 'web' });
    await deps.cases.create({ case: c, messages: [], events: [] });

    // 2. A swarm request with the Slack app.
    const { startSwarm } = makeUseCases(deps);
    const callsBefore = slack.calls.length;
    current = emptyTally(true);
    let started = performance.now();
    const swarm = await startSwarm({ agentId: 'owner', roles: ['agent'] }, c.caseId, { skills: [{ skill: 'network', minLevel: 2 }], limit: 3 });
    const swarmMs = performance.now() - started;
    const swarmCost = current;
    current = emptyTally();
    const swarmCalls = slack.calls.length - callsBefore;
    log(
      `swarm request (3 experts, 200 resolved cases in the history): ${swarmCost.reads} reads, ${swarmCost.writes} item writes, ${swarmCost.capacity.toFixed(1)} capacity units; ${swarmCalls} Slack Web API calls; ${swarmMs.toFixed(0)} ms`,
    );
    log(
      `  by call: ${Object.entries(swarmCost.by ?? {})
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
    // What every later write of the case rewrites (a transaction pays 2 write units a KB of it).
    const caseItem = (await client.send(new GetCommand({ TableName: tableName, Key: caseKey(c.caseId) }))).Item!;
    const caseItemKb = Buffer.byteLength(JSON.stringify(caseItem)) / 1024;
    const swarmKb = Buffer.byteLength(JSON.stringify(caseItem.swarm)) / 1024;
    current = emptyTally();
    log(`the case item after the swarm: ${caseItemKb.toFixed(1)} KB as JSON, its swarm ${swarmKb.toFixed(1)} KB`);
    const channel = swarm.case.swarm!.chat!.channel;
    const expert = swarm.invited[0]!.agentId;

    // 3. Messages in the swarm's channel: verified, claimed, noted.
    const handler = createHandler(deps);
    const send = async (text: string) => {
      const posted = slack.postMessage({ user: slackIds.get(expert)!, channel, text });
      const stamp = Math.floor(Date.now() / 1000);
      const event = {
        version: '2.0',
        routeKey: 'POST /slack/events',
        rawPath: '/slack/events',
        rawQueryString: '',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(stamp),
          'x-slack-signature': signSlackRequest(slack.signingSecret, stamp, posted.body),
        },
        requestContext: {
          http: { method: 'POST', path: '/slack/events', protocol: 'HTTP/1.1', sourceIp: '3.0.0.1', userAgent: 'Slackbot' },
          requestId: 'bench',
        },
        body: posted.body,
        isBase64Encoded: false,
      } as unknown as HttpEvent;
      started = performance.now();
      const res = (await handler(event, {} as Context)) as HttpResult;
      return { status: res.statusCode, ms: performance.now() - started };
    };
    for (let i = 0; i < 5; i++) await send(`warm up ${i}`);
    current = emptyTally(true);
    const one = await send('one measured note');
    const noteCost = current;
    current = emptyTally();
    log(`a message noted: HTTP ${one.status}; ${noteCost.reads} reads, ${noteCost.writes} item writes, ${noteCost.capacity.toFixed(1)} capacity units`);
    log(
      `  by call: ${Object.entries(noteCost.by ?? {})
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
    log('timing 100 messages...');
    const times: number[] = [];
    for (let i = 0; i < 100; i++) times.push((await send(`note ${i}`)).ms);
    log(`answered in p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
    if (slack.violations.length > 0) log(`the Slack double saw calls Slack would refuse: ${slack.violations.join('; ')}`);

    return {
      'slack.verify_signature_2kb.us': Number(verifyUs.toFixed(2)),
      'slack.swarm.capacity_units': Number(swarmCost.capacity.toFixed(1)),
      'slack.swarm.reads': swarmCost.reads,
      'slack.swarm.item_writes': swarmCost.writes,
      'slack.swarm.web_api_calls': swarmCalls,
      'slack.swarm.case_item_kb': Number(caseItemKb.toFixed(1)),
      'slack.message_note.capacity_units': Number(noteCost.capacity.toFixed(1)),
      'slack.message_note.reads': noteCost.reads,
      'slack.message_note.item_writes': noteCost.writes,
      'slack.message_note.p50_ms': Number(percentile(times, 50).toFixed(1)),
      'slack.message_note.p95_ms': Number(percentile(times, 95).toFixed(1)),
    };
  } finally {
    client.destroy();
    admin.destroy();
    await slack.close();
    await dynamo.stop();
  }
}

// `npx tsx bench/slack.ts` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  runSlackBench().then(
    (figures) => console.log(figures),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
