/**
 * Web-to-case benchmark: what one submission costs in DynamoDB, by path, and how long a honeypot
 * answer takes next to a real one.
 *
 * DynamoDB Local in memory, one table as production builds it, the real web-to-case handler. Every
 * DynamoDB call is counted by command; capacity units are what DynamoDB returned for the calls that
 * succeeded, plus 1 write unit for each conditional write that was refused (DynamoDB charges those,
 * but the refusal carries no ConsumedCapacity; every item here is under 1 KB).
 *
 * Paths: a first submission (with an idempotency key; without one the content key costs the same), its
 * replay, a replay of the same words without a key, a rate-limited attempt, a honeypot submission and
 * its replay. Timing: 150 real and 150 honeypot submissions interleaved, with the workflow start
 * simulated as 20–60 ms (Step Functions StartExecution is of that order); the honeypot answer should
 * take as long as the real one (it waits out a duration drawn from the last 32 real submissions).
 */
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseRoutingConfig } from '../functions/core/config.js';
import { createHandler } from '../functions/handlers/web-to-case.js';
import { makeAppDeps } from '../functions/composition/deps.js';
import type { HttpEvent, HttpResult } from '../functions/http/api-gateway.js';
import { LOCAL_CLIENT_SETTINGS, ensureTable, startDynamoDbLocal } from '../lib/local/dynamodb-local.js';
import { emptyTally, meteredClient, type Tally } from './support/metered-client.js';

function event(body: Record<string, string>, ip: string): HttpEvent {
  return {
    version: '2.0',
    routeKey: 'POST /web-to-case',
    rawPath: '/web-to-case',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method: 'POST', path: '/web-to-case', protocol: 'HTTP/1.1', sourceIp: ip, userAgent: 'bench' }, requestId: 'bench' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as HttpEvent;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export async function runWebIntakeBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  log('starting DynamoDB Local (in memory)...');
  const dynamo = await startDynamoDbLocal({ startTimeoutMs: 90_000 });
  const tableName = 'caseflow-bench-web';
  const admin = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: dynamo.endpoint });
  let current: Tally = emptyTally();
  const client = meteredClient(dynamo.endpoint, () => current);
  let n = 0;
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  try {
    await ensureTable(admin, tableName);
    const deps = makeAppDeps({
      table: { client, tableName },
      alerts: { publish: async () => undefined },
      workflow: { startCase: () => new Promise((resolve) => setTimeout(resolve, 20 + 40 * random())) },
      webLimits: { perIp: 1_000_000, perEmail: 1_000_000, windowSeconds: 3600 },
    });
    await deps.configs.put(parseRoutingConfig({ queues: [{ id: 'support', name: 'Support' }] }), 0, 'bench', new Date().toISOString());
    const handler = createHandler(deps);
    const limited = createHandler({ ...deps, webLimits: { perIp: 1, perEmail: 1_000_000, windowSeconds: 3600 } });
    const call = async (h: typeof handler, body: Record<string, string>, ip = `198.51.100.${n % 200}`) => {
      const started = performance.now();
      const res = (await h(event(body, ip), {} as Context)) as HttpResult;
      return { status: res.statusCode, ms: performance.now() - started };
    };
    const submission = (extra: Record<string, string> = {}) => ({
      email: `bench.${++n}@example.org`,
      subject: `Bench ${n}`,
      description: 'How much does one submission cost?',
      ...extra,
    });
    /** Counts one call's DynamoDB work; calls outside `measure` are counted into a tally nobody reads. */
    const measure = async (label: string, run: () => Promise<{ status?: number }>) => {
      current = emptyTally();
      const { status } = await run();
      const t = current;
      current = emptyTally();
      log(
        `${label}: HTTP ${status}; ${t.reads} reads, ${t.writes} item writes (${t.refusedWrites} refused by condition), ${t.capacity.toFixed(1)} capacity units`,
      );
      return t;
    };

    // Warm up connections and the configuration cache.
    for (let i = 0; i < 5; i++) await call(handler, submission());

    const keyed = submission({ idempotencyKey: 'bench-key' });
    const first = await measure('first submission', () => call(handler, keyed));
    const replay = await measure('replay (same key)', () => call(handler, keyed));
    const words = submission();
    await call(handler, words);
    const sameWords = await measure('replay (same words, no key)', () => call(handler, words));
    const ip = '192.0.2.1';
    await call(limited, submission(), ip);
    const refused = await measure('rate limited', () => call(limited, submission(), ip));
    const bot = submission({ website: 'http://spam.example', idempotencyKey: 'bot-key' });
    const decoy = await measure('honeypot', () => call(handler, bot));
    const decoyReplay = await measure('honeypot replay', () => call(handler, bot));

    log('timing 150 real and 150 honeypot submissions, interleaved...');
    const real: number[] = [];
    const fake: number[] = [];
    for (let i = 0; i < 150; i++) {
      real.push((await call(handler, submission())).ms);
      fake.push((await call(handler, submission({ website: 'x' }))).ms);
      if ((i + 1) % 50 === 0) log(`  ${i + 1}/150`);
    }
    const line = (xs: number[]) => `p10 ${percentile(xs, 10).toFixed(0)} ms, p50 ${percentile(xs, 50).toFixed(0)} ms, p90 ${percentile(xs, 90).toFixed(0)} ms`;
    log(`real:     ${line(real)}`);
    log(`honeypot: ${line(fake)}`);

    return {
      'web.first.capacity_units': first.capacity,
      'web.first.reads': first.reads,
      'web.first.item_writes': first.writes,
      'web.replay.capacity_units': replay.capacity,
      'web.replay_same_words.capacity_units': sameWords.capacity,
      'web.rate_limited.capacity_units': refused.capacity,
      'web.honeypot.capacity_units': decoy.capacity,
      'web.honeypot_replay.capacity_units': decoyReplay.capacity,
      'web.real.p50_ms': percentile(real, 50),
      'web.real.p90_ms': percentile(real, 90),
      'web.honeypot.p50_ms': percentile(fake, 50),
      'web.honeypot.p90_ms': percentile(fake, 90),
    };
  } finally {
    client.destroy();
    admin.destroy();
    await dynamo.stop();
  }
}

// `npx tsx bench/web-intake.ts` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  runWebIntakeBench().then(
    (figures) => console.log(figures),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
