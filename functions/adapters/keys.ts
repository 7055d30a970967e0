/**
 * Every key format of the single table, in one place. Nothing else in the code base builds a
 * `pk`, `sk` or `gsi*` value by hand.
 *
 * | item                 | pk                      | sk                 | indexes                                   |
 * |----------------------|-------------------------|--------------------|-------------------------------------------|
 * | case                 | CASE#<caseId>           | CASE               | gsi1 owner, gsi2 queue, gsi3 contact,      |
 * |                      |                         |                    | gsi4 account, gsi5 due (sparse), gsi6 status |
 * | message              | CASE#<caseId>           | MSG#<messageId>    |                                           |
 * | event                | CASE#<caseId>           | EVT#<eventId>      | gsi6 EVTDAY#<yyyy-mm-dd>                   |
 * | routing decision     | CASE#<caseId>           | DEC#<decisionId>   |                                           |
 * | case-number pointer  | CASENO#<number>         | CASENO             |                                           |
 * | case-number counter  | COUNTER#caseNumber      | COUNTER            |                                           |
 * | idempotency / claim  | IDEMP#<scope>#<key>     | IDEMP              | TTL (holdUntil checked by condition)      |
 * | inbound dedupe       | INMSG#<messageId> / INHASH#<sha256> | DEDUPE |                                        |
 * | outbound message id  | OUTMSG#<messageId>      | OUTMSG             |                                           |
 * | contact (email)      | EMAILCONTACT#<email>    | CONTACT            |                                           |
 * | mail log (no case)   | MAILLOG#<yyyy-mm-dd>    | <at>#<id>          | TTL                                       |
 * | rate-limit bucket    | RATE#<scope>#<key>      | GCRA               | TTL                                       |
 * | agent live state     | AGENT#<agentId>         | STATE              | gsi5 DUE#absent (sparse, while away/offline) |
 * | routing config       | CONFIG                  | CURRENT / V#<version 8 digits> |                               |
 * | admin alert          | ALERT#<yyyy-mm-dd>      | <at>#<alertId>     |                                           |
 */

const SEP = '#';

export const caseKey = (caseId: string) => ({ pk: `CASE${SEP}${caseId}`, sk: 'CASE' });
export const casePartition = (caseId: string) => `CASE${SEP}${caseId}`;
export const messageSortKey = (messageId: string) => `MSG${SEP}${messageId}`;
export const eventSortKey = (eventId: string) => `EVT${SEP}${eventId}`;
export const decisionSortKey = (decisionId: string) => `DEC${SEP}${decisionId}`;
export const SORT_PREFIX = { message: `MSG${SEP}`, event: `EVT${SEP}`, decision: `DEC${SEP}` } as const;

export const caseNumberKey = (caseNumber: string) => ({ pk: `CASENO${SEP}${caseNumber}`, sk: 'CASENO' });
export const caseNumberCounterKey = () => ({ pk: `COUNTER${SEP}caseNumber`, sk: 'COUNTER' });

export const idempotencyKey = (scope: string, key: string) => ({ pk: `IDEMP${SEP}${scope}${SEP}${key}`, sk: 'IDEMP' });
export const inboundMessageIdKey = (messageId: string) => ({ pk: `INMSG${SEP}${messageId}`, sk: 'DEDUPE' });
export const inboundHashKey = (sha256: string) => ({ pk: `INHASH${SEP}${sha256}`, sk: 'DEDUPE' });
export const outboundMessageIdKey = (messageId: string) => ({ pk: `OUTMSG${SEP}${messageId}`, sk: 'OUTMSG' });
/** What email intake knows about an address (bounces, complaints); cases keep their own copy of the contact. */
export const emailContactKey = (email: string) => ({ pk: `EMAILCONTACT${SEP}${email.toLowerCase()}`, sk: 'CONTACT' });
/** Inbound mail that made or joined no case (rejected, unmatched bounces and reports), by day. */
export const mailLogKey = (at: string, id: string) => ({ pk: `MAILLOG${SEP}${at.slice(0, 10)}`, sk: `${at}${SEP}${id}` });
/** A token bucket per scope and key (functions/adapters/rate-limiter.ts); `GCRA` tells it from the old per-window counters. */
export const rateLimitKey = (scope: string, key: string) => ({ pk: `RATE${SEP}${scope}${SEP}${key}`, sk: 'GCRA' });

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
export const contactPartition = (email: string) => `CONTACT${SEP}${email.toLowerCase()}`;
export const accountPartition = (accountId: string) => `ACCOUNT${SEP}${accountId}`;
export const duePartition = (kind: string) => `DUE${SEP}${kind}`;
export const caseStatusPartition = (status: string) => `STATUS${SEP}${status}`;
export const eventDayPartition = (at: string) => `EVTDAY${SEP}${at.slice(0, 10)}`;

/** Status, then priority rank (0 = most urgent), then age: a queue's waiting cases in dispatch order. */
export const queueSortKey = (status: string, rank: number, createdAt: string, caseId: string) =>
  `${status}${SEP}${String(rank).padStart(2, '0')}${SEP}${createdAt}${SEP}${caseId}`;
export const statusPrefix = (status: string) => `${status}${SEP}`;
