/**
 * Email benchmark: messages per second from SMTP to written case on the local stack (the real SMTP
 * listener, intake handler, DynamoDB Local and the workflow start), and MIME parse time p50/p99 over
 * the 80 messages of ../shared/data/emails with the production parser adapter.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { makeMimeParser } from '../functions/adapters/mime-parser.js';

const CORPUS = new URL('../../shared/data/emails/', import.meta.url);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runEmailBench(
  log: (line: string) => void = console.log,
  options: { messages?: number; concurrency?: number; rounds?: number } = {},
): Promise<Record<string, number>> {
  const index = JSON.parse(await readFile(new URL('emails_index.json', CORPUS), 'utf8')) as { local: string }[];
  const corpus = await Promise.all(index.map((e) => readFile(new URL(e.local.replace(/^emails\//, ''), CORPUS))));

  // 1. Parse time over the corpus (the adapter: mailparser, header fallback, sanitising, text from HTML).
  const parser = makeMimeParser();
  for (const raw of corpus) await parser.parse(raw); // warm-up
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
  const parseP50 = percentile(samples, 50);
  const parseP99 = percentile(samples, 99);
  log(
    `parse: ${samples.length} parses of ${corpus.length} messages: p50 ${parseP50.toFixed(2)} ms, p99 ${parseP99.toFixed(2)} ms, max ${samples[samples.length - 1]!.toFixed(1)} ms`,
  );

  // 2. SMTP to written case on the local stack.
  await import('../lib/local/polyfills.js');
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

    const t1 = Date.now();
    for (const raw of corpus) await transports[0]!.sendMail({ envelope: { from: 'b@customer.example', to: ['support@caseflow.local'] }, raw });
    const corpusSeconds = (Date.now() - t1) / 1000;
    log(`SMTP to written case, the 80 corpus messages one by one: ${(corpus.length / corpusSeconds).toFixed(1)} msg/s`);
    for (const t of transports) t.close();
    return {
      'email.smtp_to_case_per_second': perSecond,
      'email.corpus_per_second': corpus.length / corpusSeconds,
      'email.parse_p50_ms': parseP50,
      'email.parse_p99_ms': parseP99,
    };
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
