/**
 * What the Slack routes and the expert finder keep in DynamoDB Local: the replay and retry ledger
 * (functions/adapters/slack-ledger.ts), the link from a Slack conversation to its case
 * (swarm-conversations.ts) and the recently resolved cases (resolved-cases.ts).
 */
import { describe, expect, it } from 'vitest';
import { makeCaseRepository } from '../../functions/adapters/case-repository.js';
import { idempotencyKey } from '../../functions/adapters/keys.js';
import { makeResolvedCases } from '../../functions/adapters/resolved-cases.js';
import { EVENT_LEASE_MS, SIGNATURE_MEMORY_SECONDS, makeSlackLedger } from '../../functions/adapters/slack-ledger.js';
import { makeSwarmConversations } from '../../functions/adapters/swarm-conversations.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable } from '../support/dynamo.js';
import { makeCase, minutesAfter } from '../support/fixtures.js';

const db = await freshTable('slack-store');
const ledger = makeSlackLedger(db.table);
const T0 = new Date('2026-03-02T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('the ledger', () => {
  it('accepts a signature once, and again only once its memory has lapsed', async () => {
    const sig = `v0=${'a'.repeat(64)}`;
    expect(await ledger.firstUse(sig, T0)).toBe(true);
    expect(await ledger.firstUse(sig, later(60_000))).toBe(false);
    expect(await ledger.firstUse(sig, later(SIGNATURE_MEMORY_SECONDS * 1000 - 1000))).toBe(false);
    // Past its expiry (TTL may not have deleted it yet): free again.
    expect(await ledger.firstUse(sig, later(SIGNATURE_MEMORY_SECONDS * 1000 + 2000))).toBe(true);
    const item = await db.client.send(new GetCommand({ TableName: db.tableName, Key: idempotencyKey('slack-request', sig) }));
    expect(item.Item?.expiresAt).toBeGreaterThan(Math.floor(T0.getTime() / 1000));
  });

  it('lets one handler take an event; a retry meanwhile waits, a retry after it is done is dropped', async () => {
    expect(await ledger.claimEvent('Ev1', 'first', T0)).toBe('claimed');
    expect(await ledger.claimEvent('Ev1', 'retry', later(3000))).toBe('pending');
    await ledger.completeEvent('Ev1', 'first');
    expect(await ledger.claimEvent('Ev1', 'retry', later(4000))).toBe('done');
    expect(await ledger.claimEvent('Ev1', 'retry', later(EVENT_LEASE_MS * 10))).toBe('done');
  });

  it('frees an event whose handler failed (released) or died (lease lapsed)', async () => {
    expect(await ledger.claimEvent('Ev2', 'a', T0)).toBe('claimed');
    await ledger.releaseEvent('Ev2', 'a');
    expect(await ledger.claimEvent('Ev2', 'b', later(1000))).toBe('claimed');
    // b died: after its lease, c takes over; b's late completion changes nothing c did.
    expect(await ledger.claimEvent('Ev2', 'c', later(1000 + EVENT_LEASE_MS - 1))).toBe('pending');
    expect(await ledger.claimEvent('Ev2', 'c', later(1000 + EVENT_LEASE_MS + 1))).toBe('claimed');
    await ledger.completeEvent('Ev2', 'b');
    await ledger.releaseEvent('Ev2', 'b');
    expect(await ledger.claimEvent('Ev2', 'd', later(2000 + EVENT_LEASE_MS))).toBe('pending');
    await ledger.completeEvent('Ev2', 'c');
    expect(await ledger.claimEvent('Ev2', 'd', later(3000 + EVENT_LEASE_MS))).toBe('done');
  });

  it('lets exactly one of many concurrent deliveries of an event take it', async () => {
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.claimEvent('Ev3', `t${i}`, T0)));
    expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c === 'pending')).toHaveLength(7);
  });
});

describe('conversation links', () => {
  const links = makeSwarmConversations(db.table);
  it('find the case of a message in a swarm channel (any thread in it) or in a swarm thread of a shared channel', async () => {
    await links.link({ kind: 'slack', mode: 'channel', channel: 'G1', summaryTs: '1.1' }, 'case-1', 'swarm-1');
    await links.link({ kind: 'slack', mode: 'thread', channel: 'C9', threadTs: '5.5', summaryTs: '5.5' }, 'case-2', 'swarm-2');
    expect(await links.find('G1')).toEqual({ caseId: 'case-1', swarmId: 'swarm-1' });
    expect(await links.find('G1', '7.7')).toBeUndefined();
    expect(await links.find('C9', '5.5')).toEqual({ caseId: 'case-2', swarmId: 'swarm-2' });
    // The shared channel itself belongs to no case.
    expect(await links.find('C9')).toBeUndefined();
  });
});

describe('recently resolved cases', () => {
  it('come newest first, projected to what the history needs, as many as asked', async () => {
    const cases = makeCaseRepository(db.table);
    for (let i = 0; i < 5; i++) {
      const at = minutesAfter(i);
      await cases.create({
        case: makeCase({ status: 'resolved', owner: `agent-${i}`, product: i % 2 ? 'billing' : 'lamps', type: 'refund', createdAt: at, updatedAt: at }),
        messages: [],
        events: [],
      });
    }
    await cases.create({ case: makeCase({ status: 'in_progress', owner: 'busy', product: 'billing' }), messages: [], events: [] });
    const recent = await makeResolvedCases(db.table).recent(3);
    expect(recent.map((r) => r.owner)).toEqual(['agent-4', 'agent-3', 'agent-2']);
    expect(Object.keys(recent[0]!).sort()).toEqual(['caseId', 'owner', 'product', 'type']);
    expect(recent[1]).toMatchObject({ product: 'billing', type: 'refund' });
  });
});
