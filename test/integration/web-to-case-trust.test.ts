/**
 * Web-to-case as an attacker or an unlucky customer meets it, through the real handler on DynamoDB
 * Local: replays never spend rate-limit budget (however many, however concurrent), the limit holds
 * across any boundary in time, the content dedupe window has no buckets to fall between, a honeypot
 * answer cannot be told from a real one by anything the caller observes, bytes that are not UTF-8 are
 * refused by field in JSON as in a form post, and each field gets one message.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { Sleep } from '../../functions/core/ports/clock.js';
import type { WorkflowStarter } from '../../functions/core/ports/workflow.js';
import { createHandler } from '../../functions/handlers/web-to-case.js';
import type { DepsParts } from '../../functions/composition/deps.js';
import { makeAppDeps, systemSleep } from '../../functions/composition/deps.js';
import type { HttpEvent, HttpResult } from '../../functions/http/api-gateway.js';
import type { Gateway } from '../../lib/local/gateway.js';
import { startGateway } from '../../lib/local/gateway.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock } from '../support/fixtures.js';
import { caseNumberOn, formPost, jsonOf, jsonPost, webEvent } from '../support/web-events.js';

const db = await freshTable('web-trust');
const CONFIG: RoutingConfigInput = { queues: [{ id: 'support', name: 'Support' }], territories: [{ id: 'all', name: 'All', queue: 'support' }] };

beforeAll(async () => {
  const deps = makeAppDeps({ table: db.table, alerts: { publish: async () => undefined }, workflow: { startCase: async () => undefined } });
  await deps.configs.put(parseRoutingConfig(CONFIG), 0, 'test', new Date().toISOString());
});

const GENEROUS = { perIp: 10_000, perEmail: 10_000, windowSeconds: 3600 };

/** A handler with its own clock, limits and recording workflow starter and sleep. */
function setup(
  options: {
    limits?: Partial<typeof GENEROUS>;
    start?: string;
    onStart?: (caseId: string) => void;
    /** Each sleep moves the clock this much further than asked, as a busy process's timers do. */
    oversleep?: number;
  } & Partial<Pick<DepsParts, 'webFormReturnUrl'>> = {},
) {
  const clock = fixedClock(options.start ?? '2026-03-02T10:00:00.000Z');
  const started: string[] = [];
  const sleeps: number[] = [];
  const workflow: WorkflowStarter = {
    startCase: async (caseId) => {
      started.push(caseId);
      options.onStart?.(caseId);
    },
  };
  const sleep: Sleep = (ms) => {
    sleeps.push(ms);
    if (options.oversleep === undefined) return systemSleep(ms);
    clock.advance(ms + options.oversleep);
    return systemSleep(0);
  };
  const deps = makeAppDeps({
    table: db.table,
    alerts: { publish: async () => undefined },
    workflow,
    clock,
    sleep,
    webLimits: { ...GENEROUS, ...options.limits },
    ...(options.webFormReturnUrl ? { webFormReturnUrl: options.webFormReturnUrl } : {}),
  });
  const handler = createHandler(deps);
  const call = (event: HttpEvent) => handler(event, {} as Context) as Promise<HttpResult>;
  return { deps, clock, started, sleeps, call };
}

let n = 0;
const freshIp = () => `203.0.113.${++n % 250}-${n}`;
const freshEmail = () => `person.${++n}@example.org`;
const submission = (overrides: Record<string, string> = {}) => ({
  name: 'Grace',
  email: freshEmail(),
  subject: `Compiler error ${++n}`,
  description: 'The compiler rejects valid code.',
  ...overrides,
});

async function casesCreated(deps: ReturnType<typeof setup>['deps']): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.cases.list({ statuses: ['new'], limit: 100, ...(cursor ? { cursor } : {}) });
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

// ---------------------------------------------------------------------------------------------

describe('replays spend no rate-limit budget', () => {
  it('a retry with the same idempotencyKey always answers 200 with the same case, never 429', async () => {
    const { call } = setup({ limits: { perIp: 5, perEmail: 5 } });
    const ip = freshIp();
    const input = submission({ idempotencyKey: 'retry-me' });
    const first = await call(jsonPost(input, ip));
    expect(first.statusCode).toBe(201);
    for (let i = 0; i < 12; i++) {
      const again = await call(jsonPost(input, ip));
      expect({ status: again.statusCode, body: jsonOf(again) }, `retry ${i + 1}`).toEqual({ status: 200, body: jsonOf(first) });
    }
    // The address still has the four submissions the first one left it.
    for (let i = 0; i < 4; i++) expect((await call(jsonPost(submission(), ip))).statusCode).toBe(201);
    expect((await call(jsonPost(submission(), ip))).statusCode).toBe(429);
    // And a replay still answers past the limit.
    expect((await call(jsonPost(input, ip))).statusCode).toBe(200);
  });

  it('the same words again (no key) are a replay too, and spend nothing', async () => {
    const { call } = setup({ limits: { perIp: 2, perEmail: 100 } });
    const ip = freshIp();
    const input = submission();
    const first = await call(jsonPost(input, ip));
    expect(first.statusCode).toBe(201);
    for (let i = 0; i < 5; i++) expect((await call(jsonPost(input, ip))).statusCode).toBe(200);
    expect((await call(jsonPost(submission(), ip))).statusCode).toBe(201);
    expect((await call(jsonPost(submission(), ip))).statusCode).toBe(429);
  });

  it('200 concurrent first posts with one key settle to one case and 199 replays, none limited', async () => {
    const { deps, call } = setup({ limits: { perIp: 5, perEmail: 5 } });
    const ip = freshIp();
    const input = submission({ idempotencyKey: 'stampede' });
    const before = await casesCreated(deps);
    const results = await Promise.all(Array.from({ length: 200 }, () => call(jsonPost(input, ip))));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(199);
    expect(new Set(results.map((r) => jsonOf(r).caseId)).size).toBe(1);
    expect(await casesCreated(deps)).toBe(before + 1);
    // One unit of budget was spent: four more from this address pass.
    for (let i = 0; i < 4; i++) expect((await call(jsonPost(submission(), ip))).statusCode).toBe(201);
    // 200 requests through one process's connection pool to one emulator queue behind each other
    // (in Lambda each runs in an instance of its own): slow on a loaded machine, never wrong.
  }, 180_000);

  it('a rate-limited submission answers 429 to its retries without asking the limiter again', async () => {
    const { call, clock } = setup({ limits: { perIp: 1, perEmail: 100 } });
    const ip = freshIp();
    expect((await call(jsonPost(submission(), ip))).statusCode).toBe(201);
    const input = submission({ idempotencyKey: 'too-soon' });
    const refused = await call(jsonPost(input, ip));
    expect(refused.statusCode).toBe(429);
    const again = await call(jsonPost(input, ip));
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers?.['retry-after'])).toBeLessThanOrEqual(Number(refused.headers?.['retry-after']));
    // Once the budget is back, the same key makes its case.
    clock.advance(Number(refused.headers?.['retry-after']) * 1000);
    expect((await call(jsonPost(input, ip))).statusCode).toBe(201);
  });
});

describe('the rate limit holds across any boundary in time', () => {
  it('40 posts in 12 s across the hour let through the limit (20), not twice it', async () => {
    const { call, clock } = setup({ limits: { perIp: 20, perEmail: 100, windowSeconds: 3600 }, start: '2026-03-02T10:59:54.000Z' });
    const ip = freshIp();
    const statuses: number[] = [];
    let lastRetry = 0;
    for (let i = 0; i < 40; i++) {
      const res = await call(jsonPost(submission(), ip));
      statuses.push(res.statusCode ?? 0);
      if (res.statusCode === 429) lastRetry = Number(res.headers?.['retry-after']);
      clock.advance(300);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    // The budget comes back one submission per 3 minutes (3600 s / 20), whatever the clock says.
    expect(lastRetry).toBeGreaterThan(150);
    expect(lastRetry).toBeLessThanOrEqual(180);
    clock.advance(lastRetry * 1000);
    expect((await call(jsonPost(submission(), ip))).statusCode).toBe(201);
    expect((await call(jsonPost(submission(), ip))).statusCode).toBe(429);
  });
});

describe('content dedupe has no bucket boundary', () => {
  it('identical posts 4 s apart across a 10-minute boundary are one case; after the window, a new one', async () => {
    const { call, clock } = setup({ start: '2026-03-02T10:09:58.000Z' });
    const ip = freshIp();
    const input = submission();
    const first = await call(jsonPost(input, ip));
    expect(first.statusCode).toBe(201);
    clock.advance(4_000);
    const second = await call(jsonPost(input, ip));
    expect({ status: second.statusCode, body: jsonOf(second) }).toEqual({ status: 200, body: jsonOf(first) });
    // Within ten minutes of the first post it is the same case; from then on, a new one.
    clock.advance(9 * 60_000);
    expect(jsonOf(await call(jsonPost(input, ip))).caseId).toBe(jsonOf(first).caseId);
    clock.advance(57_000);
    const later = await call(jsonPost(input, ip));
    expect(later.statusCode).toBe(201);
    expect(jsonOf(later).caseId).not.toBe(jsonOf(first).caseId);
  });
});

describe('a honeypot answer cannot be told from a real one', () => {
  const bot = (overrides: Record<string, string> = {}) => submission({ website: 'http://spam.example', ...overrides });

  it('gets the next case number in the sequence, as a real case would', async () => {
    const { call } = setup();
    const ip = freshIp();
    const numbers = [];
    for (const input of [submission(), bot(), submission(), bot(), bot(), submission()])
      numbers.push(Number(jsonOf(await call(jsonPost(input, ip))).caseNumber));
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBe(numbers[i - 1]! + 1);
  });

  it('answers its replays 200 with the same case, by key and by content, exactly as a real one', async () => {
    const { call } = setup();
    const ip = freshIp();
    for (const make of [submission, bot]) {
      const keyed = make({ idempotencyKey: `key-${n}` });
      const unkeyed = make();
      for (const input of [keyed, unkeyed]) {
        const first = await call(jsonPost(input, ip));
        const again = await call(jsonPost(input, ip));
        const twice = await call(jsonPost({ ...input, description: 'idempotencyKey' in input ? 'the key decides' : input.description }, ip));
        expect([first.statusCode, again.statusCode, twice.statusCode], make.name).toEqual([201, 200, 200]);
        expect(jsonOf(again)).toEqual(jsonOf(first));
        expect(jsonOf(twice)).toEqual(jsonOf(first));
        expect(jsonOf(first)).toEqual({
          caseId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
          caseNumber: expect.stringMatching(/^\d{8}$/),
          status: 'new',
        });
      }
    }
  });

  it('shares the real submissions’ keys: the same words with and without the field are one answer', async () => {
    const { deps, call } = setup();
    const ip = freshIp();
    const words = submission();
    const caught = await call(jsonPost({ ...words, website: 'x' }, ip));
    const honest = await call(jsonPost(words, ip));
    expect([caught.statusCode, honest.statusCode]).toEqual([201, 200]);
    expect(jsonOf(honest)).toEqual(jsonOf(caught));
    expect(await deps.cases.getByNumber(jsonOf(caught).caseNumber)).toBeUndefined();
    const real = submission();
    const realFirst = await call(jsonPost(real, ip));
    const botAfter = await call(jsonPost({ ...real, website: 'x' }, ip));
    expect([realFirst.statusCode, botAfter.statusCode]).toEqual([201, 200]);
    expect(jsonOf(botAfter)).toEqual(jsonOf(realFirst));
  });

  it('spends rate-limit budget as a real submission does', async () => {
    const { call } = setup({ limits: { perIp: 2, perEmail: 100 } });
    const ip = freshIp();
    expect((await call(jsonPost(bot(), ip))).statusCode).toBe(201);
    expect((await call(jsonPost(bot(), ip))).statusCode).toBe(201);
    const limited = await call(jsonPost(submission(), ip));
    const limitedBot = await call(jsonPost(bot(), ip));
    expect([limited.statusCode, limitedBot.statusCode]).toEqual([429, 429]);
    expect(jsonOf(limitedBot)).toEqual(jsonOf(limited));
  });

  it('answers with the same status, headers and body shape, as JSON, as a page and as a redirect', async () => {
    const { call } = setup();
    const ip = freshIp();
    const real = await call(jsonPost(submission(), ip));
    const fake = await call(jsonPost(bot(), ip));
    expect(fake.statusCode).toBe(real.statusCode);
    expect(fake.headers).toEqual(real.headers);
    expect(Object.keys(jsonOf(fake))).toEqual(Object.keys(jsonOf(real)));

    const withoutNumber = (r: HttpResult) => String(r.body).replaceAll(caseNumberOn(String(r.body))!, 'N');
    const realPage = await call(formPost(submission(), ip));
    const fakePage = await call(formPost(bot(), ip));
    expect({ status: fakePage.statusCode, headers: fakePage.headers }).toEqual({ status: realPage.statusCode, headers: realPage.headers });
    expect(withoutNumber(fakePage)).toBe(withoutNumber(realPage));

    const site = setup({ webFormReturnUrl: 'https://www.example.com/thanks' });
    const realRedirect = await site.call(formPost(submission(), ip));
    const fakeRedirect = await site.call(formPost(bot(), ip));
    const shape = (r: HttpResult) => ({ ...r, headers: { ...r.headers, location: String(r.headers?.location).replace(/\d{8}/, 'N') } });
    expect(shape(fakeRedirect)).toEqual(shape(realRedirect));
  });

  it('takes as long as recent real submissions took to write their case and start the workflow', async () => {
    let env!: ReturnType<typeof setup>;
    // The clock moves only while the workflow starts: 137 ms per real submission.
    env = setup({ onStart: () => void env.clock.advance(137) });
    const ip = freshIp();
    // Before any real submission on this instance: a default guess.
    await env.call(jsonPost(bot(), ip));
    expect(env.sleeps.at(-1)).toBe(40);
    await env.call(jsonPost(submission(), ip));
    const before = env.sleeps.length;
    await env.call(jsonPost(bot(), ip));
    expect(env.sleeps.slice(before)).toEqual([137]);
    // A real submission never waits on purpose.
    const afterBot = env.sleeps.length;
    await env.call(jsonPost(submission(), ip));
    expect(env.sleeps.length).toBe(afterBot);
    expect(env.started).toHaveLength(2);
  });

  it('does not add its own timer lateness on top: what timers oversleep is taken off the next waits', async () => {
    let env!: ReturnType<typeof setup>;
    env = setup({ onStart: () => void env.clock.advance(137), oversleep: 20 });
    const ip = freshIp();
    await env.call(jsonPost(submission(), ip));
    for (let i = 0; i < 12; i++) await env.call(jsonPost(bot(), ip));
    // The first wait asks for the full 137 ms, later ones for less, approaching 137 - 20.
    expect(env.sleeps[0]).toBe(137);
    for (let i = 1; i < env.sleeps.length; i++) expect(env.sleeps[i]!).toBeLessThan(env.sleeps[i - 1]!);
    expect(env.sleeps.at(-1)!).toBeGreaterThanOrEqual(117);
    expect(env.sleeps.at(-1)!).toBeLessThan(122);
  });
});

describe('bytes that are not UTF-8', () => {
  const windows1251 = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]); // "Привет" in windows-1251

  it('are refused in JSON by field (400), as in a form post, and nothing is stored', async () => {
    const { deps, call } = setup();
    const ip = freshIp();
    const before = await casesCreated(deps);
    const email = freshEmail();
    const json = Buffer.concat([Buffer.from(`{"email":"${email}","subject":"`), windows1251, Buffer.from('","description":"x"}')]);
    const res = await call(jsonPost(json, ip));
    expect(res.statusCode).toBe(400);
    expect(jsonOf(res).fields).toEqual([{ field: 'subject', message: 'is not valid UTF-8' }]);

    const escaped = await call(jsonPost(`{"email":"${email}","subject":"s","description":"half a pair: \\udc00"}`, ip));
    expect(escaped.statusCode).toBe(400);
    expect(jsonOf(escaped).fields).toEqual([{ field: 'description', message: 'is not valid UTF-8' }]);

    const form = await call(
      webEvent({ contentType: 'application/x-www-form-urlencoded', body: `email=${encodeURIComponent(email)}&subject=%CF%F0%E8%E2%E5%F2&description=x`, ip }),
    );
    expect(form.statusCode).toBe(400);
    expect(String(form.body)).toContain('Subject is not valid UTF-8');
    expect(String(form.body)).toContain(`value="${email}"`);
    expect(await casesCreated(deps)).toBe(before);
  });

  it('a replacement character the customer really typed is text like any other', async () => {
    const { deps, call } = setup();
    const res = await call(jsonPost(Buffer.from(JSON.stringify(submission({ subject: 'Broken � sign' })), 'utf8'), freshIp()));
    expect(res.statusCode).toBe(201);
    expect((await deps.cases.get(jsonOf(res).caseId))?.subject).toBe('Broken � sign');
  });

  describe('through the local gateway (real HTTP)', () => {
    let gateway: Gateway;
    const env = setup();
    beforeAll(async () => {
      const unused = async () => ({ statusCode: 404 });
      gateway = await startGateway({
        port: 0,
        functions: { 'web-to-case': env.call as never, api: unused, reports: unused, slack: unused },
        verifyToken: async () => {
          throw new Error('no tokens here');
        },
      });
    });
    afterAll(() => gateway.close());

    it('passes the bytes on, so the field is refused instead of stored as U+FFFD', async () => {
      const body = Buffer.concat([Buffer.from(`{"email":"${freshEmail()}","subject":"`), windows1251, Buffer.from('","description":"x"}')]);
      const res = await fetch(`${gateway.url}/web-to-case`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { fields: unknown }).fields).toEqual([{ field: 'subject', message: 'is not valid UTF-8' }]);
    });
  });
});

describe('one message per field', () => {
  it('JSON: an empty email is one issue', async () => {
    const { call } = setup();
    const res = await call(jsonPost({ email: '', subject: 's', description: 'd' }, freshIp()));
    expect(jsonOf(res).fields).toEqual([{ field: 'email', message: 'is required' }]);
  });

  it('an empty form lists "Email is required" once', async () => {
    const { call } = setup();
    const res = await call(formPost({ name: '', email: '', subject: '', description: '', idempotencyKey: 'k' }, freshIp()));
    expect(res.statusCode).toBe(400);
    const page = String(res.body);
    const summary = /<div class="summary"[\s\S]*?<\/div>/.exec(page)?.[0] ?? '';
    expect(summary.match(/Email is required/g)).toHaveLength(1);
    expect(summary.match(/<li>/g)).toHaveLength(3);
  });
});
