/**
 * Email-to-case on the laptop: an SMTP listener (smtp-server) on 127.0.0.1 that takes mail for any
 * recipient, stores the raw message in the data directory exactly as SES stores it in the raw-mail
 * bucket (with the Return-Path and Received headers a receiving server prepends), and runs the same
 * intake handler Lambda runs, with the same S3 event shape. A message whose processing fails is
 * still accepted (it is stored) and goes to the failed list that `npm run redrive` replays, except
 * while the case store is unreachable: then the answer is `451 4.3.0` (try again later) and nothing
 * goes to the failed list: the sending server keeps the message and retries, as MTAs do for any 4xx.
 * The copy stored here stays (a case written before the store went away may already refer to it).
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { monotonicFactory } from 'ulid';
import { StoreUnavailableError } from '../../functions/core/errors.js';
import { createHandler, s3ObjectCreatedEvent } from '../../functions/handlers/intake-email.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { LOCAL_MAIL_BUCKET, clearFailure, loadOrCreateThreadingKey, makeFileRawMailStore, recordFailure } from './mail-store.js';
import { makeOutboxMailer } from './outbox-mailer.js';
import type { LocalService } from './service.js';

export const DEFAULT_SMTP_PORT = 2525;
/** SES takes messages up to 40 MB; so does the local listener. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export type IntakeFunction = (event: unknown) => Promise<unknown>;

/** AppDeps with the local email adapters: the data-dir mail store, the outbox mailer and the local threading key. */
export async function withLocalEmail(deps: AppDeps, dataDir: string, relay?: string): Promise<{ deps: AppDeps; close(): void }> {
  const mailer = makeOutboxMailer({ dataDir, ...(relay ? { relay } : {}) });
  return {
    deps: { ...deps, rawMail: makeFileRawMailStore(dataDir), mailer, threadingKeys: await loadOrCreateThreadingKey(dataDir) },
    close: () => mailer.close(),
  };
}

export interface SmtpIntakeOptions {
  dataDir: string;
  /** The intake handler (createHandler of functions/handlers/intake-email.ts). */
  intake: IntakeFunction;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  maxMessageBytes?: number;
  log?: (line: string) => void;
}

export interface SmtpIntake {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** What a receiving server prepends: where the message came from, as SES records it in the bucket. */
function traceHeaders(session: SMTPServerSession, id: string, at: Date): string {
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const rcpt = session.envelope.rcptTo.map((r) => r.address).join(', ');
  const helo = (session.hostNameAppearsAs || 'unknown').replace(/[\r\n]/g, '');
  return (
    `Return-Path: <${mailFrom}>\r\n` +
    `Received: from ${helo} (${session.remoteAddress}) by caseflow-local with ESMTP id ${id}\r\n` +
    ` for <${rcpt}>; ${at.toUTCString().replace('GMT', '+0000')}\r\n`
  );
}

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  const store = makeFileRawMailStore(options.dataDir);
  const nextId = monotonicFactory();
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const log = options.log ?? (() => undefined);

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) throw Object.assign(new Error(`message larger than ${maxBytes} bytes`), { responseCode: 552 });
    const id = nextId().toLowerCase();
    const key = `inbound/${id}`;
    const raw = Buffer.concat([Buffer.from(traceHeaders(session, id, new Date()), 'latin1'), ...chunks]);
    // Stored before anything else happens: from here on the message cannot be lost.
    await store.put(key, raw);
    const event = s3ObjectCreatedEvent(LOCAL_MAIL_BUCKET, key, raw.byteLength);
    try {
      await options.intake(event);
      await clearFailure(options.dataDir, key);
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        // Transient, and the sender still holds the message: refuse it for now rather than accept it
        // into a list someone has to redrive by hand. Whatever intake wrote before the store went
        // away is deduplicated when the message comes again.
        log(`email ${key} refused with 451: the case store is unavailable; the sender will retry`);
        throw Object.assign(new Error(`4.3.0 The case store is unavailable right now; try again in ${error.retryAfterSeconds} seconds`), {
          responseCode: 451,
        });
      }
      await recordFailure(options.dataDir, key, event, error);
      log(`email ${key} failed (${(error as Error).message}); kept for npm run redrive`);
    }
    return id;
  }

  const server = new SMTPServer({
    name: 'caseflow-local',
    banner: 'caseflow local email-to-case',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    size: maxBytes,
    logger: false,
    // Any recipient: every address at any domain reaches intake, as a catch-all receipt rule does.
    onRcptTo(_address, _session, callback) {
      callback();
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (id) => callback(null, `queued as ${id}`),
        (error: Error & { responseCode?: number }) => {
          if (!error.responseCode) error.responseCode = 451;
          callback(error);
        },
      );
    },
  });
  server.on('error', (error) => log(`SMTP error: ${error.message}`));

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolvePromise, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(options.port, host, () => {
      server.server.off('error', onError);
      resolvePromise();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    url: `smtp://${host}:${port}`,
    stop: () => new Promise<void>((resolvePromise) => server.close(() => resolvePromise())),
  };
}

export interface SmtpServiceOptions {
  /** Default 2525; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Also hand outgoing mail (acknowledgements) to this SMTP server: `smtp://127.0.0.1:1025`. */
  relay?: string;
}

/** The local stack's pluggable SMTP service (`--smtp-port`, `--smtp-relay`). */
export function smtpService(options: SmtpServiceOptions = {}): LocalService {
  return {
    name: 'smtp',
    async start(context) {
      const email = await withLocalEmail(context.deps, context.dataDir, options.relay);
      const intake = createHandler(email.deps);
      const port = options.port ?? DEFAULT_SMTP_PORT;
      const smtp = await startSmtpIntake({
        dataDir: context.dataDir,
        intake: (event) => intake(event),
        port,
        ...(options.host ? { host: options.host } : {}),
        log: context.log,
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new Error(`SMTP port ${port} is in use: pick another with --smtp-port (0 = any free port)`);
        throw error;
      });
      context.log(
        `email-to-case: SMTP on ${smtp.url} (any recipient), outbox in ${context.dataDir}/outbox${options.relay ? `, relayed to ${options.relay}` : ''}`,
      );
      return {
        url: smtp.url,
        info: { port: smtp.port, ...(options.relay ? { relay: options.relay } : {}) },
        async stop() {
          await smtp.stop();
          email.close();
        },
      };
    },
  };
}
