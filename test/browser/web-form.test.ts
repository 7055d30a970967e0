/**
 * The customer web form in a real browser (Debian chromium through playwright-core), against the
 * whole local stack: gateway, web-to-case handler, DynamoDB Local, the case lifecycle on local Step
 * Functions, and the agent API. No JavaScript runs in the page: the form, its errors and the
 * thank-you page are server-rendered, so what passes here works with scripts off.
 *
 * Needs /usr/bin/chromium (`apt-get update && apt-get install -y chromium`); without it every test
 * fails with that instruction, never skips. Screenshots go to .test-artifacts/ (ignored by git).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyPair, signLocalToken } from '../../lib/local/jwt.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { until } from '../support/polling.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, '.test-artifacts');

let stack: LocalStack;
let browser: Browser;
let dataDir: string;
let adminToken: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y chromium (never npx playwright install).`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-browser-'));
  const [started, launched] = await Promise.all([
    startLocalStack({ port: 0, memory: true, dataDir, quiet: true }),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    }),
  ]);
  stack = started;
  browser = launched;
  adminToken = await signLocalToken(await loadOrCreateKeyPair(stack.dataDir), { agentId: 'admin', roles: ['admin', 'manager'] });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  // No scripts at all: the form must work without them.
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 900 }, locale: 'ru-RU' });
  return context.newPage();
}

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  return { status: res.status, body: (await res.json()) as T };
}

interface ApiCase {
  caseId: string;
  caseNumber: string;
  status: string;
  subject: string;
  description: string;
  contact: { email: string; name?: string };
  location?: { country?: string };
  queue?: string;
  owner?: string;
  messages?: { direction: string; text: string }[];
}

/** Finds a case by its number through the agent API, as a manager would. */
async function findByNumber(caseNumber: string): Promise<ApiCase> {
  return until(
    `case ${caseNumber} to be listed by GET /cases`,
    async () => {
      const { status, body } = await api<{ items: ApiCase[] }>('/cases?status=new,queued,assigned,needs_review&limit=100');
      expect(status).toBe(200);
      return body.items.find((c) => c.caseNumber === caseNumber);
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );
}

describe('the web form in a browser', () => {
  it('creates a case from a form filled in by label, in Russian, and it gets routed', async () => {
    const page = await newPage();
    const response = await page.goto(`${stack.url}/web-to-case`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    await expect(page.title()).resolves.toBe('Contact support');
    await page.screenshot({ path: join(ARTIFACTS, 'web-form.png'), fullPage: true });

    const subject = 'Принтер не печатает — ошибка 49';
    const description = 'Здравствуйте!\nПосле обновления принтер показывает «Ошибка 49».\nسلام، لطفاً کمک کنید.';
    await page.getByLabel('Your name').fill('Анна Каренина');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('Anna.Karenina@Example.RU');
    await page.getByLabel('Company').fill('ООО «Ромашка»');
    await page.getByLabel('Country').selectOption({ label: 'Russia' });
    await page.getByRole('textbox', { name: 'Subject', exact: true }).fill(subject);
    await page.getByRole('textbox', { name: 'Description', exact: true }).fill(description);
    await page.getByLabel('Severity').selectOption('high');
    await page.getByLabel('Preferred language').selectOption('ru');
    await page.screenshot({ path: join(ARTIFACTS, 'web-form-filled.png'), fullPage: true });

    const [thanks] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send request' }).click()]);
    expect(thanks?.status()).toBe(201);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Thank you, we have your request');
    const caseNumber = (await page.locator('#case-number').textContent())?.trim() ?? '';
    expect(caseNumber).toMatch(/^\d{8}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'web-form-thank-you.png'), fullPage: true });

    const listed = await findByNumber(caseNumber);
    // The demo SLA policy keeps the execution waiting for the case's SLA deadline once it is routed.
    const execution = await stack.workflow.waitFor(listed.caseId, { until: 'WaitForSlaDeadline' });
    expect(execution.status).toBe('RUNNING');
    expect(execution.states).toContain('Route');
    expect(execution.states).not.toContain('SendToReview');

    const { status, body: stored } = await api<ApiCase>(`/cases/${listed.caseId}`);
    expect(status).toBe(200);
    expect(stored).toMatchObject({
      caseNumber,
      subject,
      description,
      contact: { email: 'anna.karenina@example.ru', name: 'Анна Каренина' },
      location: { country: 'RU' },
      queue: 'emea',
    });
    expect(['assigned', 'queued']).toContain(stored.status);
    if (stored.status === 'assigned') expect(['luke', 'leia', 'obiwan']).toContain(stored.owner);
    expect(stored.messages?.[0]).toMatchObject({ direction: 'inbound', text: description });
    await page.context().close();
  });

  it('shows the error next to a missing required field, with no script, keeping what was typed', async () => {
    const page = await newPage();
    await page.goto(`${stack.url}/web-to-case`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('someone@example.com');
    await page.getByRole('textbox', { name: 'Subject', exact: true }).fill('我的打印机坏了');
    // Description left empty: the server answers, not the browser (the form is novalidate).
    const [answer] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send request' }).click()]);
    expect(answer?.status()).toBe(400);
    await expect(page.title()).resolves.toBe('Error: Contact support');

    const description = page.getByRole('textbox', { name: 'Description', exact: true });
    await expect(description.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#description-error').textContent()).resolves.toContain('Description is required');
    await expect(description.getAttribute('aria-describedby')).resolves.toContain('description-error');
    await expect(page.getByRole('link', { name: 'Description is required' }).getAttribute('href')).resolves.toBe('#description');
    await expect(page.getByRole('textbox', { name: 'Subject', exact: true }).inputValue()).resolves.toBe('我的打印机坏了');
    await expect(page.getByRole('textbox', { name: 'Email', exact: true }).inputValue()).resolves.toBe('someone@example.com');
    await page.screenshot({ path: join(ARTIFACTS, 'web-form-error.png'), fullPage: true });

    // Fixing the field and sending again creates the case.
    await description.fill('Он не включается.');
    const [thanks] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send request' }).click()]);
    expect(thanks?.status()).toBe(201);
    await expect(page.locator('#case-number').textContent()).resolves.toMatch(/^\d{8}$/);
    await page.context().close();
  });

  it('serves a minimal-chrome form for iframes', async () => {
    const page = await newPage();
    await page.goto(`${stack.url}/web-to-case?embed=1`);
    await expect(page.locator('body').getAttribute('class')).resolves.toBe('embed');
    await page.screenshot({ path: join(ARTIFACTS, 'web-form-embed.png'), fullPage: true });
    await page.context().close();
  });
});
