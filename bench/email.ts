/**
 * Email benchmark: messages per second from SMTP to written case on the local stack (the real SMTP
 * listener, intake handler, DynamoDB Local and the workflow start), and, over a folder of real-world
 * mail, MIME parse time p50/p99 with the production parser adapter and the same folder sent over SMTP.
 *
 * The real-world mail is not part of this repository. It is read from `<data dir>/emails/`
 * (`--data-dir DIR` or CASEFLOW_DATA_DIR: the folder holding emails/emails_index.json and the
 * messages it lists). Without a data dir those two measurements are skipped, saying so, and the
 * SMTP measurement still runs. test/fixtures has the same layout with hand-written messages.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { makeMimeParser } from '../functions/adapters/mime-parser.js';

export interface EmailBenchOptions {
  /** The folder holding emails/emails_index.json (bin/bench.ts passes --data-dir or CASEFLOW_DATA_DIR). */
  dataDir?: string;
  messages?: number;
  concurrency?: number;
  rounds?: number;
}

const NEEDS = 'a folder of real-world mail: emails/emails_index.json (a JSON list of { "local": "emails/<file>" }) and the messages it lists';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A data dir was given but lacks what a part needs: bin/bench.ts prints the message alone and exits 2. */
export class MissingDataError extends Error {
  override name = 'MissingDataError';
}

/** The messages of `<dataDir>/emails/`, or undefined when no data dir was given. A data dir without them is an error. */
export async function loadMailCorpus(dataDir: string | undefined): Promise<{ dir: string; messages: Buffer[] } | undefined> {
  if (!dataDir) return undefined;
  const dir = resolve(dataDir, 'emails');
  const indexPath = join(dir, 'emails_index.json');
  if (!existsSync(indexPath))
    throw new MissingDataError(`the email benchmark needs ${NEEDS}; ${indexPath} does not exist (--data-dir / CASEFLOW_DATA_DIR is ${dataDir})`);
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { local: string }[];
  const messages = await Promise.all(index.map((e) => readFile(join(dir, e.local.replace(/^emails\//, '')))));
  if (messages.length === 0) throw new MissingDataError(`the email benchmark needs ${NEEDS}; ${indexPath} lists none`);
  return { dir, messages };
}

export async function runEmailBench(log: (line: string) => void = console.log, options: EmailBenchOptions = {}): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const mail = await loadMailCorpus(options.dataDir);
  const corpus = mail?.messages ?? [];

  // 1. Parse time over the corpus (the adapter: mailparser, header fallback, sanitising, text from HTML).
  if (!mail) {
    log(`parse time over real-world mail: skipped, it needs ${NEEDS}; pass --data-dir DIR or set CASEFLOW_DATA_DIR`);
  } else {
    const parser = makeMimeParser();
    for (const raw of corpus) await parser.parse(raw).catch(() => undefined); // warm-up
    const samples: number[] = [];
    const rounds = options.rounds ?? 5;
    for (let r = 0; r < rounds; r++) {
      for (const raw of corpus) {
        const t = process.hrtime.bigint();
        await parser.parse(raw).catch(() => undefined);
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    samples.sort((a, b) => a - b);
    figures['email.parse_p50_ms'] = percentile(samples, 50);
    figures['email.parse_p99_ms'] = percentile(samples, 99);
    log(
      `parse: ${samples.length} parses of the ${corpus.length} messages in ${mail.dir}: p50 ${figures['email.parse_p50_ms'].toFixed(2)} ms, p99 ${figures['email.parse_p99_ms'].toFixed(2)} ms, max ${samples[samples.length - 1]!.toFixed(1)} ms`,
    );
  }

  // 2. SMTP to written case on the local stack.
  const { startLocalStack } = await import('../lib/local/stack.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-bench-email-'));
  log('starting the local stack (DynamoDB Local in memory, SMTP on a free port)...');
  const stack = await startLocalStack({ port: 0, memory: true, dataDir, smtpPort: 0, quiet: true });
  try {
    const smtpPort = Number(stack.services.smtp!.info!.port);
    const total = options.messages ?? 200;
    const concurrency = options.concurrency ?? 4;
    const transports = Array.from({ length: concurrency }, () =>
      nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, pool: false }),
    );
    const message = (i: number) =>
      Buffer.from(
        [
          `Message-ID: <bench-${i}-${Date.now()}@customer.example>`,
          `From: Customer ${i} <customer${i % 50}@customer.example>`,
          'To: support@caseflow.local',
          `Subject: Benchmark request ${i}`,
          `Date: ${new Date().toUTCString()}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          `Request number ${i}.`,
          '',
        ].join('\r\n'),
      );
    // Warm-up: the first messages pay for JIT and connections.
    for (let i = 0; i < 5; i++)
      await transports[0]!.sendMail({ envelope: { from: 'b@customer.example', to: ['support@caseflow.local'] }, raw: message(-i - 1) });
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      transports.map(async (transport) => {
        while (next < total) {
          const i = next++;
          // The listener answers 250 only once the case is written (and acknowledged): this is SMTP to written case.
          await transport.sendMail({ envelope: { from: 'b@customer.example', to: ['support@caseflow.local'] }, raw: message(i) });
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    const perSecond = total / seconds;
    log(
      `SMTP to written case: ${total} new-case messages, ${concurrency} connections: ${perSecond.toFixed(1)} msg/s (${((seconds * 1000) / total).toFixed(1)} ms each on average)`,
    );
    figures['email.smtp_to_case_per_second'] = perSecond;

    if (!mail) {
      log('the real-world mail over SMTP: skipped, it needs the same folder (--data-dir DIR or CASEFLOW_DATA_DIR)');
    } else {
      const t1 = Date.now();
      for (const raw of corpus) await transports[0]!.sendMail({ envelope: { from: 'b@customer.example', to: ['support@caseflow.local'] }, raw });
      const corpusSeconds = (Date.now() - t1) / 1000;
      figures['email.corpus_per_second'] = corpus.length / corpusSeconds;
      log(`SMTP to written case, the ${corpus.length} messages of ${mail.dir} one by one: ${figures['email.corpus_per_second'].toFixed(1)} msg/s`);
    }
    for (const t of transports) t.close();
    return figures;
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
