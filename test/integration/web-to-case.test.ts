/**
 * The web-to-case handler against DynamoDB Local: API Gateway HTTP API (payload 2.0) events in,
 * HTTP results out, cases checked in the table. The workflow starter is a recording fake: starting
 * the lifecycle is the handler's last step, and what the workflow does is tested elsewhere.
 */
import { readFile } from 'node:fs/promises';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { AdminAlert } from '../../functions/core/ports/notifications.js';
import type { WorkflowStarter } from '../../functions/core/ports/workflow.js';
import { createHandler } from '../../functions/handlers/web-to-case.js';
import type { AppDeps, DepsParts } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import type { HttpEvent, HttpResult } from '../../functions/http/api-gateway.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock } from '../support/fixtures.js';
import type { WebEventInput } from '../support/web-events.js';
import { webEvent } from '../support/web-events.js';

const db = await freshTable('web-to-case');
const clock = fixedClock('2026-03-02T10:00:00.000Z');

/** Records every start; the workflow itself is not under test here. */
function recordingStarter(): WorkflowStarter & { started: string[] } {
  const started: string[] = [];
  return { started, startCase: async (caseId) => void started.push(caseId) };
}

const alerts: AdminAlert[] = [];
const GENEROUS = { perIp: 10_000, perEmail: 10_000, windowSeconds: 3600 };

function setup(parts: Partial<Omit<DepsParts, 'table' | 'alerts' | 'workflow'>> = {}) {
  const workflow = recordingStarter();
  const deps: AppDeps = makeAppDeps({
    table: db.table,
    alerts: { publish: async (a) => void alerts.push(a) },
    workflow,
    clock,
    webLimits: GENEROUS,
    ...parts,
  });
  const handler = createHandler(deps);
  return { deps, workflow, call: (event: HttpEvent) => handler(event, {} as Context) as Promise<HttpResult> };
}

const { deps, workflow, call } = setup();

beforeAll(async () => {
  const demo = JSON.parse(await readFile(`${REPO_ROOT}/config/demo.config.json`, 'utf8'));
  await deps.configs.put(parseRoutingConfig(demo), 0, 'test', clock.now().toISOString());
});

// ---------------------------------------------------------------------------------------------
// Events shaped like API Gateway's (HTTP API, payload format 2.0)

let ipCounter = 0;
/** Each test gets its own address and email unless it says otherwise, so rate limits stay per test. */
const freshIp = () => `198.51.100.${++ipCounter}`;
let emailCounter = 0;
const freshEmail = () => `Customer.${++emailCounter}@Example.COM`;

type EventInput = Omit<WebEventInput, 'ip'> & { ip?: string };

/** A web form request from a fresh address unless it names one, stamped with the test's clock. */
const apiEvent = (input: EventInput = {}): HttpEvent => webEvent({ ...input, ip: input.ip ?? freshIp(), timeEpoch: clock.now().getTime() });

const postJson = (body: unknown, extra: EventInput = {}) =>
  apiEvent({ contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body), ...extra });
const postForm = (fields: Record<string, string>, extra: EventInput = {}) =>
  apiEvent({ contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString(), ...extra });

function submission(overrides: Record<string, string> = {}) {
  return {
    name: 'Ada Lovelace',
    email: freshEmail(),
    subject: `Printer on fire #${++emailCounter}`,
    description: 'The printer in room 4 caught fire again.',
    country: 'GB',
    product: 'printers',
    ...overrides,
  };
}

const jsonBody = (r: HttpResult) => JSON.parse(String(r.body));
const header = (r: HttpResult, name: string) => (r.headers as Record<string, unknown> | undefined)?.[name];
const caseNumberOn = (page: string) => /id="case-number">(\d{8})</.exec(page)?.[1];

async function countNewCases(): Promise<number> {
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

describe('GET /web-to-case', () => {
  it('serves the form as UTF-8 HTML with a fresh idempotency key per load', async () => {
    const first = await call(apiEvent({ method: 'GET' }));
    const second = await call(apiEvent({ method: 'GET' }));
    expect(first.statusCode).toBe(200);
    expect(header(first, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(first, 'cache-control')).toBe('no-store');
    expect(String(header(first, 'content-security-policy'))).toContain("default-src 'none'");
    const key = (r: HttpResult) => /name="idempotencyKey" value="([^"]+)"/.exec(String(r.body))?.[1];
    expect(key(first)).toBeTruthy();
    expect(key(first)).not.toBe(key(second));
    expect(String(first.body)).toContain('action="web-to-case"');
  });

  it('has a minimal-chrome version for iframes that posts back in embed mode', async () => {
    const page = String((await call(apiEvent({ method: 'GET', query: { embed: '1' } }))).body);
    expect(page).toContain('<body class="embed">');
    expect(page).toContain('action="web-to-case?embed=1"');
  });
});

describe('POST /web-to-case with JSON', () => {
  it('creates the case (201), stores it and starts its workflow once', async () => {
    const input = submission({ email: 'Ada.Lovelace@Example.COM', phone: '+44 20 7946 0000', severity: 'high' });
    const res = await call(postJson(input, { contentType: 'application/json; charset=UTF-8' }));
    expect(res.statusCode).toBe(201);
    expect(header(res, 'content-type')).toBe('application/json; charset=utf-8');
    const body = jsonBody(res);
    expect(body).toEqual({ caseId: expect.any(String), caseNumber: expect.stringMatching(/^\d{8}$/), status: 'new' });

    const stored = await deps.cases.getWithHistory(body.caseId);
    expect(stored?.case).toMatchObject({
      caseNumber: body.caseNumber,
      channel: 'web',
      status: 'new',
      subject: input.subject,
      description: input.description,
      contact: { email: 'ada.lovelace@example.com', name: 'Ada Lovelace', phone: '+44 20 7946 0000' },
      location: { country: 'GB' },
      product: 'printers',
      severity: 'high',
    });
    expect(stored?.messages).toEqual([
      expect.objectContaining({ direction: 'inbound', from: 'ada.lovelace@example.com', subject: input.subject, text: input.description }),
    ]);
    expect(stored?.events.map((e) => e.activity)).toEqual(['case_created']);
    expect((await deps.cases.getByNumber(body.caseNumber))?.caseId).toBe(body.caseId);
    expect(workflow.started.filter((id) => id === body.caseId)).toEqual([body.caseId]);
  });

  it('answers 400 naming every invalid field at once', async () => {
    const res = await call(postJson({ name: 'No Details', email: 'not-an-email' }));
    expect(res.statusCode).toBe(400);
    const body = jsonBody(res);
    expect(body.error).toBe('ValidationError');
    expect(body.fields).toEqual(
      expect.arrayContaining([
        { field: 'email', message: 'must be an email address' },
        { field: 'subject', message: 'is required' },
        { field: 'description', message: 'is required' },
      ]),
    );
    expect(body.fields).toHaveLength(3);

    const missingEmail = jsonBody(await call(postJson({ subject: 's', description: 'd' })));
    expect(missingEmail.fields).toEqual([{ field: 'email', message: 'is required' }]);
  });

  it('answers 400 naming `body` for malformed JSON, an empty body or a non-object', async () => {
    for (const [text, message] of [
      ['{"email": "a@example.com",', 'is not valid JSON'],
      ['', 'is required'],
      ['[1, 2]', 'must be a JSON object'],
      ['"text"', 'must be a JSON object'],
    ] as const) {
      const res = await call(postJson(text));
      expect(res.statusCode).toBe(400);
      expect(jsonBody(res).fields).toEqual([{ field: 'body', message }]);
    }
  });

  it('answers 413 for a body over 64 KB, before parsing it', async () => {
    const res = await call(postJson(submission({ description: 'x'.repeat(64 * 1024) })));
    expect(res.statusCode).toBe(413);
    expect(jsonBody(res).error).toBe('PayloadTooLargeError');
    // Not even valid JSON: the size is checked first.
    expect((await call(postJson(`{${' '.repeat(70_000)}`))).statusCode).toBe(413);
  });

  it('answers 415 naming the accepted types for anything else', async () => {
    for (const contentType of ['text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=iso-8859-1', undefined]) {
      const res = await call(apiEvent({ contentType, body: 'email=a@example.com' }));
      expect(res.statusCode, String(contentType)).toBe(415);
      expect(jsonBody(res).error).toBe('UnsupportedMediaTypeError');
    }
    const plain = jsonBody(await call(apiEvent({ contentType: 'text/plain', body: 'hi' })));
    expect(plain.message).toContain('application/json');
    expect(plain.message).toContain('application/x-www-form-urlencoded');
  });

  it('replays the same idempotencyKey: 201, then 200 with the same case', async () => {
    const input = submission({ idempotencyKey: 'checkout-page-7f3a' });
    const first = await call(postJson(input));
    const second = await call(postJson({ ...input, description: 'A retry may differ; the key decides.' }));
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(jsonBody(second)).toEqual(jsonBody(first));
  });

  it('creates exactly one case when the same idempotencyKey arrives 10 times at once', async () => {
    const input = submission({ idempotencyKey: 'double-double-click' });
    const before = await countNewCases();
    const results = await Promise.all(Array.from({ length: 10 }, () => call(postJson(input))));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => jsonBody(r).caseId)).size).toBe(1);
    expect(new Set(results.map((r) => jsonBody(r).caseNumber)).size).toBe(1);
    expect(await countNewCases()).toBe(before + 1);
  });

  it('treats the same words from the same person without a key as one case', async () => {
    const input = submission();
    const first = await call(postJson(input));
    const second = await call(postJson({ ...input, email: input.email.toLowerCase(), subject: `  ${input.subject} ` }));
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(jsonBody(second).caseId).toBe(jsonBody(first).caseId);
  });

  it('answers 429 with Retry-After past the per-address limit', async () => {
    const limited = setup({ webLimits: { perIp: 2, perEmail: 100, windowSeconds: 3600 } });
    const ip = freshIp();
    for (let i = 0; i < 2; i++) expect((await limited.call(postJson(submission(), { ip }))).statusCode).toBe(201);
    const res = await limited.call(postJson(submission(), { ip }));
    expect(res.statusCode).toBe(429);
    expect(jsonBody(res).error).toBe('RateLimitedError');
    const retryAfter = Number(header(res, 'retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Another address is not affected.
    expect((await limited.call(postJson(submission()))).statusCode).toBe(201);
  });

  it('answers 429 with Retry-After past the per-email limit, whatever the address', async () => {
    const limited = setup({ webLimits: { perIp: 100, perEmail: 2, windowSeconds: 3600 } });
    const email = freshEmail();
    for (let i = 0; i < 2; i++) expect((await limited.call(postJson(submission({ email })))).statusCode).toBe(201);
    const res = await limited.call(postJson(submission({ email: email.toLowerCase() })));
    expect(res.statusCode).toBe(429);
    expect(jsonBody(res).message).toContain('email');
    expect(Number(header(res, 'retry-after'))).toBeGreaterThan(0);
  });

  it('tells a bot that filled the honeypot "created" and writes nothing', async () => {
    const fresh = setup();
    const before = await countNewCases();
    const res = await fresh.call(postJson(submission({ website: 'http://spam.example' })));
    expect(res.statusCode).toBe(201);
    const body = jsonBody(res);
    expect(body).toEqual({ caseId: expect.any(String), caseNumber: expect.stringMatching(/^\d{8}$/), status: 'new' });
    expect(await deps.cases.get(body.caseId)).toBeUndefined();
    expect(await deps.cases.getByNumber(body.caseNumber)).toBeUndefined();
    expect(await countNewCases()).toBe(before);
    expect(fresh.workflow.started).toEqual([]);
  });
});

describe('POST /web-to-case as a plain HTML form', () => {
  it('shows a thank-you page with the case number', async () => {
    const input = submission({ idempotencyKey: 'page-load-1' });
    const res = await call(postForm(input));
    expect(res.statusCode).toBe(201);
    expect(header(res, 'content-type')).toBe('text/html; charset=utf-8');
    const number = caseNumberOn(String(res.body));
    expect(number).toMatch(/^\d{8}$/);
    const stored = await deps.cases.getByNumber(number!);
    expect(stored).toMatchObject({ subject: input.subject, status: 'new', contact: { email: input.email.toLowerCase() } });
    expect(workflow.started).toContain(stored!.caseId);

    // A double submit of the same page: the same number, nothing new.
    const again = await call(postForm(input));
    expect(again.statusCode).toBe(200);
    expect(caseNumberOn(String(again.body))).toBe(number);
  });

  it('redirects (303) to the configured return URL with the case number', async () => {
    const site = setup({ webFormReturnUrl: 'https://www.example.com/support/thanks?from=form' });
    const res = await site.call(postForm(submission()));
    expect(res.statusCode).toBe(303);
    const location = new URL(String(header(res, 'location')));
    expect(`${location.origin}${location.pathname}`).toBe('https://www.example.com/support/thanks');
    expect(location.searchParams.get('from')).toBe('form');
    const number = location.searchParams.get('caseNumber')!;
    expect(await deps.cases.getByNumber(number)).toBeDefined();

    // Inside an iframe the form keeps its own thank-you page.
    const embedded = await site.call(postForm(submission(), { query: { embed: '1' } }));
    expect(embedded.statusCode).toBe(201);
    expect(String(embedded.body)).toContain('<body class="embed">');
  });

  it('shows the form again (400) with the values kept, escaped, and each error by its field', async () => {
    const res = await call(postForm({ name: '<b>Eve</b> "quoted"', email: 'not-an-email', subject: '', description: '', idempotencyKey: 'page-load-2' }));
    expect(res.statusCode).toBe(400);
    expect(header(res, 'content-type')).toBe('text/html; charset=utf-8');
    const page = String(res.body);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('value="&lt;b&gt;Eve&lt;/b&gt; &quot;quoted&quot;"');
    expect(page).not.toContain('<b>Eve</b>');
    for (const field of ['email', 'subject', 'description']) {
      expect(page).toMatch(new RegExp(`<(input|textarea)[^>]*id="${field}"[^>]*aria-describedby="[^"]*${field}-error"[^>]*aria-invalid="true"`));
      expect(page).toContain(`id="${field}-error"`);
    }
    expect(page).toContain('Email must be an email address');
    expect(page).toContain('Subject is required');
    expect(page).toContain('name="idempotencyKey" value="page-load-2"');

    const missing = String((await call(postForm({ email: '', subject: 'x', description: 'y' }))).body);
    expect(missing).toContain('Email is required');
    // The key is kept (or, if the page had none, a new one is issued) so the corrected post is one case.
    expect(missing).toMatch(/name="idempotencyKey" value="[^"]+"/);
  });

  it('keeps the values and says when to try again past a rate limit (429, HTML)', async () => {
    const limited = setup({ webLimits: { perIp: 1, perEmail: 100, windowSeconds: 3600 } });
    const ip = freshIp();
    expect((await limited.call(postForm(submission(), { ip }))).statusCode).toBe(201);
    const res = await limited.call(postForm(submission({ subject: 'Второй запрос' }), { ip }));
    expect(res.statusCode).toBe(429);
    expect(header(res, 'content-type')).toBe('text/html; charset=utf-8');
    expect(Number(header(res, 'retry-after'))).toBeGreaterThan(0);
    expect(String(res.body)).toContain('value="Второй запрос"');
    expect(String(res.body)).toMatch(/try again in \d+ (seconds|minutes|hours)/);
  });

  it('answers 413 with an HTML page', async () => {
    const res = await call(postForm(submission({ description: 'x'.repeat(65 * 1024) })));
    expect(res.statusCode).toBe(413);
    expect(header(res, 'content-type')).toBe('text/html; charset=utf-8');
    expect(String(res.body)).toContain('Your message is too long');
  });

  it('counts the size as the customer wrote it: 20,000 Chinese characters fit although they are 180 KB on the wire', async () => {
    const description = '我的打印机又着火了。'.repeat(2_000);
    const event = postForm(submission({ description }));
    expect(Buffer.from(event.body!, 'base64').length).toBeGreaterThan(3 * 60_000);
    const res = await call(event);
    expect(res.statusCode).toBe(201);
    expect((await deps.cases.getByNumber(caseNumberOn(String(res.body))!))?.description).toBe(description);
  });

  it('refuses bytes that are not UTF-8 instead of storing mojibake', async () => {
    // "Привет" in windows-1251, as a page in that encoding would send it.
    const res = await call(
      apiEvent({ contentType: 'application/x-www-form-urlencoded', body: 'email=a%40example.com&subject=%CF%F0%E8%E2%E5%F2&description=x' }),
    );
    expect(res.statusCode).toBe(400);
    // The form comes back with the error at the field, as for any other invalid field.
    expect(String(res.body)).toContain('Subject is not valid UTF-8');
    expect(String(res.body)).toMatch(/id="subject"[^>]*aria-invalid="true"/);
  });

  it('tells a bot that filled the honeypot "thank you" and writes nothing', async () => {
    const fresh = setup();
    const before = await countNewCases();
    const res = await fresh.call(postForm(submission({ website: 'http://spam.example' })));
    expect(res.statusCode).toBe(201);
    const number = caseNumberOn(String(res.body));
    expect(number).toMatch(/^\d{8}$/);
    expect(await deps.cases.getByNumber(number!)).toBeUndefined();
    expect(await countNewCases()).toBe(before);
    expect(fresh.workflow.started).toEqual([]);
  });

  it.each([
    ['Russian', 'Не печатает принтер', 'Здравствуйте!\nПринтер HP LaserJet не печатает: «Ошибка 49». Что делать?'],
    ['Chinese', '打印机无法打印', '您好！\n我们的打印机显示“错误 49”，请帮忙 + 谢谢 & 再见 100%'],
    ['Persian', 'چاپگر چاپ نمی‌کند', 'سلام،\nچاپگر ما خطای ۴۹ نشان می‌دهد. لطفاً کمک کنید.'],
  ])('keeps %s text intact through a form post', async (_language, subject, description) => {
    const res = await call(postForm(submission({ subject, description, name: 'Тест 测试 تست' })));
    expect(res.statusCode).toBe(201);
    const stored = await deps.cases.getWithHistory((await deps.cases.getByNumber(caseNumberOn(String(res.body))!))!.caseId);
    expect(stored?.case.subject).toBe(subject);
    expect(stored?.case.description).toBe(description);
    expect(stored?.case.contact.name).toBe('Тест 测试 تست');
    expect(stored?.messages[0]?.text).toBe(description);
  });

  it('reads raw UTF-8 (unescaped) bodies and textarea CRLF line breaks as typed', async () => {
    const email = freshEmail();
    const body = `email=${encodeURIComponent(email)}&subject=Привет мир&description=line 1%0D%0Aline 2`;
    const res = await call(apiEvent({ contentType: 'application/x-www-form-urlencoded', body }));
    expect(res.statusCode).toBe(201);
    const stored = await deps.cases.getByNumber(caseNumberOn(String(res.body))!);
    expect(stored?.subject).toBe('Привет мир');
    expect(stored?.description).toBe('line 1\nline 2');
  });
});

it('raises no admin alert on the way', () => {
  expect(alerts).toEqual([]);
});
