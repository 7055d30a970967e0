/**
 * Fault injection on the real local stack: DynamoDB Local's Java process is killed (SIGKILL) under a
 * running stack, and what users and senders see is checked from outside, over HTTP and SMTP.
 *
 * - While the store is down: every HTTP route answers 503 with Retry-After (web form JSON and form
 *   posts, the API, /health), and SMTP answers 451 4.3.0 so the sending server keeps the message;
 *   nothing goes to the failed list.
 * - The stack notices, restarts the emulator on the same port and data directory, checks the table,
 *   and /health answers 200 again, with the data all there.
 * - `npm run redrive` (the real CLI, another process) recreates the cases of the failed list and
 *   starts their workflow in the running stack: they are routed, not left in `new`.
 * - When it cannot keep the emulator running (crashes keep coming; data only in memory), the stack
 *   stops by itself, and `npm start` exits non-zero saying why.
 *
 * The recovery times printed here are informational; `npm run bench -- faults` measures them.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ObjectCreatedEvent } from '../../functions/handlers/intake-email.js';
import { LOCAL_MAIL_BUCKET, listFailures, recordFailure } from '../../lib/local/mail-store.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import { REPO_ROOT } from '../../lib/paths.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';
import { processAlive, until } from '../support/polling.js';

const run = promisify(execFile);

/** What an SMTP client (nodemailer, as any MTA) hears back for one message. */
async function sendMail(port: number, subject: string): Promise<{ code: number; response: string }> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ from: 'Grace <grace@customer.example>', to: 'support@caseflow.local', subject, text: 'Hello, please help.' });
    return { code: Number(info.response.slice(0, 3)), response: info.response };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string };
    if (!e.responseCode) throw error;
    return { code: e.responseCode, response: e.response ?? '' };
  } finally {
    transport.close();
  }
}

describe('DynamoDB Local killed under a running stack (data on disk)', () => {
  let stack: LocalStack;
  let dataDir: string;
  let api: LocalClient;
  let smtpPort: number;
  const supervisorLog: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-faults-'));
    stack = await startLocalStack({
      port: 0,
      dataDir,
      smtpPort: 0,
      quiet: true,
      webLimits: { perIp: 1000, perEmail: 1000 },
      // A few seconds more before the restart than by default, so every check below surely runs
      // while the store is down; the policy is otherwise the default one.
      dynamoRestartPolicy: { initialDelayMs: 4_000 },
      errorLog: (line) => supervisorLog.push(line),
    });
    api = await localClient(stack);
    smtpPort = Number(stack.services.smtp!.info!.port);
  });

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Two messages in the failed list, as a failure other than the store's leaves them: stored raw, then recorded as failed. */
  async function seedFailedList(): Promise<string[]> {
    const keys: string[] = [];
    for (const n of [1, 2]) {
      const id = `01faultseed${n}${Date.now()}`.toLowerCase();
      const key = `inbound/${id}`;
      const raw = [
        `Message-ID: <seed-${n}-${Date.now()}@customer.example>`,
        `Date: ${new Date().toUTCString()}`,
        `From: Seed ${n} <seed${n}@customer.example>`,
        'To: support@caseflow.local',
        `Subject: Left in the failed list ${n}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'My order never arrived.',
        '',
      ].join('\r\n');
      await mkdir(join(dataDir, 'mail', 'inbound'), { recursive: true });
      await writeFile(join(dataDir, 'mail', key), raw);
      await recordFailure(dataDir, key, s3ObjectCreatedEvent(LOCAL_MAIL_BUCKET, key, Buffer.byteLength(raw)), new Error('an earlier failure'));
      keys.push(key);
    }
    return keys;
  }

  it('answers 503 + Retry-After on HTTP and 451 on SMTP while the store is down, restarts it, and redrive routes the failed list', async () => {
    expect((await api.call('GET', '/health')).status).toBe(200);
    await api.tokenFor('yoda'); // signed now: the test client reads the agent's roles from the store
    const before = await api.call('POST', '/web-to-case', { json: { name: 'Ann', email: 'ann@example.org', subject: 'Before the crash', description: 'x' } });
    expect(before.status).toBe(201);
    const seeded = await seedFailedList();

    const oldPid = stack.dynamo.pid()!;
    expect(processAlive(oldPid)).toBe(true);
    const killedAt = Date.now();
    process.kill(oldPid, 'SIGKILL');

    const health = await until('/health to report the outage', async () => {
      const res = await api.call('GET', '/health');
      return res.status === 503 ? res : undefined;
    });
    const detectedMs = Date.now() - killedAt;
    expect(stack.dynamo.state()).toBe('restarting');
    expect(health.body).toMatchObject({ status: 'unavailable', checks: { table: 'error' } });
    expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);

    // Every way in, at once, while the emulator is down.
    const formBody = new URLSearchParams({ name: 'Bo', email: 'bo@example.org', subject: 'During the outage (form)', description: 'y' }).toString();
    const [json, form, list, mail] = await Promise.all([
      api.call('POST', '/web-to-case', { json: { name: 'Cy', email: 'cy@example.org', subject: 'During the outage', description: 'z' } }),
      api.call('POST', '/web-to-case', { body: formBody, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      api.call('GET', '/cases', { as: 'yoda' }),
      sendMail(smtpPort, 'During the outage (mail)'),
    ]);
    expect(stack.dynamo.state()).toBe('restarting'); // all of the above happened during the outage

    for (const [name, res] of [
      ['web-to-case JSON', json],
      ['web-to-case form', form],
      ['GET /cases', list],
    ] as const) {
      expect(res.status, name).toBe(503);
      expect(Number(res.headers.get('retry-after')), name).toBeGreaterThan(0);
    }
    expect(json.body).toMatchObject({ error: 'StoreUnavailableError', message: expect.stringMatching(/try again in \d+ seconds/) });
    expect(list.body).toMatchObject({ error: 'StoreUnavailableError' });
    expect(form.headers.get('content-type')).toMatch(/text\/html/);
    expect(form.text).toContain('During the outage (form)'); // the customer's words are kept on the page
    expect(mail.code).toBe(451);
    expect(mail.response).toMatch(/^451 4\.3\.0 /);
    // The refused message is the sender's to retry: it is not in the failed list.
    expect((await listFailures(dataDir)).map((f) => f.key).sort()).toEqual([...seeded].sort());

    // Recovery: the emulator is restarted on the same port and data directory.
    await until('/health to recover', async () => ((await api.call('GET', '/health')).status === 200 ? true : undefined), { timeoutMs: 90_000 });
    const recoveredMs = Date.now() - killedAt;
    // The supervisor declares it back once the table is checked and the cases left in `new` are resumed.
    await until('the supervisor to finish the recovery', () => (stack.dynamo.state() === 'up' ? true : undefined));
    const [recovery] = stack.dynamo.recoveries();
    expect(recovery).toMatchObject({ oldPid, attempts: 1 });
    expect(recovery!.newPid).not.toBe(oldPid);
    expect(processAlive(recovery!.newPid!)).toBe(true);
    expect(processAlive(oldPid)).toBe(false);
    expect(supervisorLog.join('\n')).toMatch(/ended unexpectedly[\s\S]*restarting DynamoDB Local[\s\S]*is back/);
    // Nothing written before the crash was lost.
    expect((await api.call('GET', `/cases/${before.body.caseId}`, { as: 'yoda' })).status).toBe(200);

    // After recovery, the same requests go through; the sender's retry of the refused mail makes its case.
    const after = await api.call('POST', '/web-to-case', { json: { name: 'Cy', email: 'cy@example.org', subject: 'During the outage', description: 'z' } });
    expect(after.status).toBe(201);
    expect((await sendMail(smtpPort, 'During the outage (mail)')).code).toBe(250);

    // npm run redrive, as a user runs it: the failed list becomes cases, and each is routed in the running stack.
    const redriveStarted = Date.now();
    const out = await run('npx', ['tsx', 'bin/redrive.ts', '--data-dir', dataDir], { cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    expect(out.stdout).toContain('2 retried, 2 succeeded, 0 failed');
    expect(await listFailures(dataDir)).toEqual([]);
    const caseIds = await Promise.all(
      seeded.map(
        async (key) => (JSON.parse(await readFile(join(dataDir, 'mail', 'status', `${key.replace('/', '__')}.json`), 'utf8')) as { caseId: string }).caseId,
      ),
    );
    for (const caseId of caseIds) {
      // Started in this stack's workflow by the other process, through StartExecution.
      const execution = await stack.workflow.waitFor(caseId, { until: 'WaitForSlaDeadline' });
      expect(execution.states).toEqual(expect.arrayContaining(['Stamp', 'Route']));
      expect(execution.caught).toEqual([]);
      const c = await stack.deps.cases.get(caseId);
      expect(c!.status, caseId).not.toBe('new');
      expect(['assigned', 'queued', 'in_progress']).toContain(c!.status);
    }
    const routedMs = Date.now() - redriveStarted;

    console.log(
      `[faults] outage seen by /health ${detectedMs} ms after the kill; /health 200 again ${recoveredMs} ms after it ` +
        `(supervisor: down ${recovery!.downMs} ms, with a ${4_000} ms restart delay in this test); redrive of 2 messages routed in ${routedMs} ms`,
    );
  });

  it('keeps the outbox and the data directory intact across the restart (local-stack.json names the same endpoints)', async () => {
    const info = JSON.parse(await readFile(join(dataDir, 'local-stack.json'), 'utf8'));
    expect(info).toMatchObject({ dynamoEndpoint: stack.dynamoEndpoint, stepFunctionsEndpoint: stack.stepFunctions.endpoint });
    expect((await readdir(join(dataDir, 'dynamodb'))).some((f) => f.endsWith('.db'))).toBe(true);
  });
});

describe('when the emulator cannot be kept running', () => {
  it('gives up after more crashes than the policy allows, and the stack stops by itself', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-giveup-'));
    const lines: string[] = [];
    const stack = await startLocalStack({
      port: 0,
      dataDir,
      quiet: true,
      dynamoRestartPolicy: { maxRestarts: 1, windowMs: 5 * 60_000, initialDelayMs: 100 },
      errorLog: (line) => lines.push(line),
    });
    try {
      const first = stack.dynamo.pid()!;
      process.kill(first, 'SIGKILL');
      await until('the first restart', () => (stack.dynamo.recoveries().length === 1 ? true : undefined), { timeoutMs: 90_000 });
      const second = stack.dynamo.pid()!;
      expect(second).not.toBe(first);
      process.kill(second, 'SIGKILL');

      const error = await stack.fatal;
      expect(error.message).toMatch(/ended 2 times within 300 s.*the stack stops rather than restart it again/);
      expect(stack.dynamo.state()).toBe('stopped');
      expect(lines.join('\n')).toMatch(/giving up on DynamoDB Local[\s\S]*stopping the stack/);
      // Stopped for real: the gateway no longer answers and no Java process is left.
      await expect(fetch(`${stack.url}/health`)).rejects.toThrow();
      expect(stack.dynamo.pid()).toBeUndefined();
      expect(processAlive(second)).toBe(false);
    } finally {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('npm start --memory exits with code 1 and says why when DynamoDB Local dies (its data died with it)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-memory-'));
    const child = spawn('npx', ['tsx', 'bin/caseflow-local.ts', '--port', '0', '--smtp-port', '0', '--memory', '--quiet', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const exited = new Promise<{ code: number | null }>((done) => child.once('exit', (code) => done({ code })));
    try {
      await until('the ready line', () => (/ready/.test(output) ? true : undefined), { timeoutMs: 90_000 });
      const info = JSON.parse(await readFile(join(dataDir, 'local-stack.json'), 'utf8')) as { dynamoEndpoint: string };
      const port = new URL(info.dynamoEndpoint).port;
      // The Java process listening on the emulator's port, found as an operator would.
      const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
      const java = stdout
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l.includes('DynamoDBLocal.jar') && new RegExp(`-port ${port}(\\s|$)`).test(l));
      expect(java, output).toBeDefined();
      process.kill(Number(java!.split(/\s+/)[0]), 'SIGKILL');

      const { code } = await exited;
      expect(code).toBe(1);
      expect(output).toMatch(/caseflow-local: stopped: DynamoDB Local \(in memory, pid \d+\) ended unexpectedly .*not restarted/);
    } finally {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
