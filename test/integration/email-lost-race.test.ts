/**
 * Two deliveries of one message at once (a Lambda retry beside an SES redelivery): both find no
 * record, both try the conditional write, one wins. The loser must finish as a redelivery does
 * (`duplicate`, nothing filed twice), whether the message was creating a case or joining one. The
 * real intake handler, the file raw-mail store and DynamoDB Local; the only thing added is a gate
 * that holds both deliveries at the write until both are there, then lets the first finish before
 * the second writes.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { EmailStore } from '../../functions/core/ports/email-intake.js';
import type { EmailMessage } from '../../functions/core/use-cases/receive-email.js';
import { createHandler, s3ObjectCreatedEvent } from '../../functions/handlers/intake-email.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { LOCAL_MAIL_BUCKET, makeFileRawMailStore } from '../../lib/local/mail-store.js';
import { withLocalEmail } from '../../lib/local/smtp.js';
import { freshTable } from '../support/dynamo.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('email-lost-race');
let dataDir: string;
let deps: AppDeps;
let intake: ReturnType<typeof createHandler>;
const started: string[] = [];

/** While set: the delivery of `first` writes once `second` has reached the write too; `second` writes once `first` is done. */
let gate: { first: string; second: string; arrived: Promise<void>; arrive(): void; firstDone: Promise<void> } | undefined;

async function atTheWrite(rawRef: string | undefined): Promise<void> {
  const g = gate;
  if (!g || (rawRef !== g.first && rawRef !== g.second)) return;
  if (rawRef === g.second) {
    g.arrive();
    await g.firstDone;
  } else {
    await g.arrived;
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-email-race-'));
  const base = makeAppDeps({
    table: db.table,
    alerts: { publish: async () => undefined },
    workflow: { startCase: async (id) => void started.push(id) },
  });
  await base.configs.put(
    parseRoutingConfig(makeRoutingConfigInput({ email: { fromAddress: 'support@caseflow.test' } } as never)),
    0,
    'test',
    new Date().toISOString(),
  );
  const local = (await withLocalEmail(base, dataDir)).deps;
  const store = local.emailStore;
  const gated: EmailStore = {
    ...store,
    createCase: async (command) => {
      await atTheWrite((command.messages[0] as EmailMessage | undefined)?.rawRef);
      return store.createCase(command);
    },
    appendMessage: async (command) => {
      await atTheWrite((command.message as EmailMessage).rawRef);
      return store.appendMessage(command);
    },
  };
  deps = { ...local, emailStore: gated };
  intake = createHandler(deps);
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let counter = 0;
/** The same message as two deliveries: each with its own trace headers (as SES writes them), stored under its own key. */
async function store(message: string): Promise<string> {
  const key = `inbound/race-${++counter}-${Date.now()}`;
  const bytes = Buffer.from(`Received: from mx${counter}.customer.example by caseflow-local; ${new Date().toUTCString()}\r\n${message}`);
  await makeFileRawMailStore(dataDir).put(key, bytes);
  return key;
}

const run = async (key: string) => (await intake(s3ObjectCreatedEvent(LOCAL_MAIL_BUCKET, key))).results[0]!;

/** Both deliveries at once, held at the write so both miss each other's record; the second loses. */
async function race(message: string) {
  const [first, second] = [await store(message), await store(message)];
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  let done!: () => void;
  const firstDone = new Promise<void>((resolve) => {
    done = resolve;
  });
  gate = { first, second, arrived, arrive, firstDone };
  try {
    const winner = run(first).finally(done);
    const loser = run(second);
    return { first, second, winner: await winner, loser: await loser };
  } finally {
    gate = undefined;
  }
}

const ackFiles = async () => (await readdir(join(dataDir, 'outbox')).catch(() => [] as string[])).filter((f) => f.includes('-ack-'));
const status = async (key: string) => JSON.parse(await readFile(join(dataDir, 'mail', 'status', `${key.replace('/', '__')}.json`), 'utf8'));

const message = (id: string, subject: string, extra = '') =>
  `From: Ada <ada@customer.example>\r\nTo: support@caseflow.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n${extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, please help.\r\n`;

describe('two deliveries of one message racing', () => {
  it('creates one case: the loser of the write finishes as a duplicate, with no second acknowledgement', async () => {
    const id = `race-new-${Date.now()}@customer.example`;
    const acksBefore = (await ackFiles()).length;
    const { second, winner, loser } = await race(message(id, 'Printer on fire'));

    expect(winner).toMatchObject({ outcome: 'created', acknowledged: true });
    expect(loser).toMatchObject({ outcome: 'duplicate', caseId: winner.caseId, caseNumber: winner.caseNumber, acknowledged: false });
    expect(loser.reasons).toEqual([`already filed on case ${winner.caseNumber} (Message-ID <${id}>)`]);
    expect(await status(second)).toMatchObject({ status: 'duplicate', caseId: winner.caseId });
    const found = (await deps.cases.getWithHistory(winner.caseId!))!;
    expect(found.messages.filter((m) => m.direction === 'inbound')).toHaveLength(1);
    expect((await ackFiles()).length - acksBefore).toBe(1);
    expect(started.filter((c) => c === winner.caseId).length).toBeGreaterThanOrEqual(1);
  });

  it('joins a case once: the loser of the write finishes as a duplicate, the message is filed once', async () => {
    const firstId = `race-open-${Date.now()}@customer.example`;
    const opened = await run(await store(message(firstId, 'Scanner jammed')));
    expect(opened.outcome).toBe('created');

    const replyId = `race-reply-${Date.now()}@customer.example`;
    const { winner, loser } = await race(message(replyId, 'Re: Scanner jammed', `In-Reply-To: <${firstId}>\r\nReferences: <${firstId}>\r\n`));

    expect(winner).toMatchObject({ outcome: 'joined', caseId: opened.caseId });
    expect(loser).toMatchObject({ outcome: 'duplicate', caseId: opened.caseId, acknowledged: false });
    const found = (await deps.cases.getWithHistory(opened.caseId!))!;
    expect((found.messages as EmailMessage[]).filter((m) => m.emailMessageId === replyId)).toHaveLength(1);
    expect(found.events.filter((e) => e.activity === 'message_received')).toHaveLength(1);
  });
});
