/**
 * The caseflow console in a real browser (Debian chromium via playwright-core) against the whole
 * local stack: the built app at /app/, the local sign-in, the API through the gateway, DynamoDB
 * Local and the case lifecycle on local Step Functions. Nothing is reloaded where the console must
 * follow changes by itself (offers, presence): those arrive by polling within 5 seconds.
 *
 * Controls are driven by keyboard (focus, then Enter/Space/typing) wherever a flow is claimed to
 * work by keyboard; axe-core checks every page for serious or critical violations.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ulid } from 'ulid';
import { join } from 'node:path';
import { makeFileModelStore } from '../../functions/adapters/triage-model-store.js';
import { makeTrainTriage } from '../../functions/core/use-cases/train-triage.js';
import { TRIAGE_MODELS_DIR } from '../../lib/local/stack-info.js';
import { fixtureExamples } from '../support/triage-fixture.js';
import type { ConsoleWorld } from './console-support.js';
import { CONSOLE_TEST_CONFIG, expectAccessible, newTab, screenshot, signIn, startConsoleWorld, webCase } from './console-support.js';

let world: ConsoleWorld;

beforeAll(async () => {
  // Polls wait long enough for a loaded machine; the 5-second promises are checked with their own timeouts.
  vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });
  world = await startConsoleWorld();
}, 180_000);

afterAll(async () => {
  await world?.close();
});

/** Presses a control by keyboard: focus it, then Enter (buttons, links) or Space (radios). */
async function press(locator: import('playwright-core').Locator, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
  await locator.focus();
  await locator.page().keyboard.press(key);
}

describe('an agent works a case from offer to resolution', () => {
  it('signs in, goes online, gets an offer without reloading, accepts, reads why, holds, resumes and resolves', async () => {
    const page = await newTab(world);
    await signIn(page, world, 'ana');
    await expectAccessible(page, 'my work (empty)');
    await expect.poll(() => page.getByRole('radio', { name: 'offline' }).isChecked()).toBe(true);
    await press(page.getByRole('radio', { name: 'online' }), 'Space');
    await expect.poll(async () => (await world.api.call('GET', '/agents/me', { as: 'ana' })).body.state.presence).toBe('online');

    // A customer writes in; the offer appears in My work by itself.
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const { caseId, caseNumber } = await webCase(world, { subject: 'Invoice 1234 charged twice', description: 'Please refund one of them.' });
    const offered = page.getByRole('table', { name: 'Offered' });
    await expect.poll(() => offered.textContent(), { timeout: 5_500, interval: 250 }).toContain(`#${caseNumber}`);
    expect(navigations).toEqual([]);
    await screenshot(page, 'console-my-work');

    // Polling an unchanged list moves no body: My work and the header's profile come back 304 to the ETag held.
    const polls: { url: string; status: number; ifNoneMatch?: string }[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'GET') polls.push({ url: r.url(), status: r.status(), ifNoneMatch: r.request().headers()['if-none-match'] });
    });
    await expect.poll(() => polls.some((p) => /\/cases\?.*owner=me/.test(p.url) && p.status === 304 && p.ifNoneMatch), { timeout: 12_000 }).toBe(true);
    await expect.poll(() => polls.some((p) => /\/agents\/me$/.test(p.url) && p.status === 304 && p.ifNoneMatch), { timeout: 12_000 }).toBe(true);
    await expect.poll(() => offered.textContent()).toContain(`#${caseNumber}`);

    await press(page.getByRole('button', { name: `Accept case ${caseNumber}` }));
    await expect.poll(() => page.getByRole('table', { name: 'In progress' }).textContent()).toContain(`#${caseNumber}`);
    await press(page.getByRole('link', { name: `#${caseNumber}` }));

    // Why ana: the rule that matched, every candidate, what removed ben (billing skill 1 < 2).
    const why = page.getByRole('region', { name: 'Why this case is where it is' });
    await expect.poll(() => why.textContent()).toContain('Rule billing-words matched');
    const text = (await why.textContent()) ?? '';
    expect(text).toContain('Skills required: billing ≥ 2');
    expect(text).toMatch(/ben.*removed by (skills|presence)/);
    expect(text).toMatch(/ana.*got the case/);
    await expect.poll(() => page.getByRole('list', { name: 'SLA milestones' }).textContent()).toMatch(/first response.*left/);
    await expectAccessible(page, 'case view');
    await screenshot(page, 'console-case-view');

    // A reply, typed and sent by keyboard.
    const reply = page.getByRole('textbox', { name: 'Reply' });
    await reply.focus();
    await page.keyboard.type('We refunded the second charge today.');
    await press(page.getByRole('button', { name: 'Send reply' }));
    await expect.poll(() => page.getByRole('region', { name: 'Conversation' }).textContent()).toContain('We refunded the second charge today.');

    // Hold with a reason and an until, then resume, then resolve.
    const status = page.getByRole('combobox', { name: 'New status' });
    await status.selectOption('on_hold');
    await page.getByRole('textbox', { name: 'Reason for the hold (required)' }).fill('Waiting for the bank');
    await page.getByLabel('Until (optional)').fill('2030-01-15T09:30');
    await press(page.getByRole('button', { name: 'Change status' }));
    await expect.poll(async () => (await world.api.call('GET', `/cases/${caseId}`, { as: 'ana' })).body.status).toBe('on_hold');
    const held = (await world.api.call('GET', `/cases/${caseId}`, { as: 'ana' })).body;
    const holdEvent = held.events.find((e: { details: { reason?: string } }) => e.details.reason === 'Waiting for the bank');
    expect(holdEvent.details.until).toBe(new Date('2030-01-15T09:30').toISOString());
    // The case carries its hold, and My work lists it with its until and reason.
    expect(held.hold).toEqual({ since: holdEvent.at, reason: 'Waiting for the bank', until: new Date('2030-01-15T09:30').toISOString() });
    const work = await newTab(world);
    await signIn(work, world, 'ana');
    await expect.poll(() => work.getByRole('table', { name: 'On hold' }).textContent()).toMatch(/until .*2030.*: Waiting for the bank/);
    await work.close();

    await expect.poll(() => page.getByRole('combobox', { name: 'New status' }).inputValue()).toBe('in_progress');
    await press(page.getByRole('button', { name: 'Change status' }));
    await expect.poll(async () => (await world.api.call('GET', `/cases/${caseId}`, { as: 'ana' })).body.status).toBe('in_progress');
    expect((await world.api.call('GET', `/cases/${caseId}`, { as: 'ana' })).body.hold).toBeUndefined();

    await expect.poll(() => page.locator('.case-head').textContent()).toContain('in progress');
    await page.getByRole('combobox', { name: 'New status' }).selectOption('resolved');
    await press(page.getByRole('button', { name: 'Change status' }));
    await expect.poll(async () => (await world.api.call('GET', `/cases/${caseId}`, { as: 'ana' })).body.status).toBe('resolved');
    await expect.poll(() => page.locator('.case-head').textContent()).toContain('resolved');
    expect(page.errors).toEqual([]);
  });
});

describe('two tabs edit the same case', () => {
  it('the second write gets the conflict view, keeps the typed text, and goes through once read', async () => {
    await world.api.call('PUT', '/agents/me/presence', { as: 'ben', json: { status: 'online' } });
    const { caseId } = await webCase(world, { subject: 'Screen flickers', country: 'FR' });
    const tabA = await newTab(world);
    const tabB = await newTab(world);
    await signIn(tabA, world, 'mia', `/cases/${caseId}`);
    await signIn(tabB, world, 'mia', `/cases/${caseId}`);
    const noteA = tabA.getByRole('textbox', { name: /^Note/ });
    const noteB = tabB.getByRole('textbox', { name: /^Note/ });
    await noteA.fill('Tab A: the customer called, screen is a Dell U2720Q.');
    await noteB.fill('Tab B: swapped the cable, no change.');
    await press(tabB.getByRole('button', { name: 'Add note' }));
    await expect.poll(() => tabB.getByRole('region', { name: 'Internal notes' }).textContent()).toContain('Tab B: swapped the cable');

    await press(tabA.getByRole('button', { name: 'Add note' }));
    const conflict = tabA.getByRole('alert').filter({ hasText: 'This case changed while you were writing' });
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Tab B: swapped the cable, no change.');
    expect(await noteA.inputValue()).toBe('Tab A: the customer called, screen is a Dell U2720Q.');
    await expectAccessible(tabA, 'conflict view');
    await screenshot(tabA, 'console-conflict');

    await press(tabA.getByRole('button', { name: 'I have read it: send on the new version' }));
    await press(tabA.getByRole('button', { name: 'Add note' }));
    await expect.poll(() => tabA.getByRole('region', { name: 'Internal notes' }).textContent()).toContain('Tab A: the customer called');
    const notes = (await world.api.call('GET', `/cases/${caseId}`, { as: 'mia' })).body.messages.filter(
      (m: { direction: string }) => m.direction === 'internal',
    );
    expect(notes.map((m: { text: string }) => m.text).sort()).toEqual([
      'Tab A: the customer called, screen is a Dell U2720Q.',
      'Tab B: swapped the cable, no change.',
    ]);
    expect([...tabA.errors, ...tabB.errors].filter((e) => !e.includes('412'))).toEqual([]);
  });
});

describe('customer content is inert', () => {
  it('a message holding <script> and onerror= renders as text or sanitised HTML, and nothing runs', async () => {
    const evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
    const { caseId } = await webCase(world, { subject: `Hello ${evil}`, description: `Look: ${evil}` });
    // An email message whose HTML the server's sanitiser let through unchanged (as if it had a
    // bug): the console sanitises again before rendering.
    const found = (await world.stack.deps.cases.getWithHistory(caseId))!;
    const at = new Date().toISOString();
    await world.stack.deps.cases.addMessage(
      { ...found.case, updatedAt: at },
      found.case.version,
      {
        messageId: ulid(),
        caseId,
        direction: 'inbound',
        channel: 'email',
        from: 'mallory@example.org',
        subject: 'Re: hello',
        text: 'see html',
        html: `<p>Styled <b>reply</b></p>${evil}<a href="javascript:window.__pwned=3">click</a><iframe src="https://example.org"></iframe>`,
        at,
        attachments: [],
      } as never,
      [],
    );
    const page = await newTab(world);
    await signIn(page, world, 'mia', `/cases/${caseId}`);
    const conversation = page.getByRole('region', { name: 'Conversation' });
    await expect.poll(() => conversation.textContent()).toContain('Styled reply');
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toContain(`Hello ${evil}`);
    expect(await page.getByRole('region', { name: 'Description' }).textContent()).toContain(`Look: ${evil}`);
    const html = await page.locator('.message-html').innerHTML();
    expect(html).toContain('<b>reply</b>');
    expect(html).not.toMatch(/<script|onerror|javascript:|<iframe/i);
    expect(await page.locator('main img[onerror], main script').count()).toBe(0);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // Chromium reports an inline handler to the CSP as soon as any parser meets it, even in the
    // inert document DOMPurify parses into (nothing runs there): those reports are expected here.
    expect(page.errors.filter((e) => !/script-src-attr|inline event handler/.test(e))).toEqual([]);
  });
});

describe('the admin edits the configuration', () => {
  it('an error is shown at its JSON path (as typed, and from the server), then a valid one applies', async () => {
    const page = await newTab(world);
    await signIn(page, world, 'adm', '/admin/config');
    const editor = page.getByRole('textbox', { name: 'Configuration (JSON)' });
    await expect.poll(() => editor.inputValue()).toContain('"queues"');
    await expectAccessible(page, 'configuration editor');
    const original = JSON.parse(await editor.inputValue());

    // As typed: the JSON Schema from the server's zod schema catches a routing method that does not exist.
    const typo = structuredClone(original);
    typo.queues[1].routing = 'fastest';
    await editor.fill(JSON.stringify(typo, null, 2));
    const problems = page.getByRole('region', { name: 'Problems' });
    await expect.poll(() => problems.textContent()).toContain('queues.1.routing');
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await press(problems.getByRole('button', { name: /queues\.1\.routing/ }));
    const selected = await editor.evaluate((el) => {
      const area = el as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return area.value.slice(area.selectionStart, area.selectionEnd);
    });
    expect(selected).toBe('"fastest"');

    // Only the server knows the whole document: its dry run answers an unknown agent at its path as you type, before Apply.
    const unknown = structuredClone(original);
    unknown.queues[1].members.push('nobody');
    await editor.fill(JSON.stringify(unknown, null, 2));
    await expect.poll(() => page.getByRole('region', { name: /Changes against version/ }).textContent()).toMatch(/\+\s+"nobody"/);
    await expect.poll(() => problems.textContent()).toContain('queues.1.members.1');
    expect(await problems.textContent()).toContain('unknown agent nobody');
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await press(problems.getByRole('button', { name: /queues\.1\.members\.1/ }));
    expect(
      await editor.evaluate((el) => {
        const area = el as unknown as { value: string; selectionStart: number; selectionEnd: number };
        return area.value.slice(area.selectionStart, area.selectionEnd);
      }),
    ).toBe('"nobody"');
    await screenshot(page, 'console-config-editor');

    // A valid change: the dry run says what applying would do, then Apply stores it.
    const valid = structuredClone(original);
    valid.queues[1].members.push('ana');
    await editor.fill(JSON.stringify(valid, null, 2));
    await expect.poll(() => page.getByRole('list', { name: 'What applying would do' }).textContent()).toContain('changes queues billing');
    expect(await problems.textContent()).toContain('No problems found');
    await press(page.getByRole('button', { name: 'Apply' }));
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Applied as version \d+/);
    const stored = (await world.api.call('GET', '/admin/config', { as: 'adm' })).body;
    expect(stored.config.queues[1].members).toEqual(['ben', 'ana']);
    expect(page.errors.filter((e) => !e.includes('400'))).toEqual([]);

    await page.getByRole('link', { name: 'Territories, queues, rules' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Queues' }).textContent()).toContain('ben, ana');
    expect(await page.getByRole('list').filter({ hasText: 'billing-words' }).textContent()).toContain('when subject contains "invoice", requires billing ≥ 2');
    await expectAccessible(page, 'configuration views');
    await screenshot(page, 'console-config-views');
  });
});

describe('the manager watches the team', () => {
  it('the team board shows an agent going offline without a reload; queue board, reports and an export', async () => {
    await world.api.call('PUT', '/agents/me/presence', { as: 'ben', json: { status: 'online' } });
    const page = await newTab(world);
    await signIn(page, world, 'mia', '/team');
    const ben = page.getByTestId('presence-ben');
    await expect.poll(() => ben.textContent()).toBe('online');
    await expectAccessible(page, 'team board');
    await screenshot(page, 'console-team-board');
    await world.api.call('PUT', '/agents/me/presence', { as: 'ben', json: { status: 'offline' } });
    await expect.poll(() => ben.textContent(), { timeout: 5_500, interval: 250 }).toBe('offline');

    await page.getByRole('link', { name: 'Queue board' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Queues' }).textContent()).toContain('Support');
    await expectAccessible(page, 'queue board');

    await page.getByRole('link', { name: 'Reports' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Key figures' }).textContent()).toContain('all');
    // Grouped in one call (groupBy), not one call per territory.
    const reportCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/reports/')) reportCalls.push(r.url());
    });
    await page.getByRole('combobox', { name: 'Side by side by' }).selectOption('territory');
    await expect.poll(() => page.getByRole('table', { name: 'Key figures' }).textContent()).toMatch(/europe.*world/);
    expect(reportCalls).toHaveLength(1);
    expect(new URL(reportCalls[0]!).searchParams.get('groupBy')).toBe('territory');
    await expectAccessible(page, 'reports');
    await screenshot(page, 'console-reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Download/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const body = await download.createReadStream().then(async (s) => {
      const chunks: Buffer[] = [];
      for await (const c of s) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    });
    expect(body.split('\n')[0]).toContain('case');
    expect(page.errors).toEqual([]);
  });

  it('my queues and search pages are accessible too; the sign-in page names itself local-only', async () => {
    const page = await newTab(world);
    await page.goto(`${world.app}/work`);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('Local stack only');
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'console-sign-in');
    await signIn(page, world, 'ben', '/queues');
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('My queues');
    await expectAccessible(page, 'my queues');
    await page.getByRole('link', { name: 'Search' }).click();
    await expectAccessible(page, 'search');
    // By number and by the customer's email: ben reads his queues' cases.
    const { caseNumber } = await webCase(world, { email: 'Searchable.Customer@Example.org', subject: 'Where is my parcel' });
    const box = page.getByRole('searchbox');
    for (const q of [String(Number(caseNumber)), 'searchable.customer@example.org']) {
      await box.fill(q);
      await press(page.getByRole('button', { name: 'Search', exact: true }));
      await expect.poll(() => page.getByRole('table', { name: /^Results for/ }).textContent()).toContain(`#${caseNumber}`);
    }
    await screenshot(page, 'console-search');
    // The skip link comes first in the tab order and moves focus to the content.
    const focusable = await page.locator('a[href], button, input, select, textarea').first().textContent();
    expect(focusable).toBe('Skip to the content');
    await press(page.getByRole('link', { name: 'Skip to the content' }));
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement?: { id: string } } }).document.activeElement?.id)).toBe('main');
    expect(CONSOLE_TEST_CONFIG.agents?.length).toBe(4);
  });
});

describe('automatic triage, as the agent sees it', () => {
  it('the case shows the field triage filled and how sure it was; the timeline shows each prediction and why', async () => {
    // A model trained on the triage fixture (written for the tests), stored where the local stack reads
    // model versions, and named in the configuration through the admin API like an admin would.
    const train = makeTrainTriage({
      cases: world.stack.deps.cases,
      models: makeFileModelStore(join(world.dataDir, TRIAGE_MODELS_DIR)),
      clock: { now: () => new Date() },
    });
    const trained = await train.fromRows('type', fixtureExamples('type'), 'triage fixture');
    const current = await world.api.call('GET', '/admin/config', { as: 'adm' });
    expect(current.status).toBe(200);
    const applied = await world.api.call('PUT', '/admin/config', {
      as: 'adm',
      ifMatch: current.headers.get('etag') ?? '',
      json: { ...CONSOLE_TEST_CONFIG, triage: { modelVersion: trained.bundle.version, type: { minConfidence: 0.3 }, product: { enabled: false } } },
    });
    expect(applied.status, applied.text).toBe(200);

    const { caseId } = await webCase(world, { subject: 'Charged twice', description: 'I was charged twice for my subscription this month, please refund' });
    const stored = await world.api.call('GET', `/cases/${caseId}`, { as: 'adm' });
    expect(stored.body.type).toBe('billing');
    expect(stored.body.triage.fields.type.value).toBe('billing');

    const page = await newTab(world);
    await signIn(page, world, 'mia', `/cases/${caseId}`);
    const side = page.getByRole('complementary', { name: 'Case details and actions' });
    await expect.poll(() => side.textContent()).toContain('Filled by triage');
    expect(await side.textContent()).toMatch(new RegExp(`type billing \\(\\d+ % sure, model ${trained.bundle.version}\\)`));
    const timeline = page.locator('ol.timeline');
    await expect.poll(() => timeline.textContent()).toMatch(/triaged.*type: billing at \d+ %, needs 30 %, filled/s);
    await expectAccessible(page, 'case view with triage');
    expect(page.errors).toEqual([]);
  });
});
