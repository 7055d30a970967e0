/**
 * What the console's browser tests share: the whole local stack in-process (its own configuration,
 * nobody online at start), the console built (when missing or stale) and served at /app/, Debian's
 * chromium through playwright-core, sign-in through the console's own local sign-in page, an axe
 * check, and screenshots (to .test-artifacts/, and to docs/images/ with CASEFLOW_UPDATE_SCREENSHOTS=1).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { ensureConsoleBuilt } from '../../lib/local/console.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import { REPO_ROOT } from '../../lib/paths.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, '.test-artifacts', 'console');

const cap = { email: 5, web: 5, phone: 1, chat: 2 };
export const CONSOLE_TEST_CONFIG: RoutingConfigInput = {
  priorities: ['critical', 'high', 'medium', 'low'],
  queues: [
    { id: 'support', name: 'Support', members: ['ana', 'ben'] },
    { id: 'billing', name: 'Billing', members: ['ben'] },
  ],
  territories: [
    { id: 'europe', name: 'Europe', match: { countries: ['DE', 'FR'] }, queue: 'support' },
    { id: 'world', name: 'World', queue: 'support' },
  ],
  agents: [
    { id: 'ana', name: 'Ana Agent', email: 'ana@support.example.com', roles: ['agent'], capacity: cap, languages: ['en'], skills: { billing: 3 } },
    { id: 'ben', name: 'Ben Agent', email: 'ben@support.example.com', roles: ['agent'], capacity: cap, languages: ['en'], skills: { billing: 1 } },
    { id: 'mia', name: 'Mia Manager', email: 'mia@support.example.com', roles: ['agent', 'manager'], capacity: cap, languages: ['en'] },
    { id: 'adm', name: 'Ada Admin', email: 'adm@support.example.com', roles: ['admin', 'manager'], languages: ['en'] },
  ],
  rules: [
    {
      id: 'billing-words',
      description: 'Invoices go to people who know billing',
      when: { field: 'subject', op: 'contains', value: 'invoice' },
      then: { requireSkills: [{ skill: 'billing', minLevel: 2 }] },
    },
  ],
  slaPolicies: [
    {
      id: 'standard',
      name: 'Standard',
      firstResponse: { critical: 'PT1H', high: 'PT4H', medium: 'PT8H', low: 'P1D' },
      resolution: { critical: 'PT8H', high: 'P1D', medium: 'P3D', low: 'P5D' },
      warnBefore: 'PT30M',
    },
  ],
};

export interface ConsoleWorld {
  stack: LocalStack;
  api: LocalClient;
  browser: Browser;
  dataDir: string;
  /** `http://127.0.0.1:<port>/app` */
  app: string;
  close(): Promise<void>;
}

export async function startConsoleWorld(config: RoutingConfigInput = CONSOLE_TEST_CONFIG): Promise<ConsoleWorld> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y chromium (never npx playwright install).`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-console-'));
  const configFile = join(dataDir, 'console.config.json');
  await writeFile(configFile, JSON.stringify(config));
  await ensureConsoleBuilt();
  const [stack, browser] = await Promise.all([
    startLocalStack({ port: 0, memory: true, dataDir, configFile, quiet: true, smtpPort: 0, webLimits: { perIp: 10_000, perEmail: 10_000 } }),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] }),
  ]);
  const api = await localClient(stack);
  return {
    stack,
    api,
    browser,
    dataDir,
    app: `${stack.url}/app`,
    close: async () => {
      await browser.close();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser context (its own memory: its own session), with page errors collected. */
export async function newTab(world: ConsoleWorld, context?: BrowserContext): Promise<Page & { errors: string[] }> {
  const ctx = context ?? (await world.browser.newContext({ viewport: { width: 1280, height: 900 } }));
  const page = (await ctx.newPage()) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`${m.text()} @ ${m.location().url}:${m.location().lineNumber}`);
  });
  await page.addInitScript(() => {
    const g = globalThis as unknown as {
      addEventListener: (t: string, f: (e: { target: { outerHTML?: string }; violatedDirective: string }) => void) => void;
      console: Console;
    };
    g.addEventListener('securitypolicyviolation', (e) =>
      g.console.error(`CSP violation ${e.violatedDirective} by ${String(e.target?.outerHTML ?? e.target).slice(0, 200)}`),
    );
  });
  page.on('dialog', (d) => {
    page.errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return page;
}

/** Signs in through the local sign-in page by keyboard: focus the user's button, press Enter. */
export async function signIn(page: Page, world: ConsoleWorld, agentId: string, path = '/work'): Promise<void> {
  await page.goto(`${world.app}${path}`);
  await expect.poll(() => page.getByRole('note').textContent()).toContain('Local stack only');
  const name = (CONSOLE_TEST_CONFIG.agents ?? []).find((a) => a.id === agentId)?.name ?? agentId;
  const button = page.getByRole('button', { name: `Sign in as ${name}` });
  await button.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** axe-core: no serious or critical violation on the page as it is. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    what,
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  if (process.env.CASEFLOW_UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: join(REPO_ROOT, 'docs', 'images', `${name}.png`), fullPage: false });
}

let n = 0;
/** A customer submits the web form; resolves once the workflow has routed the case. */
export async function webCase(world: ConsoleWorld, fields: Record<string, string> = {}): Promise<{ caseId: string; caseNumber: string }> {
  n++;
  const res = await world.api.call('POST', '/web-to-case', {
    json: {
      name: `Customer ${n}`,
      email: `customer${n}@example.org`,
      subject: `Printer ${n} is broken`,
      description: `It makes noises ${n}.`,
      country: 'DE',
      ...fields,
    },
  });
  expect(res.status, res.text).toBe(201);
  await world.stack.workflow.waitFor(res.body.caseId, { until: 'WaitForSlaDeadline' });
  return { caseId: res.body.caseId, caseNumber: res.body.caseNumber };
}
