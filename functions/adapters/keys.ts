/**
 * Every key format of the single table, in one place. Nothing else in the code base builds a
 * `pk`, `sk` or `gsi*` value by hand. The table of items, keys and indexes they make is
 * docs/architecture.md#keys (test/unit/docs.test.ts builds each key here and checks it is there).
 *
 * Parts taken from inbound mail (Message-IDs, addresses, file names) are as long as a sender likes;
 * DynamoDB refuses a partition key of 2048 bytes or a sort key of 1024, and a file system a name of
 * 256. Such parts go through `boundedKeyPart`: kept as they are up to a limit, beyond it cut and
 * ended with a digest of the whole, so two different long values never share a key.
 */
import { createHash } from 'node:crypto';

const SEP = '#';

/** The most bytes of a mail-derived value kept readable in a key (well inside DynamoDB's 1024-byte sort key). */
export const MAX_KEY_PART_BYTES = 512;

/** The longest prefix of `value` within `maxBytes` of UTF-8, never splitting a character. */
function utf8Prefix(value: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of value) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return value.slice(0, end);
}

/**
 * `value` itself when it fits in `maxBytes` of UTF-8; else its longest prefix that leaves room for
 * `~` and the sha256 of the whole value (hex). Deterministic: the same value always maps to the same part.
 */
export function boundedKeyPart(value: string, maxBytes: number = MAX_KEY_PART_BYTES): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  const digest = createHash('sha256').update(value, 'utf8').digest('hex');
  return `${utf8Prefix(value, Math.max(0, maxBytes - digest.length - 1))}~${digest}`;
}

/** Raw-mail objects live under `inbound/`; the parts written beside them (attachments, long bodies) under `parts/`. */
export const INBOUND_PREFIX = 'inbound/';
export const PARTS_PREFIX = 'parts/';
/** One path segment of a stored part: file systems refuse names of more than 255 bytes. */
export const MAX_PART_NAME_BYTES = 200;

/**
 * `inbound/abc123` ▶ `parts/abc123/<name>`: beside the raw message, outside the notified prefix. The
 * name is one path segment of at most MAX_PART_NAME_BYTES bytes (a longer one keeps its start, a
 * digest and its extension).
 */
export function partKey(rawKey: string, name: string): string {
  const base = rawKey.startsWith(INBOUND_PREFIX) ? rawKey.slice(INBOUND_PREFIX.length) : rawKey.replace(/\//g, '_');
  const segment = name.replace(/[/\\]/g, '_') || 'part';
  let bounded = segment;
  if (Buffer.byteLength(segment, 'utf8') > MAX_PART_NAME_BYTES) {
    const ext = /\.[A-Za-z0-9]{1,10}$/.exec(segment)?.[0] ?? '';
    bounded = `${boundedKeyPart(segment.slice(0, segment.length - ext.length), MAX_PART_NAME_BYTES - ext.length)}${ext}`;
  }
  return `${PARTS_PREFIX}${boundedKeyPart(base)}/${bounded}`;
}

export const caseKey = (caseId: string) => ({ pk: `CASE${SEP}${caseId}`, sk: 'CASE' });
export const casePartition = (caseId: string) => `CASE${SEP}${caseId}`;
export const messageSortKey = (messageId: string) => `MSG${SEP}${messageId}`;
export const eventSortKey = (eventId: string) => `EVT${SEP}${eventId}`;
export const decisionSortKey = (decisionId: string) => `DEC${SEP}${decisionId}`;
export const SORT_PREFIX = { message: `MSG${SEP}`, event: `EVT${SEP}`, decision: `DEC${SEP}` } as const;

export const caseNumberKey = (caseNumber: string) => ({ pk: `CASENO${SEP}${caseNumber}`, sk: 'CASENO' });
export const caseNumberCounterKey = () => ({ pk: `COUNTER${SEP}caseNumber`, sk: 'COUNTER' });

export const idempotencyKey = (scope: string, key: string) => ({ pk: `IDEMP${SEP}${scope}${SEP}${boundedKeyPart(key)}`, sk: 'IDEMP' });
export const inboundMessageIdKey = (messageId: string) => ({ pk: `INMSG${SEP}${boundedKeyPart(messageId)}`, sk: 'DEDUPE' });
export const inboundHashKey = (sha256: string) => ({ pk: `INHASH${SEP}${sha256}`, sk: 'DEDUPE' });
export const outboundMessageIdKey = (messageId: string) => ({ pk: `OUTMSG${SEP}${boundedKeyPart(messageId)}`, sk: 'OUTMSG' });
/** What email intake knows about an address (bounces, complaints); cases keep their own copy of the contact. */
export const emailContactKey = (email: string) => ({ pk: `EMAILCONTACT${SEP}${boundedKeyPart(email.toLowerCase())}`, sk: 'CONTACT' });
/** Inbound mail that made or joined no case (rejected, unmatched bounces and reports), by day. */
export const mailLogKey = (at: string, id: string) => ({ pk: `MAILLOG${SEP}${at.slice(0, 10)}`, sk: `${at}${SEP}${boundedKeyPart(id)}` });
/** A token bucket per scope and key (functions/adapters/rate-limiter.ts); `GCRA` tells it from the old per-window counters. */
export const rateLimitKey = (scope: string, key: string) => ({ pk: `RATE${SEP}${scope}${SEP}${boundedKeyPart(key)}`, sk: 'GCRA' });

export const agentStateKey = (agentId: string) => ({ pk: `AGENT${SEP}${agentId}`, sk: 'STATE' });

/**
 * An agent away or offline sits in the due-work index under `DUE#absent`, ordered by when the absence
 * began, until a sweep has handled it (reassigned their work) or they come back online.
 */
export const ABSENT_DUE_KIND = 'absent';
export const absentAgentIndexKeys = (presenceSince: string, agentId: string) => ({
  gsi5pk: duePartition(ABSENT_DUE_KIND),
  gsi5sk: `${presenceSince}${SEP}${agentId}`,
});

/** The upper bound of a due-index range "at or before `at`": every `<at>#<id>` sorts below it. */
export const dueUpTo = (at: string) => `${at}${SEP}\uffff`;

export const configCurrentKey = () => ({ pk: 'CONFIG', sk: 'CURRENT' });
export const configVersionKey = (version: number) => ({ pk: 'CONFIG', sk: `V${SEP}${String(version).padStart(8, '0')}` });

export const alertKey = (at: string, alertId: string) => ({ pk: `ALERT${SEP}${at.slice(0, 10)}`, sk: `${at}${SEP}${alertId}` });

/** Index keys of a case item. Absent values leave the attribute out, so the indexes stay sparse. */
export interface CaseIndexInput {
  caseId: string;
  status: string;
  priorityRank: number;
  createdAt: string;
  owner?: string;
  queue?: string;
  contactEmail?: string;
  accountId?: string;
  due?: { kind: string; at: string };
}

export function caseIndexKeys(c: CaseIndexInput): Record<string, string> {
  const keys: Record<string, string> = {
    gsi6pk: caseStatusPartition(c.status),
    gsi6sk: `${c.createdAt}${SEP}${c.caseId}`,
  };
  if (c.owner) {
    keys.gsi1pk = ownerPartition(c.owner);
    keys.gsi1sk = `${c.status}${SEP}${c.createdAt}${SEP}${c.caseId}`;
  }
  if (c.queue) {
    keys.gsi2pk = queuePartition(c.queue);
    keys.gsi2sk = queueSortKey(c.status, c.priorityRank, c.createdAt, c.caseId);
  }
  if (c.contactEmail) {
    keys.gsi3pk = contactPartition(c.contactEmail);
    keys.gsi3sk = `${c.createdAt}${SEP}${c.caseId}`;
  }
  if (c.accountId) {
    keys.gsi4pk = accountPartition(c.accountId);
    keys.gsi4sk = `${c.createdAt}${SEP}${c.caseId}`;
  }
  if (c.due) {
    keys.gsi5pk = duePartition(c.due.kind);
    keys.gsi5sk = `${c.due.at}${SEP}${c.caseId}`;
  }
  return keys;
}

export const CASE_INDEX_ATTRIBUTES = [
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'gsi5pk',
  'gsi5sk',
  'gsi6pk',
  'gsi6sk',
] as const;

export const ownerPartition = (agentId: string) => `OWNER${SEP}${agentId}`;
export const queuePartition = (queueId: string) => `QUEUE${SEP}${queueId}`;
export const contactPartition = (email: string) => `CONTACT${SEP}${boundedKeyPart(email.toLowerCase())}`;
export const accountPartition = (accountId: string) => `ACCOUNT${SEP}${accountId}`;
export const duePartition = (kind: string) => `DUE${SEP}${kind}`;
export const caseStatusPartition = (status: string) => `STATUS${SEP}${status}`;
export const eventDayPartition = (at: string) => `EVTDAY${SEP}${at.slice(0, 10)}`;

/** Status, then priority rank (0 = most urgent), then age: a queue's waiting cases in dispatch order. */
export const queueSortKey = (status: string, rank: number, createdAt: string, caseId: string) =>
  `${status}${SEP}${String(rank).padStart(2, '0')}${SEP}${createdAt}${SEP}${caseId}`;
export const statusPrefix = (status: string) => `${status}${SEP}`;

/**
 * The subject-word index (functions/core/subject-words.ts): one item per distinct word of a case's
 * subject, written with the case. Partitioned by the word's first SUBJECT_WORD_PARTITION_CHARS
 * characters, so a whole word (`printer#`) and a prefix of at least that many (`prin`) are each one
 * Query of one partition; newest first within a word.
 */
export const SUBJECT_WORD_PARTITION_CHARS = 3;
export const subjectWordPartition = (word: string) => `WORD${SEP}${[...word].slice(0, SUBJECT_WORD_PARTITION_CHARS).join('')}`;
export const subjectWordKey = (word: string, createdAt: string, caseId: string) => ({
  pk: subjectWordPartition(word),
  sk: `${word}${SEP}${createdAt}${SEP}${caseId}`,
});
/** The partition and sort-key prefix a search term reads: the word and its separator, or the letters typed. */
export const subjectWordQuery = (term: { word: string; prefix: boolean }) => ({
  pk: subjectWordPartition(term.word),
  skPrefix: term.prefix ? term.word : `${term.word}${SEP}`,
});
