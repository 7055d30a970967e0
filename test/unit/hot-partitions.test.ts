import { encodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { caseItem, decisionItem, eventItem, messageItem } from '../../functions/adapters/case-repository.js';
import {
  INDEX_SHARDS,
  agentStateKey,
  caseIndexKeys,
  caseKey,
  caseNumberCounterKey,
  caseNumberKey,
  caseStatusPartition,
  configPointerKey,
  eventIndexKeys,
  idempotencyKey,
  inboundHashKey,
  inboundMessageIdKey,
  ownerPartition,
  queuePartition,
  rateLimitKey,
  shardOf,
} from '../../functions/adapters/keys.js';
import { TABLE } from '../../functions/adapters/table-definition.js';
import type { CaseRecord, CaseStatus } from '../../functions/core/case.js';
import type { CaseEvent } from '../../functions/core/events.js';
import { OPEN_STATUSES } from '../../functions/core/case.js';

/**
 * A peak hour of a company-wide deployment, written key by key: 100 new cases a second, each with
 * its whole life (created, stamped, queued, offered, accepted, answered, answered back, resolved;
 * every fifth put on hold), built with the adapters' own item builders and keys.ts, so the
 * partition keys counted are the ones the code writes. Every write is charged the way DynamoDB
 * charges it (1 WCU per KB of the item, twice in a transaction; an index entry 1 WCU per KB,
 * a moved index key a delete on the old partition and a put on the new one) and every read per
 * 4 KB (half for an eventually consistent index Query), with the readers of that hour beside the
 * writers. Each partition key, of the table and of every index, must stay under DynamoDB's
 * per-partition limits in every second: 1,000 WCU and 3,000 RCU. The figures are the arithmetic of
 * docs/architecture.md#sharded-partitions.
 */

const NEW_CASES_PER_SECOND = 100;
const HOUR = 3600;
const WRITE_LIMIT = 1000;
const READ_LIMIT = 3000;

// The population behind a million cases a day.
const AGENTS = 30_000;
const QUEUES = 500;
const ACCOUNTS = 10_000;
const SUPERVISORS = 500;
/** Each agent's console: their own listing and one case read a minute. */
const AGENT_POLL_SECONDS = 60;
/** Each supervisor's console: the open-cases listing (every open status, every shard) every 30 s. */
const SUPERVISOR_POLL_SECONDS = 30;
const PAGE = 25;
/** The routing configuration a thousand agents and hundreds of rules make, gzipped. */
const CONFIG_ITEM_BYTES = 40 * 1024;

const BASE = Date.parse('2026-12-07T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-like id from a time and a seed: deterministic, spread like the ids port's (the time part kept for the last millisecond asked). */
let lastMs = -1;
let lastTime = '';
function idAt(ms: number, seed: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = encodeTime(ms, 10);
  }
  let a = seed >>> 0;
  let random = '';
  for (let i = 0; i < 3; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    for (let c = 0; c < 6; c++) random += CROCKFORD[(t >>> (5 * c)) & 31];
  }
  return lastTime + random.slice(0, 16);
}

/** An item's size as DynamoDB counts it, over-estimated by its JSON (names and values, with quotes). */
const bytesOf = (item: unknown) => Buffer.byteLength(JSON.stringify(item), 'utf8');
const kb = (bytes: number) => Math.ceil(bytes / 1024);
const readUnits = (bytes: number, consistent: boolean) => Math.ceil(bytes / 4096) * (consistent ? 1 : 0.5);

/** The web form's text: a customer describes the problem in about a kilobyte. */
const DESCRIPTION = 'The invoice portal rejects the upload of our monthly statement with an error. '.repeat(13);

function caseAt(caseIndex: number, status: CaseStatus, extra: Partial<CaseRecord>): CaseRecord {
  const createdMs = BASE + Math.floor((caseIndex * 1000) / NEW_CASES_PER_SECOND);
  return {
    caseId: idAt(createdMs, caseIndex),
    caseNumber: String(10_000_000 + caseIndex),
    channel: 'web',
    status,
    priority: 'medium',
    priorityRank: 2,
    subject: 'Invoice upload fails',
    description: DESCRIPTION,
    contact: { email: `customer-${caseIndex % 400_000}@example.com`, name: 'A Customer' },
    account: { id: `acct-${caseIndex % ACCOUNTS}`, name: 'Some Company Ltd', tier: 'gold' },
    location: { country: 'GB', city: 'London', postalCode: 'SW1A 1AA' },
    product: 'billing',
    language: 'en',
    territory: 'emea',
    routing: { excludedAgents: [], attempts: 1, queuedAt: iso(createdMs + 2000), lastDecisionId: idAt(createdMs, caseIndex + 7) },
    sla: {
      policyId: 'standard',
      priority: 'medium',
      generation: 1,
      milestones: {
        firstResponse: { targetMinutes: 60, startedAt: iso(createdMs), dueAt: iso(createdMs + 3_600_000), warnAt: iso(createdMs + 2_700_000) },
        resolution: { targetMinutes: 480, startedAt: iso(createdMs), dueAt: iso(createdMs + 28_800_000), warnAt: iso(createdMs + 21_600_000) },
      },
      next: { at: iso(createdMs + 2_700_000), kind: 'warning', milestone: 'firstResponse' },
      updatedAt: iso(createdMs),
    },
    createdAt: iso(createdMs),
    updatedAt: iso(createdMs),
    version: 1,
    ...extra,
  } as unknown as CaseRecord;
}

interface Charge {
  key: string;
  write?: number;
  read?: number;
}

/** A case's state after a step: what its index keys are made of, and the item's size (measured once on a real item). */
interface CaseState {
  status: CaseStatus;
  extra: (i: number, atMs: number) => Partial<CaseRecord>;
  bytes: number;
}

const queueOf = (i: number) => `queue-${i % QUEUES}`;
const ownerOf = (i: number) => `agent-${(i * 7919) % AGENTS}`;
const createdMsOf = (i: number) => BASE + Math.floor((i * 1000) / NEW_CASES_PER_SECOND);
let lastCase = -1;
let lastCaseId = '';
/** Case `i`'s id (the last one asked is kept: a step asks for it several times). */
const caseIdOf = (i: number) => {
  if (i !== lastCase) {
    lastCase = i;
    lastCaseId = idAt(createdMsOf(i), i);
  }
  return lastCaseId;
};

function caseState(status: CaseStatus, extra: CaseState['extra'] = () => ({})): CaseState {
  return { status, extra, bytes: bytesOf(caseItem(caseAt(0, status, extra(0, BASE)))) };
}

/** The partition keys of case `i` in `state`: the table's and each index's, from keys.ts. */
function caseKeys(i: number, caseId: string, state: CaseState, atMs: number): Record<string, string | undefined> {
  const extra = state.extra(i, atMs);
  return {
    pk: caseKey(caseId).pk,
    ...caseIndexKeys({
      caseId,
      status: state.status,
      priorityRank: 2,
      createdAt: iso(createdMsOf(i)),
      owner: extra.owner,
      queue: extra.queue,
      contactEmail: `customer-${i % 400_000}@example.com`,
      accountId: `acct-${i % ACCOUNTS}`,
      due: extra.due,
    }),
  };
}

/** What one write of a case item costs, per partition: the table (transactional) and each index entry it adds, moves or drops. */
function caseWrite(i: number, atMs: number, from: CaseState | undefined, to: CaseState): Charge[] {
  const caseId = caseIdOf(i);
  const before = from && caseKeys(i, caseId, from, atMs);
  const after = caseKeys(i, caseId, to, atMs);
  const charges: Charge[] = [{ key: `table ${after.pk}`, write: 2 * kb(to.bytes) }];
  for (const index of TABLE.indexes) {
    const oldKey = before?.[index.partitionKey];
    const newKey = after[index.partitionKey];
    const moved = oldKey !== undefined && (oldKey !== newKey || before?.[index.sortKey] !== after[index.sortKey]);
    if (from && oldKey !== undefined && moved) charges.push({ key: `${index.name} ${oldKey}`, write: kb(from.bytes) });
    if (newKey !== undefined) charges.push({ key: `${index.name} ${newKey}`, write: kb(to.bytes) });
  }
  return charges;
}

/** An event as the workflow writes it (a reason and the case's routing in its details). */
const EVENT_BYTES = bytesOf(
  eventItem({
    eventId: idAt(BASE, 1),
    caseId: idAt(BASE, 2),
    activity: 'territory_stamped',
    at: iso(BASE),
    actor: { kind: 'system', id: 'workflow' },
    details: { queue: 'queue-123', owner: 'agent-12345', reason: 'rule support-emea matched', territory: 'emea-north' },
  } as unknown as CaseEvent),
);

function eventWrites(i: number, atMs: number, count: number): Charge[] {
  const caseKey = `table CASE#${caseIdOf(i)}`;
  const at = iso(atMs);
  const charges: Charge[] = [];
  for (let k = 0; k < count; k++) {
    charges.push({ key: caseKey, write: 2 * kb(EVENT_BYTES) }, { key: `gsi6 ${eventIndexKeys(at, idAt(atMs, i * 31 + k)).gsi6pk}`, write: kb(EVENT_BYTES) });
  }
  return charges;
}

/**
 * Nearly every use case reads the configuration: a consistent read of its pointer item (one unit),
 * the document itself only once per function instance and version (functions/adapters/config-repository.ts;
 * test/integration/repositories.test.ts checks the reads it makes). Read whole each time, the
 * document would cost ceil(CONFIG_ITEM_BYTES / 4 KB) units a read: `CONFIG` would be the one
 * partition over its limit (about 18,000 RCU/s in this hour).
 */
const configRead: Charge = {
  key: `table ${configPointerKey().pk}`,
  read: readUnits(bytesOf({ ...configPointerKey(), entity: 'configPointer', version: 1234 }), true),
};
const configDocumentRead = readUnits(CONFIG_ITEM_BYTES, true);

interface Step {
  /** Seconds after the case was created. */
  offset: number;
  charges(caseIndex: number, atMs: number): Charge[];
}

/** One case's life: the state after each step, and what the step writes and reads. */
function lifecycle(): Step[] {
  const created = caseState('new');
  const stamped = caseState('new', () => ({ territory: 'emea-north', version: 2 }));
  const queued = caseState('queued', (i) => ({ queue: queueOf(i), version: 3 }));
  const offered = caseState('assigned', (i, at) => ({ queue: queueOf(i), owner: ownerOf(i), due: { kind: 'accept', at: iso(at + 120_000) }, version: 4 }));
  const working = caseState('in_progress', (i) => ({ queue: queueOf(i), owner: ownerOf(i), version: 5 }));
  const answered = caseState('in_progress', (i, at) => ({ queue: queueOf(i), owner: ownerOf(i), version: 6, updatedAt: iso(at) }));
  const onHold = caseState('on_hold', (i, at) => ({ queue: queueOf(i), owner: ownerOf(i), version: 7, due: { kind: 'hold', at: iso(at + 86_400_000) } }));
  const resolved = caseState('resolved', (i, at) => ({ queue: queueOf(i), owner: ownerOf(i), version: 9, updatedAt: iso(at) }));
  const message = messageItem({
    messageId: idAt(BASE, 3),
    caseId: idAt(BASE, 4),
    direction: 'inbound',
    from: 'customer-1@example.com',
    subject: 'Invoice upload fails',
    text: DESCRIPTION,
    at: iso(BASE),
    attachments: [],
    channel: 'web',
  });
  const decision = decisionItem({
    decisionId: idAt(BASE, 5),
    caseId: idAt(BASE, 4),
    at: iso(BASE),
    kind: 'assignment',
    outcome: 'queued',
    details: { reasons: ['rule support-emea matched', 'no agent free'] },
  });
  const caseRead = (i: number, state: CaseState): Charge => ({ key: `table CASE#${caseIdOf(i)}`, read: readUnits(state.bytes, true) });
  const onCase = (i: number, bytes: number): Charge => ({ key: `table CASE#${caseIdOf(i)}`, write: 2 * kb(bytes) });
  const agentUpdate = (i: number): Charge => ({ key: `table ${agentStateKey(ownerOf(i)).pk}`, write: 2 });
  return [
    {
      offset: 0,
      charges: (i, at) => [
        { key: `table ${rateLimitKey('web', `ip-${i % 50_000}`).pk}`, write: 1 },
        { key: `table ${idempotencyKey('web', `submission-${i}`).pk}`, write: 1 },
        { key: `table ${caseNumberCounterKey().pk}`, write: 1 },
        configRead,
        ...caseWrite(i, at, undefined, created),
        { key: `table ${caseNumberKey(String(10_000_000 + i)).pk}`, write: 2 },
        onCase(i, bytesOf(message)),
        { key: `table ${idempotencyKey('web', `submission-${i}`).pk}`, write: 2 },
        ...eventWrites(i, at, 3),
      ],
    },
    { offset: 1, charges: (i, at) => [configRead, caseRead(i, created), ...caseWrite(i, at, created, stamped), ...eventWrites(i, at, 3)] },
    {
      offset: 2,
      charges: (i, at) => [configRead, caseRead(i, stamped), ...caseWrite(i, at, stamped, queued), onCase(i, bytesOf(decision)), ...eventWrites(i, at, 1)],
    },
    {
      offset: 20,
      charges: (i, at) => [
        configRead,
        // Dispatch: the queue head, the agent's state, the case.
        { key: `gsi2 ${queuePartition(queueOf(i))}`, read: readUnits(queued.bytes, false) },
        { key: `table ${agentStateKey(ownerOf(i)).pk}`, read: 1 },
        caseRead(i, queued),
        ...caseWrite(i, at, queued, offered),
        agentUpdate(i),
        onCase(i, bytesOf(decision)),
        ...eventWrites(i, at, 2),
      ],
    },
    { offset: 80, charges: (i, at) => [configRead, caseRead(i, offered), ...caseWrite(i, at, offered, working), ...eventWrites(i, at, 2)] },
    {
      offset: 600,
      charges: (i, at) => [configRead, caseRead(i, working), ...caseWrite(i, at, working, answered), onCase(i, 2048), ...eventWrites(i, at, 2)],
    },
    {
      offset: 1200,
      charges: (i, at) => {
        // Every fifth case waits on the customer, on hold, before the customer answers.
        const held = i % 5 === 0;
        return [
          configRead,
          caseRead(i, answered),
          ...(held ? [...caseWrite(i, at, answered, onHold), ...caseWrite(i, at, onHold, answered)] : caseWrite(i, at, answered, answered)),
          onCase(i, 2048),
          { key: `table ${inboundHashKey(`hash-${i}`).pk}`, write: 2 },
          { key: `table ${inboundMessageIdKey(`<m-${i}@example.com>`).pk}`, write: 2 },
          ...eventWrites(i, at, held ? 3 : 1),
        ];
      },
    },
    {
      offset: 2400,
      charges: (i, at) => [configRead, caseRead(i, answered), ...caseWrite(i, at, answered, resolved), agentUpdate(i), ...eventWrites(i, at, 3)],
    },
  ];
}

/**
 * The readers of one second that are not part of a case's life: agents' and supervisors' consoles
 * (every listing and case read loads the configuration), the sweep's queue-head reads (once a
 * minute, spread over it). Listings read a page and one more item from each partition.
 */
function readersOfSecond(second: number, caseBytes: number): Charge[] {
  const charges: Charge[] = [];
  const listingPage = readUnits((PAGE + 1) * caseBytes, false);
  const agentsNow = Math.round(AGENTS / AGENT_POLL_SECONDS);
  for (let a = 0; a < agentsNow; a++) {
    const agent = `agent-${(second * agentsNow + a) % AGENTS}`;
    charges.push({ key: `gsi1 ${ownerPartition(agent)}`, read: listingPage });
  }
  // Each agent's listing and case read load the configuration.
  charges.push({ key: configRead.key, read: 2 * agentsNow * (configRead.read ?? 0) });
  const supervisorsNow = SUPERVISORS / SUPERVISOR_POLL_SECONDS;
  for (const status of OPEN_STATUSES) {
    for (let shard = 0; shard < INDEX_SHARDS; shard++) {
      charges.push({ key: `gsi6 ${caseStatusPartition(status, shard)}`, read: supervisorsNow * listingPage });
    }
  }
  charges.push({ key: configRead.key, read: Math.ceil(supervisorsNow) * (configRead.read ?? 0) });
  for (let q = 0; q < QUEUES / 60; q++) charges.push({ key: `gsi2 ${queuePartition(`queue-${(second * 9 + q) % QUEUES}`)}`, read: 0.5 });
  return charges;
}

interface PeakOf {
  write: number;
  read: number;
  /** The partition key that reached the peak (for a family of one-entity keys, the busiest of them). */
  writeKey?: string;
  readKey?: string;
}

/**
 * Keys of one case, message, submission or customer each: every such key is checked in every
 * second like any other, and reported under its family (`table CASE#…`) to keep the summary small.
 */
const ONE_ENTITY = /^(table (CASE|CASENO|IDEMP|INHASH|INMSG|RATE|AGENT)|gsi1 OWNER|gsi3 CONTACT)#/;
/** A key of a sharded partition, and the bare partition it would be without its shard. */
const SHARDED = /^(gsi\d (?:STATUS|EVTDAY|DUE)#.*)#\d+$/;
const familyOf = (key: string) => (ONE_ENTITY.test(key) ? `${key.slice(0, key.indexOf('#'))}#…` : key);

function peakHour(): { peaks: Map<string, PeakOf>; unshardedPeaks: Map<string, number>; totals: { writes: number; reads: number } } {
  const steps = lifecycle();
  const caseBytes = bytesOf(caseItem(caseAt(0, 'in_progress', { queue: queueOf(0), owner: ownerOf(0) })));
  const longest = Math.max(...steps.map((s) => s.offset));
  const peaks = new Map<string, PeakOf>();
  const unshardedPeaks = new Map<string, number>();
  let writes = 0;
  let reads = 0;
  for (let second = 0; second < HOUR; second++) {
    const now = new Map<string, PeakOf>();
    const charge = ({ key, write = 0, read = 0 }: Charge) => {
      const entry = now.get(key) ?? { write: 0, read: 0 };
      entry.write += write;
      entry.read += read;
      now.set(key, entry);
      writes += write;
      reads += read;
    };
    // In steady state: the cases created `offset` seconds ago take that step now (the hour starts
    // with the lives of the previous `longest` seconds' cases under way).
    for (const step of steps) {
      const createdSecond = second - step.offset + longest;
      for (let n = 0; n < NEW_CASES_PER_SECOND; n++) {
        const caseIndex = createdSecond * NEW_CASES_PER_SECOND + n;
        const atMs = BASE + Math.floor((caseIndex * 1000) / NEW_CASES_PER_SECOND) + step.offset * 1000;
        for (const c of step.charges(caseIndex, atMs)) charge(c);
      }
    }
    for (const c of readersOfSecond(second, caseBytes)) charge(c);
    // The same second had the partitions not been sharded: each shard's load added to its bare partition.
    const bare = new Map<string, number>();
    for (const [key, value] of now) {
      const shardless = SHARDED.exec(key)?.[1];
      if (shardless) bare.set(shardless, (bare.get(shardless) ?? 0) + value.write);
    }
    for (const [key, write] of bare) unshardedPeaks.set(key, Math.max(unshardedPeaks.get(key) ?? 0, write));
    for (const [key, value] of now) {
      const family = familyOf(key);
      let peak = peaks.get(family);
      if (!peak) {
        peak = { write: 0, read: 0 };
        peaks.set(family, peak);
      }
      if (value.write > peak.write) {
        peak.write = value.write;
        peak.writeKey = key;
      }
      if (value.read > peak.read) {
        peak.read = value.read;
        peak.readKey = key;
      }
    }
  }
  return { peaks, unshardedPeaks, totals: { writes, reads } };
}

describe('a peak hour: 100 new cases a second, counted per partition key', () => {
  const { peaks, unshardedPeaks, totals } = peakHour();
  const top = (field: 'write' | 'read') =>
    [...peaks.entries()]
      .sort((a, b) => b[1][field] - a[1][field])
      .slice(0, 6)
      .map(([key, value]) => `${key}: ${value[field]}`);

  it('writes every partition key at under 1,000 WCU in every second', () => {
    console.info(`peak hour: ${totals.writes} WCU, ${totals.reads} RCU in all; busiest partition keys by writes (per second):\n  ${top('write').join('\n  ')}`);
    const over = [...peaks.values()].filter((p) => p.write >= WRITE_LIMIT).map((p) => `${p.writeKey}: ${p.write} WCU/s`);
    expect(over).toEqual([]);
  });

  it('reads every partition key at under 3,000 RCU in every second', () => {
    console.info(`busiest by reads (per second):\n  ${top('read').join('\n  ')}`);
    const over = [...peaks.values()].filter((p) => p.read >= READ_LIMIT).map((p) => `${p.readKey}: ${p.read} RCU/s`);
    expect(over).toEqual([]);
  });

  it('would put a day’s events and a status over the write limit on one partition each: why they are sharded', () => {
    const bare = [...unshardedPeaks.entries()].sort((a, b) => b[1] - a[1]);
    console.info(
      `unsharded, the same hour would write (per second):\n  ${bare
        .slice(0, 6)
        .map(
          ([k, w]) =>
            `${k}: ${w}; sharded, its busiest shard: ${Math.max(...Array.from({ length: INDEX_SHARDS }, (_, n) => peaks.get(`${k}#${n}`)?.write ?? 0))}`,
        )
        .join('\n  ')}`,
    );
    expect(unshardedPeaks.get('gsi6 EVTDAY#2026-12-07')).toBeGreaterThanOrEqual(WRITE_LIMIT);
    expect(Math.max(...OPEN_STATUSES.map((status) => unshardedPeaks.get(`gsi6 STATUS#${status}`) ?? 0))).toBeGreaterThanOrEqual(WRITE_LIMIT);
  });

  it('would read the configuration over the limit if every read fetched the document', () => {
    const configReadsPerSecond = (peaks.get(configRead.key)?.read ?? 0) / (configRead.read ?? 1);
    expect(configReadsPerSecond * configDocumentRead).toBeGreaterThanOrEqual(READ_LIMIT);
  });

  it('spreads the hot families over every shard: each of a day’s event shards and each status shard is written', () => {
    const eventShards = [...peaks.keys()].filter((k) => k.startsWith('gsi6 EVTDAY#'));
    expect(eventShards.length).toBe(INDEX_SHARDS);
    for (const status of ['new', 'queued', 'assigned', 'in_progress', 'resolved'] as const) {
      for (let shard = 0; shard < INDEX_SHARDS; shard++) expect(peaks.get(`gsi6 ${caseStatusPartition(status, shard)}`)?.write ?? 0).toBeGreaterThan(0);
    }
    // The model writes what the code writes: a case's status partition is the one keys.ts shards it to.
    const c = caseAt(42, 'queued', { queue: queueOf(42) });
    expect(caseItem(c).gsi6pk).toBe(caseStatusPartition('queued', shardOf(c.caseId)));
    expect(peaks.get(`gsi6 ${caseItem(c).gsi6pk}`)?.write).toBeGreaterThan(0);
  });
});
