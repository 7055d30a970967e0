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
 * Which case a swarm's Slack conversation belongs to: a swarm channel (`-` for "the whole channel"),
 * or a thread in a shared channel (its root message's ts). Written when the Slack app opens it.
 */
export const chatConversationKey = (channel: string, threadTs?: string) => ({
  pk: `CHAT${SEP}slack${SEP}${boundedKeyPart(channel, 64)}${SEP}${threadTs ? boundedKeyPart(threadTs, 64) : '-'}`,
  sk: 'CHAT',
});

/**
 * An agent away or offline sits in the due-work index under `DUE#absent`, ordered by when the absence
 * began, until a sweep has handled it (reassigned their work) or they come back online.
 */
export const ABSENT_DUE_KIND = 'absent';
export const absentAgentIndexKeys = (presenceSince: string, agentId: string) => ({
  gsi5pk: duePartition(ABSENT_DUE_KIND, shardOf(agentId)),
  gsi5sk: `${presenceSince}${SEP}${agentId}`,
});
/** The attributes that put an item in the due-work index; removing them takes it out. */
export const DUE_INDEX_ATTRIBUTES = ['gsi5pk', 'gsi5sk'] as const;

/** The upper bound of a due-index range "at or before `at`": every `<at>#<id>` sorts below it. */
export const dueUpTo = (at: string) => `${at}${SEP}\uffff`;

export const configCurrentKey = () => ({ pk: 'CONFIG', sk: 'CURRENT' });
/** The applied version alone: a small item every reader reads (consistently), before the version it names. */
export const configPointerKey = () => ({ pk: 'CONFIG', sk: 'POINTER' });
export const configVersionKey = (version: number) => ({ pk: 'CONFIG', sk: `V${SEP}${String(version).padStart(8, '0')}` });

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
  const shard = shardOf(c.caseId);
  const keys: Record<string, string> = {
    gsi6pk: caseStatusPartition(c.status, shard),
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
    keys.gsi5pk = duePartition(c.due.kind, shard);
    keys.gsi5sk = `${c.due.at}${SEP}${c.caseId}`;
  }
  return keys;
}

const CASE_INDEX_ATTRIBUTES = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'gsi5pk', 'gsi5sk', 'gsi6pk', 'gsi6sk'] as const;

/** Attributes of the storage, not of the domain object: the table's and indexes' keys, the TTL, the item kind. */
const STORAGE_ATTRIBUTES = new Set<string>(['pk', 'sk', 'expiresAt', 'entity', ...CASE_INDEX_ATTRIBUTES]);
export const isStorageAttribute = (name: string) => STORAGE_ATTRIBUTES.has(name) || /^gsi\d(pk|sk)$/.test(name);

export const ownerPartition = (agentId: string) => `OWNER${SEP}${agentId}`;
export const queuePartition = (queueId: string) => `QUEUE${SEP}${queueId}`;
export const contactPartition = (email: string) => `CONTACT${SEP}${boundedKeyPart(email.toLowerCase())}`;
export const accountPartition = (accountId: string) => `ACCOUNT${SEP}${accountId}`;

/**
 * Write sharding of the partitions every case or event would otherwise share (cases by status,
 * events by day, work due by time): each item goes to one of `INDEX_SHARDS` partitions, chosen
 * from its own id, and readers query all of them in parallel and merge (functions/adapters/access-patterns.ts).
 * The fan-out is fixed: changing it moves items between partitions (docs/architecture.md#sharded-partitions).
 */
export const INDEX_SHARDS = 8;
/** Every shard number, in order. */
export const SHARDS: readonly number[] = Array.from({ length: INDEX_SHARDS }, (_, i) => i);

/** The shard of an id: FNV-1a (32 bits) of its UTF-16 code units, modulo the fan-out. Deterministic, evenly spread. */
export function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % INDEX_SHARDS;
}

/**
 * A sharded partition is `<partition>#<shard>`; items written before sharding sit in the bare
 * `<partition>`, which readers still query (`UNSHARDED`) until `npm run migrate:shards` has moved them.
 */
export const UNSHARDED = 'unsharded' as const;
export type Shard = number | typeof UNSHARDED;
const sharded = (partition: string, shard: Shard) => (shard === UNSHARDED ? partition : `${partition}${SEP}${shard}`);
/** The shards a reader asks: every shard, then the partition of items written before sharding. */
export const READ_SHARDS: readonly Shard[] = [...SHARDS, UNSHARDED];

export const duePartition = (kind: string, shard: Shard) => sharded(`DUE${SEP}${kind}`, shard);
export const caseStatusPartition = (status: string, shard: Shard) => sharded(`STATUS${SEP}${status}`, shard);
export const eventDayPartition = (at: string, shard: Shard) => sharded(`EVTDAY${SEP}${at.slice(0, 10)}`, shard);

/** An event's place in the events-by-day index: its day's shard for its id, in time order. */
export const eventIndexKeys = (at: string, eventId: string) => ({
  gsi6pk: eventDayPartition(at, shardOf(eventId)),
  gsi6sk: `${at}${SEP}${eventId}`,
});

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
