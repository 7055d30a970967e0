/**
 * What the console gained for customers and for replies, in a real browser (Debian chromium via
 * playwright-core) against the whole local stack:
 * - an agent replies with a file and a copy (the customer's mail in the outbox carries the text, the
 *   file and the cc), and downloads the file back from the conversation;
 * - search finds a case by a word of its subject;
 * - the customer opens the status link from the acknowledgement (no account), reads the conversation
 *   without internal notes and adds a message that joins the case; an altered or expired link is refused;
 * - the web form speaks German from the browser's language, offers the configured types
 *   (`website_outage` among them), and the German acknowledgement goes out for a web-form case.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { signStatusToken } from '../../functions/core/status-link.js';
import type { ConsoleWorld } from './console-support.js';
import { CONSOLE_TEST_CONFIG, expectAccessible, newTab, screenshot, signIn, startConsoleWorld, webCase } from './console-support.js';

const CONFIG: RoutingConfigInput = {
  ...CONSOLE_TEST_CONFIG,
  email: {
    fromAddress: 'support@support.example.com',
    acknowledgement: {
      defaultLanguage: 'en',
      templates: {
        en: { subject: 'We have your request: {{subject}}', text: 'Hello {{name}},\n\nYour case is {{caseNumber}}.\n\nFollow it here: {{statusLink}}\n' },
        de: {
          subject: 'Wir haben Ihre Anfrage: {{subject}}',
          text: 'Hallo {{name}},\n\nIhr Fall hat die Nummer {{caseNumber}}.\n\nHier verfolgen: {{statusLink}}\n',
        },
      },
    },
  },
  webForm: {
    types: [
      { id: 'question', label: { en: 'Question', de: 'Frage' } },
      { id: 'website_outage', label: { en: 'Our website is down', de: 'Unsere Website ist ausgefallen' } },
    ],
  },
};

let world: ConsoleWorld;

beforeAll(async () => {
  vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });
  world = await startConsoleWorld(CONFIG);
}, 180_000);

afterAll(async () => {
  await world?.close();
});

/** The outbox's mails of one kind (`ack`, `mail`), parsed, oldest first. */
async function outbox(kind: 'ack' | 'mail') {
  const dir = join(world.dataDir, 'outbox');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.includes(`-${kind}-`)).sort();
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))));
}

async function ackTo(address: string) {
  let found: Awaited<ReturnType<typeof outbox>>[number] | undefined;
  await expect
    .poll(async () => {
      found = (await outbox('ack')).find((m) => m.to && JSON.stringify(m.to).includes(address));
      return Boolean(found);
    })
    .toBe(true);
  return found!;
}

const statusLinkIn = (text: string) => /(http:\/\/127\.0\.0\.1:\d+\/app\/status\/[A-Za-z0-9_.-]+)/.exec(text)?.[1];

describe('an agent replies with a file and a copy', () => {
  it('the mail carries the text, the file and the cc; the file downloads back from the conversation', async () => {
    const { caseId, caseNumber } = await webCase(world, { subject: 'Copy of my contract please', email: 'carla@example.org' });
    await world.stack.deps.cases.update(
      { ...(await world.stack.deps.cases.get(caseId))!, status: 'in_progress', owner: 'ana', queue: 'support' },
      (await world.stack.deps.cases.get(caseId))!.version,
      [],
    );
    const page = await newTab(world);
    await signIn(page, world, 'ana', `/cases/${caseId}`);
    await page.getByRole('textbox', { name: 'Reply' }).fill('Here is your contract.');
    await page.getByRole('textbox', { name: /^Cc/ }).fill('legal@example.org');
    const contract = Buffer.from('%PDF-1.4 the contract of Carla\n');
    await page.getByLabel(/^Attachments/).setInputFiles({ name: 'contract 2026.pdf', mimeType: 'application/pdf', buffer: contract });
    await page.getByRole('button', { name: 'Send reply' }).click();
    const conversation = page.getByRole('region', { name: 'Conversation' });
    await expect.poll(() => conversation.textContent()).toContain('Here is your contract.');

    const mails = await outbox('mail');
    const mail = mails.find((m) => m.text?.includes('Here is your contract.'));
    expect(mail, `no reply in the outbox for case ${caseNumber}`).toBeDefined();
    expect(JSON.stringify(mail!.to)).toContain('carla@example.org');
    expect(JSON.stringify(mail!.cc)).toContain('legal@example.org');
    expect(mail!.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
      ['contract 2026.pdf', 'application/pdf', contract.toString()],
    ]);

    const [download] = await Promise.all([page.waitForEvent('download'), conversation.getByRole('button', { name: 'contract 2026.pdf' }).click()]);
    expect(download.suggestedFilename()).toBe('contract 2026.pdf');
    const chunks: Buffer[] = [];
    for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(contract.toString());
    await screenshot(page, 'console-reply-with-file');
    expect(page.errors).toEqual([]);
  });

  it('a file larger than a reply body takes (5 MB) goes up by itself, and the mail carries it byte for byte', async () => {
    const { caseId, caseNumber } = await webCase(world, { subject: 'Send me the scans', email: 'sven@example.org' });
    await world.stack.deps.cases.update(
      { ...(await world.stack.deps.cases.get(caseId))!, status: 'in_progress', owner: 'ana', queue: 'support' },
      (await world.stack.deps.cases.get(caseId))!.version,
      [],
    );
    const page = await newTab(world);
    await signIn(page, world, 'ana', `/cases/${caseId}`);
    const requests: { url: string; method: string; type: string; bytes: number }[] = [];
    page.on('request', (r) =>
      requests.push({ url: r.url(), method: r.method(), type: r.headers()['content-type'] ?? '', bytes: r.postDataBuffer()?.byteLength ?? 0 }),
    );
    await page.getByRole('textbox', { name: 'Reply' }).fill('All the scans, in one file.');
    const scans = randomBytes(5 * 1024 * 1024);
    await page.getByLabel(/^Attachments/).setInputFiles({ name: 'scans.zip', mimeType: 'application/zip', buffer: scans });
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Conversation' }).textContent(), { timeout: 30_000 }).toContain('All the scans, in one file.');

    const mail = (await outbox('mail')).find((m) => m.text?.includes('All the scans, in one file.'));
    expect(mail, `no reply in the outbox for case ${caseNumber}`).toBeDefined();
    expect(mail!.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([['scans.zip', 'application/zip', scans.byteLength]]);
    expect(createHash('sha256').update(mail!.attachments[0]!.content).digest('hex')).toBe(createHash('sha256').update(scans).digest('hex'));
    // The file went to the upload URL, never in the reply's JSON.
    const sentTo = (path: string) => requests.filter((r) => r.method === 'POST' && r.url.includes(path));
    expect(sentTo(`/cases/${caseId}/uploads`)).toHaveLength(1);
    expect(sentTo('/local-uploads/').map((r) => r.type.split(';')[0])).toEqual(['multipart/form-data']);
    expect(sentTo(`/cases/${caseId}/replies`).map((r) => r.bytes < 10_000)).toEqual([true]);
    expect(page.errors).toEqual([]);
  });
});

describe('search', () => {
  it('finds a case by a word of its subject (and by the start of the last word)', async () => {
    const { caseNumber } = await webCase(world, { subject: 'Thermostat shows wrong temperature', email: 'tom@example.org' });
    const page = await newTab(world);
    await signIn(page, world, 'mia', '/search');
    const box = page.getByRole('searchbox');
    for (const q of ['thermostat', 'wrong temp']) {
      await box.fill(q);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(() => page.getByRole('table', { name: /^Results for/ }).textContent()).toContain(`#${caseNumber}`);
    }
    expect(page.errors).toEqual([]);
  });
});

describe("the customer's status page", () => {
  it('opens from the acknowledgement, shows the conversation without internal notes, and takes a message', async () => {
    const { caseId, caseNumber } = await webCase(world, { subject: 'Heating is off', email: 'hanna@example.org', description: 'Since this morning.' });
    const ack = await ackTo('hanna@example.org');
    const link = statusLinkIn(ack.text ?? '');
    expect(link, ack.text).toBeDefined();
    const before = (await world.api.call('GET', `/cases/${caseId}`, { as: 'mia' })).body;
    await world.api.call('POST', `/cases/${caseId}/notes`, {
      as: 'mia',
      json: { text: 'INTERNAL: check the boiler contract' },
      headers: { 'if-match': `"${before.version}"` },
    });

    // A customer's browser: no session, no account.
    const page = await newTab(world);
    await page.goto(link!);
    await expect.poll(() => page.locator('main').textContent()).toContain(`#${caseNumber}`);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Heating is off');
    expect(text).toContain('Since this morning.');
    expect(text).not.toContain('INTERNAL');
    await expectAccessible(page, 'status page');
    await screenshot(page, 'console-status-page');

    await page.getByRole('textbox', { name: 'Add a message' }).fill('The radiator in the hall is cold too.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('your message was added');
    await expect.poll(() => page.locator('ol.conversation').textContent()).toContain('The radiator in the hall is cold too.');
    const after = (await world.api.call('GET', `/cases/${caseId}`, { as: 'mia' })).body;
    expect(after.messages.at(-1)).toMatchObject({ direction: 'inbound', channel: 'web', text: 'The radiator in the hall is cold too.' });
    expect(page.errors).toEqual([]);

    // An altered link and an expired one (signed right, but past its time) are refused alike.
    const token = link!.split('/').pop()!;
    const [id, , signature] = token.split('.') as [string, string, string];
    const keys = await world.stack.deps.statusLinks!.keys.keys();
    const expired = signStatusToken(id, new Date(Date.now() - 60_000), keys);
    for (const bad of [`${id}.${Number(token.split('.')[1]) + 60}.${signature}`, expired]) {
      const refused = await newTab(world);
      await refused.goto(link!.replace(token, bad));
      await expect.poll(() => refused.getByRole('alert').textContent()).toContain('This link is not valid or has expired');
      expect(await refused.locator('main').textContent()).not.toContain('Heating is off');
    }
  });
});

describe('the web form in the customer language', () => {
  it('speaks German from the browser, offers the configured types, and the German acknowledgement goes out', async () => {
    // The form runs no script of its own (its CSP allows none); scripts stay on for the axe check.
    const context = await world.browser.newContext({ locale: 'de-DE', viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${world.stack.url}/web-to-case`);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Support kontaktieren');
    const types = await page.getByLabel('Art der Anfrage').locator('option').allTextContents();
    expect(types).toEqual(expect.arrayContaining(['Frage', 'Unsere Website ist ausgefallen']));
    await expectAccessible(page, 'web form (de)');
    await page.getByLabel('Ihr Name').fill('Greta Kunde');
    await page.getByLabel(/^E-Mail/).fill('greta@example.org');
    await page.getByLabel(/^Betreff/).fill('Shop nicht erreichbar');
    await page.getByLabel(/^Beschreibung/).fill('Seit 9 Uhr kommt nur ein Fehler 502.');
    await page.getByLabel('Art der Anfrage').selectOption('website_outage');
    await page.getByRole('button', { name: 'Anfrage senden' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Vielen Dank');
    const caseNumber = (await page.locator('#case-number').textContent())!.trim();
    await screenshot(page, 'web-form-de-thanks');

    const found = (await world.api.call('GET', `/cases/${Number(caseNumber)}`, { as: 'mia' })).body;
    expect(found).toMatchObject({ type: 'website_outage', language: 'de' });
    const ack = await ackTo('greta@example.org');
    expect(ack.subject).toMatch(/^Wir haben Ihre Anfrage: Shop nicht erreichbar/);
    expect(statusLinkIn(ack.text ?? '')).toBeDefined();

    // The picker switches to English; the configured labels follow.
    await page.goto(`${world.stack.url}/web-to-case`);
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByLabel('Type of request').locator('option').allTextContents()).toContain('Our website is down');
    await context.close();
  });
});
