import {
  caseNumberCounterKey,
  caseNumberKey,
  casePartition,
  configCurrentKey,
  idempotencyKey,
  rateLimitKey,
  subjectWordPartition,
  emailContactKey,
  outboundMessageIdKey,
} from '../functions/adapters/keys.js';
import type { IndexName } from '../functions/adapters/table-definition.js';
import type { HandlerName } from './caseflow-function.js';

/**
 * What each function may do in the table, derived from the access patterns its code uses
 * (docs/deploying.md#least-privilege-on-the-table). lib/grants.ts turns an entry into IAM statements;
 * test/integration/table-access.test.ts runs every handler against DynamoDB Local, records each call
 * and checks the synthesized policy allows it, so an entry that is too narrow fails a test, not a deploy.
 *
 * - `access`: `read` is GetItem (also what TransactGetItems needs) and BatchGetItem; `readWrite` adds
 *   PutItem, UpdateItem and ConditionCheckItem (what TransactWriteItems needs for its parts). Nobody
 *   gets Scan, DeleteItem or BatchWriteItem: temporary records expire through the TTL attribute.
 * - `indexes`: the GSIs the function Queries, each granted by its own ARN.
 * - `queriesTable`: whether it Queries the table itself (a case's partition: messages, events, decisions).
 * - `partitions`: when set, every item action is limited to partition keys matching these patterns
 *   (`dynamodb:LeadingKeys`, IAM `StringLike`: `*` is a wildcard), and only the actions listed here
 *   are granted. Used for the public web form, whose function must not be able to write
 *   configuration or agent items whatever a request makes it do.
 */
export interface TableGrant {
  readonly access: 'read' | 'readWrite';
  readonly indexes: readonly IndexName[];
  readonly queriesTable: boolean;
  readonly partitions?: PartitionLimits;
}

export interface PartitionLimits {
  /** GetItem on these partitions. */
  readonly get: readonly string[];
  /** PutItem on these partitions. */
  readonly put: readonly string[];
  /** UpdateItem on these partitions, any attribute. */
  readonly update: readonly string[];
  /** UpdateItem on one item's partition, limited to these attributes and to this ReturnValues. */
  readonly counters: readonly CounterGrant[];
}

export interface CounterGrant {
  readonly partition: string;
  readonly attributes: readonly string[];
  readonly returnValues: 'UPDATED_NEW';
}

/** The functions that use the table (the SLA continuation only starts the next execution). */
export type TableUser = Exclude<HandlerName, 'workflow-continue-sla'>;

const MARK = '\u0000';

/** `build(MARK)` up to MARK: the fixed start of a key whose variable part is MARK, so `<start>*` matches every such key. */
function startOf(key: string): string {
  const at = key.indexOf(MARK);
  if (at < 0) throw new Error(`key ${JSON.stringify(key)} does not contain its variable part`);
  return key.slice(0, at);
}

const startsWith = (key: string) => `${startOf(key)}*`;

/**
 * The web form's own partitions (functions/core/use-cases/submit-web-case.ts, keys from
 * functions/adapters/keys.ts): the per-IP and per-email rate-limit windows, the two idempotency
 * scopes, the case partition (case item, first message, created event), its case-number item, and
 * the case-number counter, whose `value` it may only increment-and-read (`ADD`, `UPDATED_NEW`: IAM
 * cannot tell ADD from SET, so this bounds what can be touched, not how). Reads: the configuration,
 * an earlier submission's idempotency record, and the case it points at.
 */
export const WEB_FORM_PARTITIONS: PartitionLimits = {
  get: [
    configCurrentKey().pk,
    startsWith(idempotencyKey('web', MARK).pk),
    startsWith(idempotencyKey('web-content', MARK).pk),
    startsWith(casePartition(MARK)),
    // The acknowledgement (functions/core/use-cases/acknowledge.ts): is the customer's address suppressed?
    startsWith(emailContactKey(MARK).pk),
  ],
  put: [
    startsWith(casePartition(MARK)),
    startsWith(caseNumberKey(MARK).pk),
    startsWith(idempotencyKey('web', MARK).pk),
    startsWith(idempotencyKey('web-content', MARK).pk),
    // The subject-word index, written in the case's transaction (functions/core/subject-words.ts).
    startsWith(subjectWordPartition(MARK)),
    // The acknowledgement's ids, so the customer's reply to it finds the case.
    startsWith(outboundMessageIdKey(MARK).pk),
  ],
  update: [
    // History written without a write of the case item counts itself there (the acknowledgement, its
    // events: historyTouch in functions/adapters/case-repository.ts, which the case's ETag reads).
    startsWith(casePartition(MARK)),
    startsWith(rateLimitKey('web-ip', MARK).pk),
    startsWith(rateLimitKey('web-email', MARK).pk),
    // Loop protection: acknowledgements per address and hour.
    startsWith(rateLimitKey('email-ack', MARK).pk),
  ],
  counters: [{ partition: caseNumberCounterKey().pk, attributes: ['value'], returnValues: 'UPDATED_NEW' }],
};

/**
 * Per function, the indexes its use cases query (functions/adapters: case listings by owner gsi1, by
 * queue gsi2, by status gsi6; customer history gsi3 and gsi4 when routing looks at the last resolver;
 * due work and absent agents gsi5; events by day gsi6):
 *
 * - api: case listings (gsi1, gsi2, gsi6), routing on decline, reassignment and configuration apply
 *   (gsi3, gsi4), a case with its history (the table); dispatch reads queue heads (gsi2).
 * - reports: open cases and events by day (gsi6), a case's events and messages (the table).
 * - workflow-route, workflow-evaluate-sla (reassignment on escalation): routing (gsi3, gsi4).
 * - sweep: due offers and holds, absent agents (gsi5), an absent agent's cases (gsi1), queue heads
 *   and depths (gsi2), reassignment (gsi3, gsi4).
 * - intake-email: the case a reply joins, with its history (the table).
 * - web-to-case, workflow-stamp, workflow-failed, workflow-schedule-sla: Get, Put and Update only.
 */
export const TABLE_ACCESS: Readonly<Record<TableUser, TableGrant>> = {
  'web-to-case': { access: 'readWrite', indexes: [], queriesTable: false, partitions: WEB_FORM_PARTITIONS },
  api: { access: 'readWrite', indexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi6'], queriesTable: true },
  reports: { access: 'read', indexes: ['gsi6'], queriesTable: true },
  'workflow-stamp': { access: 'readWrite', indexes: [], queriesTable: false },
  'workflow-route': { access: 'readWrite', indexes: ['gsi3', 'gsi4'], queriesTable: false },
  'workflow-failed': { access: 'readWrite', indexes: [], queriesTable: false },
  'workflow-schedule-sla': { access: 'readWrite', indexes: [], queriesTable: false },
  'workflow-evaluate-sla': { access: 'readWrite', indexes: ['gsi3', 'gsi4'], queriesTable: false },
  sweep: { access: 'readWrite', indexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'], queriesTable: false },
  'intake-email': { access: 'readWrite', indexes: [], queriesTable: true },
  slack: { access: 'readWrite', indexes: ['gsi2'], queriesTable: true },
};
