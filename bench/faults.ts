/**
 * Fault benchmark: DynamoDB Local's Java process is killed (SIGKILL) under a running local stack
 * (data on disk, SMTP on), `ROUNDS` times, and each outage is timed from outside:
 *   - detected: the kill ▶ the supervisor reporting the crash;
 *   - health down: the kill ▶ the first /health 503;
 *   - during the outage, one JSON web post and one SMTP message: their answer and how long it took;
 *   - recovered: the kill ▶ /health 200 again (the emulator restarted on the same port and data);
 *   - supervisor down: the crash ▶ the table checked and the `new` cases resumed.
 * Every round is the first crash of its restart window, so each pays the policy's first delay (1 s);
 * a second crash within 5 minutes waits 2 s, a third 4 s, and a fourth stops the stack. The Java
 * start-up dominates, and it depends on the machine's load: the load average is printed with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { median } from '../functions/core/mining/stats.js';
import { logger } from '../functions/runtime/observability.js';
import { startLocalStack } from '../lib/local/stack.js';

const ROUNDS = 3;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function smtpAnswer(port: number, n: number): Promise<number> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ from: 'bench@customer.example', to: 'support@caseflow.local', subject: `Outage ${n}`, text: 'hello' });
    return Number(info.response.slice(0, 3));
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    if (!code) throw error;
    return code;
  } finally {
    transport.close();
  }
}

export async function runFaultsBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  // Every request during an outage logs its error (as it should); here they would bury the figures.
  const level = logger.getLevelName();
  logger.setLogLevel('SILENT');
  try {
    return await measure(log);
  } finally {
    logger.setLogLevel(level);
  }
}

async function measure(log: (line: string) => void): Promise<Record<string, number>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-bench-faults-'));
  let crashedAt = 0;
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    smtpPort: 0,
    quiet: true,
    webLimits: { perIp: 10_000, perEmail: 10_000 },
    // The default delays and limits, but each round counted as the first crash of its window.
    dynamoRestartPolicy: { windowMs: 1 },
    errorLog: (line) => {
      if (/ended unexpectedly/.test(line)) crashedAt = Date.now();
    },
  });
  const smtpPort = Number(stack.services.smtp!.info!.port);
  const health = async () => (await fetch(`${stack.url}/health`)).status;
  const rows: Record<string, number>[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      await until('a healthy stack', async () => (await health()) === 200 && stack.dynamo.state() === 'up');
      const load = loadavg()[0]!;
      crashedAt = 0;
      const killedAt = Date.now();
      process.kill(stack.dynamo.pid()!, 'SIGKILL');
      await until('/health 503', async () => (await health()) === 503);
      const healthDownMs = Date.now() - killedAt;
      const [web, mail] = await Promise.all([
        timed(() =>
          fetch(`${stack.url}/web-to-case`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'Bench', email: `bench${round}@example.org`, subject: `Outage ${round}`, description: 'x' }),
          }),
        ),
        timed(() => smtpAnswer(smtpPort, round)),
      ]);
      await until('/health 200', async () => (await health()) === 200);
      const recoveredMs = Date.now() - killedAt;
      await until('the supervisor to finish', async () => stack.dynamo.state() === 'up');
      const recovery = stack.dynamo.recoveries().at(-1)!;
      const row = {
        detectedMs: crashedAt - killedAt,
        healthDownMs,
        webStatus: web.value.status,
        webRetryAfterS: Number(web.value.headers.get('retry-after')),
        webAnswerMs: web.ms,
        smtpCode: mail.value,
        smtpAnswerMs: mail.ms,
        recoveredMs,
        supervisorDownMs: recovery.downMs,
        load1m: load,
      };
      rows.push(row);
      log(
        `round ${round}: crash seen in ${row.detectedMs} ms, /health 503 after ${healthDownMs} ms; during the outage web ${row.webStatus} ` +
          `(Retry-After ${row.webRetryAfterS} s) in ${web.ms} ms, SMTP ${mail.value} in ${mail.ms} ms; /health 200 after ${recoveredMs} ms ` +
          `(supervisor: down ${recovery.downMs} ms); load average ${load.toFixed(1)}`,
      );
    }
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  const stat = (key: string) => rows.map((r) => r[key]!);
  const figures: Record<string, number> = {
    'faults.rounds': rows.length,
    'faults.detectedMs.max': Math.max(...stat('detectedMs')),
    'faults.webAnswerMs.median': median(stat('webAnswerMs')),
    'faults.smtpAnswerMs.median': median(stat('smtpAnswerMs')),
    'faults.recoveredMs.min': Math.min(...stat('recoveredMs')),
    'faults.recoveredMs.median': median(stat('recoveredMs')),
    'faults.recoveredMs.max': Math.max(...stat('recoveredMs')),
    'faults.web503.rounds': rows.filter((r) => r.webStatus === 503 && r.webRetryAfterS! > 0).length,
    'faults.smtp451.rounds': rows.filter((r) => r.smtpCode === 451).length,
    'faults.load1m.median': median(stat('load1m')),
  };
  return figures;
}
