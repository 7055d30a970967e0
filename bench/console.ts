/**
 * Console benchmark (`npm run bench -- console`): the three budgets of the console.
 * - initial JavaScript: the scripts index.html loads before anything is clicked, gzip-compressed
 *   (level 9, as CloudFront's and most servers' compression comes close to): budget 150 KB;
 * - inbox render: the local stack holding 1,000 open cases (900 waiting in the agent's queue,
 *   100 in progress as theirs, seeded with BatchWriteItem as the case repository writes them);
 *   from the click on "Sign in" to My work drawn with its 100 rows (and from the click on "My
 *   queues" to its 100 waiting rows), nothing cached: budget 1 s;
 * - case open: from the click on a case in the list to its view drawn with everything (conversation,
 *   notes, decisions, timeline): budget 300 ms. The view draws at once from the list's copy of the
 *   case (caseViewShownMs) and the link starts loading the rest when the pointer reaches it.
 * Each timing is taken 5 times in Debian's chromium (playwright-core); the median is printed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { chromium } from 'playwright-core';
import { ulid } from 'ulid';
import { caseItem } from '../functions/adapters/case-repository.js';
import type { CaseRecord, CaseStatus } from '../functions/core/case.js';
import { formatCaseNumber } from '../functions/core/case.js';
import type { BenchOptions } from '../bin/bench.js';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../lib/local/console.js';
import { startLocalStack } from '../lib/local/stack.js';

const CHROMIUM = '/usr/bin/chromium';
export const BUDGETS = { initialJsGzipKb: 150, inboxRenderMs: 1000, caseOpenMs: 300 };

/** The scripts the page loads at start: module entry and its preloads (lazy chunks are not counted). */
export async function initialJsGzipBytes(dist = CONSOLE_DIST): Promise<{ bytes: number; files: string[] }> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => m[1]!);
  let bytes = 0;
  for (const f of files) bytes += gzipSync(await readFile(join(dist, f.replace(/^\/app\//, ''))), { level: 9 }).length;
  return { bytes, files };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runConsoleBench(log: (line: string) => void, _options: BenchOptions = {}): Promise<Record<string, number>> {
  const built = await ensureConsoleBuilt(log);
  if (built.built) log(`console built in ${(built.ms / 1000).toFixed(1)} s`);
  const js = await initialJsGzipBytes();
  const initialKb = Math.round((js.bytes / 1024) * 10) / 10;
  log(`initial JavaScript: ${initialKb} KB gzip (${js.files.join(', ')}); budget ${BUDGETS.initialJsGzipKb} KB`);
  if (!existsSync(CHROMIUM)) {
    log(`no ${CHROMIUM}: apt-get install -y chromium to measure the render times`);
    return { initialJsGzipKb: initialKb };
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-bench-console-'));
  const configFile = join(dataDir, 'bench.config.json');
  const cap = { email: 200, web: 200, phone: 10, chat: 10 };
  await writeFile(
    configFile,
    JSON.stringify({
      queues: [{ id: 'support', name: 'Support', members: ['ana', 'ben'] }],
      territories: [{ id: 'world', name: 'World', queue: 'support' }],
      agents: [
        { id: 'ana', name: 'Ana Agent', email: 'ana@example.com', roles: ['agent'], capacity: cap },
        { id: 'ben', name: 'Ben Agent', email: 'ben@example.com', roles: ['agent'], capacity: cap },
      ],
      slaPolicies: [{ id: 'standard', firstResponse: { medium: 'PT8H', high: 'PT4H' }, resolution: { medium: 'P3D', high: 'P1D' }, warnBefore: 'PT30M' }],
    }),
  );
  const stack = await startLocalStack({ port: 0, memory: true, dataDir, configFile, quiet: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
  try {
    // 1,000 open cases: 900 waiting in ana's queue, 100 in progress as hers.
    const t = Date.now();
    const now = Date.now();
    const items = Array.from({ length: 1000 }, (_, i) => {
      const status: CaseStatus = i < 100 ? 'in_progress' : 'queued';
      const at = new Date(now - (1000 - i) * 60_000).toISOString();
      const c: CaseRecord = {
        caseId: ulid(now - (1000 - i) * 60_000),
        caseNumber: formatCaseNumber(10_000 + i),
        channel: 'web',
        status,
        priority: i % 7 === 0 ? 'high' : 'medium',
        priorityRank: i % 7 === 0 ? 1 : 2,
        subject: `Bench case ${i}: the printer prints blank pages`,
        description: 'Seeded for the console benchmark.',
        contact: { email: `customer${i}@example.org`, name: `Customer ${i}` },
        territory: 'world',
        queue: 'support',
        ...(status === 'in_progress' ? { owner: 'ana' } : {}),
        routing: { excludedAgents: [], attempts: 1, ...(status === 'queued' ? { queuedAt: at } : {}) },
        createdAt: at,
        updatedAt: at,
        version: 3,
      };
      return caseItem(c);
    });
    const client = stack.deps.table.client;
    for (let i = 0; i < items.length; i += 25) {
      let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const res = await client.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: requests } }));
        requests = (res.UnprocessedItems?.[stack.tableName] ?? []) as typeof requests;
      }
    }
    log(`seeded 1,000 open cases in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.url}/app/work`);
    await page.getByRole('button', { name: 'Sign in as Ana Agent' }).click();
    await page.getByRole('table', { name: 'In progress' }).locator('tbody tr').first().waitFor();

    /**
     * Times in the page itself (performance.now from the click, to the animation frame whose DOM
     * holds what is awaited), so the figure is the console's and not the test driver's.
     */
    const timeClick = async (click: () => Promise<void>, done: string, also?: string): Promise<[number, number]> => {
      // A string, not a function: tsx's name-keeping helpers do not exist in the page.
      const measuring = page.evaluate(`new Promise((resolve) => {
        let t0 = 0, first = 0;
        document.addEventListener('click', () => { t0 = performance.now(); }, { capture: true, once: true });
        const check = () => {
          if (t0) {
            if (${JSON.stringify(also ?? '')} && !first && document.querySelector(${JSON.stringify(also ?? 'x')})) first = performance.now() - t0;
            if (document.querySelector(${JSON.stringify(done)})) return resolve([Math.round(performance.now() - t0), Math.round(first || performance.now() - t0)]);
          }
          requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      })`) as Promise<[number, number]>;
      await click();
      return measuring;
    };
    const inbox: number[] = [];
    const queue: number[] = [];
    const open: number[] = [];
    const shown: number[] = [];
    const workTable = 'table[aria-label="In progress"] tbody tr:nth-child(100)';
    for (let run = 0; run < 5; run++) {
      // Cold: signing out clears every cached list, so each figure includes the API calls.
      await page.getByRole('button', { name: 'Sign out' }).click();
      // My work right after sign-in: the 100 in progress, sorted by the next SLA deadline.
      inbox.push((await timeClick(() => page.getByRole('button', { name: 'Sign in as Ana Agent' }).click(), workTable))[0]);
      // My queues: 100 of the 900 waiting, in dispatch order.
      queue.push(
        (await timeClick(() => page.getByRole('link', { name: 'My queues' }).click(), 'table[aria-label="Waiting in support"] tbody tr:nth-child(100)'))[0],
      );
      await page.getByRole('link', { name: 'My work' }).click();
      await page.locator(workTable).waitFor();
      // Open a case from the list (the pointer on its link starts the load, as a person's would).
      const link = page
        .getByRole('table', { name: 'In progress' })
        .getByRole('link')
        .nth(run * 7);
      const [complete, first] = await timeClick(() => link.click(), '[data-testid="case-view"][data-complete="true"]', '[data-testid="case-view"]');
      open.push(complete);
      shown.push(first);
      await page.getByRole('link', { name: 'My work' }).click();
      await page.locator(workTable).waitFor();
    }
    const figures = {
      initialJsGzipKb: initialKb,
      inboxRenderMs: median(inbox),
      queueRenderMs: median(queue),
      caseOpenMs: median(open),
      caseViewShownMs: median(shown),
    };
    log(
      `inbox (My work, 100 in progress of 1,000 open) renders in ${figures.inboxRenderMs} ms (from the sign-in click, nothing cached; median of ${inbox.join(', ')}); budget ${BUDGETS.inboxRenderMs} ms`,
    );
    log(`My queues (100 of 900 waiting) renders in ${figures.queueRenderMs} ms (median of ${queue.join(', ')})`);
    log(`a case opens in ${figures.caseOpenMs} ms with its whole history (median of ${open.join(', ')}); budget ${BUDGETS.caseOpenMs} ms`);
    log(`the case view is drawn (from the list's copy) ${figures.caseViewShownMs} ms after the click (median of ${shown.join(', ')})`);
    return figures;
  } finally {
    await browser.close();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
