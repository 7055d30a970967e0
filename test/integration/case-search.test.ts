/**
 * Search by words of the subject against DynamoDB Local: the word items written with the case (and
 * only with it), whole words, prefixes and several words at once, newest first, pages that lose and
 * repeat nothing, the rarest word driving the reads, and nothing shown that the caller may not read.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeCaseRepository } from '../../functions/adapters/case-repository.js';
import { makeEmailStore } from '../../functions/adapters/email-store.js';
import { subjectWordPartition } from '../../functions/adapters/keys.js';
import type { Principal } from '../../functions/core/authz.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ValidationError } from '../../functions/core/errors.js';
import type { CaseRepository } from '../../functions/core/ports/repositories.js';
import { makeSearchCases } from '../../functions/core/use-cases/search-cases.js';
import { freshTable } from '../support/dynamo.js';
import { makeCreateCommand, makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('case-search');
const repo = makeCaseRepository(db.table);
const config = parseRoutingConfig(
  makeRoutingConfigInput({
    queues: [
      { id: 'support', name: 'Support', members: ['alice'] },
      { id: 'billing', name: 'Billing', members: ['bob'] },
    ],
  }),
);
const configs = { getCurrent: async () => ({ version: 1, config, appliedAt: '2025-01-01T00:00:00.000Z', appliedBy: 'test' }) };
const manager: Principal = { agentId: 'mia', roles: ['manager'] };
const alice: Principal = { agentId: 'alice', roles: ['agent'] };

/** The repository, counting what a search reads. */
function counting(inner: CaseRepository) {
  const reads = { words: [] as string[], cases: [] as string[] };
  const cases: CaseRepository = {
    ...inner,
    findBySubjectWord: (term, limit, cursor) => (reads.words.push(term.word), inner.findBySubjectWord(term, limit, cursor)),
    getMany: (ids) => (reads.cases.push(...ids), inner.getMany(ids)),
  };
  return { cases, reads };
}

let minute = 0;
async function create(subject: string, overrides: Partial<CaseRecord> = {}): Promise<CaseRecord> {
  const createdAt = new Date(Date.UTC(2026, 4, 1, 9, minute++)).toISOString();
  const command = makeCreateCommand({ subject, createdAt, queue: 'support', ...overrides });
  const result = await repo.create(command);
  if (!result.created) throw new Error('not created');
  return result.case;
}

const search = makeSearchCases({ cases: repo, configs });
const subjects = (found: { items: CaseRecord[] }) => found.items.map((c) => c.subject);

describe('the subject-word index', () => {
  it('is written in the transaction that writes the case: one item per distinct word', async () => {
    const c = await create('Kaffeemaschine kaputt, Kaffeemaschine!');
    const items = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': subjectWordPartition('kaffeemaschine') },
      }),
    );
    expect(items.Items?.filter((i) => i.caseId === c.caseId).map((i) => i.sk)).toEqual([`kaffeemaschine#${c.createdAt}#${c.caseId}`]);

    // A create refused by its idempotency record writes no word either.
    const idem = { scope: 'web', key: 'k-1', expiresAt: 9_999_999_999 };
    expect((await repo.create(makeCreateCommand({ subject: 'Teekanne undicht' }, { idempotency: idem }))).created).toBe(true);
    expect((await repo.create(makeCreateCommand({ subject: 'Teekanne gesprungen' }, { idempotency: idem }))).created).toBe(false);
    expect(subjects(await search(manager, 'teekanne', 10))).toEqual(['Teekanne undicht']);
  });

  it('is written for email cases too', async () => {
    const command = makeCreateCommand({ subject: 'Fehlerhafte Rechnung Nummer 77', channel: 'email', createdAt: '2026-05-02T09:00:00.000Z', queue: 'support' });
    await makeEmailStore(db.table).createCase({ ...command, inbound: { hash: 'h'.repeat(64) }, pending: [] });
    expect(subjects(await search(manager, 'rechnung fehlerhafte', 10))).toEqual(['Fehlerhafte Rechnung Nummer 77']);
  });
});

describe('searching by words of the subject', () => {
  it('finds whole words whatever their case and accents, every word required, newest first', async () => {
    await create('Café machine leaks water');
    await create('Cafe MACHINE makes noise');
    await create('Water in the basement');
    expect(subjects(await search(manager, 'CAFÉ machine', 10))).toEqual(['Cafe MACHINE makes noise', 'Café machine leaks water']);
    expect(subjects(await search(manager, 'machine water', 10))).toEqual(['Café machine leaks water']);
    expect(subjects(await search(manager, 'machine toaster ', 10))).toEqual([]);
  });

  it('finds words by the letters typed so far (the last word of the query)', async () => {
    await create('Printer jams on page two');
    await create('Printing is slow');
    await create('Prints are blurry');
    expect(subjects(await search(manager, 'prin', 10)).sort()).toEqual(['Printer jams on page two', 'Printing is slow', 'Prints are blurry']);
    expect(subjects(await search(manager, 'jams prin', 10))).toEqual(['Printer jams on page two']);
    // With a space after it, the last word is whole.
    expect(subjects(await search(manager, 'prin ', 10))).toEqual([]);
  });

  it('shows only the cases the caller may read', async () => {
    await create('Refund for order 1 please', { queue: 'support' });
    await create('Refund for order 2 please', { queue: 'billing' });
    await create('Refund for order 3 please', { queue: 'billing', owner: 'alice' });
    expect(subjects(await search(alice, 'refund', 10)).sort()).toEqual(['Refund for order 1 please', 'Refund for order 3 please']);
    expect(subjects(await search(manager, 'refund', 10))).toHaveLength(3);
  });

  it('pages through many matches without losing or repeating one', async () => {
    const made: CaseRecord[] = [];
    for (let i = 0; i < 23; i++) made.push(await create(`Invoice ${i} is wrong`));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await search(manager, 'invoice wrong', 5, cursor);
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((c) => c.caseId));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(made.map((c) => c.caseId).reverse());
    expect(pages).toBe(5);
  });

  it('reads the cases of the rarest word only', async () => {
    for (let i = 0; i < 12; i++) await create(`Network outage report ${i}`);
    const rare = await create('Network switch smoking');
    const { cases, reads } = counting(repo);
    const found = await makeSearchCases({ cases, configs })(manager, 'network smoking', 10);
    expect(found.items.map((c) => c.caseId)).toEqual([rare.caseId]);
    expect(reads.words.sort()).toEqual(['network', 'smoking']);
    expect(reads.cases).toEqual([rare.caseId]);
  });

  it('refuses a query of stop words only, and a cursor of another search, naming the field', async () => {
    await expect(search(manager, 'the and of', 10)).rejects.toThrow(ValidationError);
    const page = await search(manager, 'invoice', 2);
    expect(page.cursor).toBeDefined();
    await expect(search(manager, 'refund', 2, page.cursor)).rejects.toMatchObject({ issues: [{ field: 'cursor' }] });
    await expect(search(manager, 'invoice', 2, 'not-a-cursor')).rejects.toMatchObject({ issues: [{ field: 'cursor' }] });
  });

  it('still finds cases by number and by email', async () => {
    const c = await create('Numbered case', { contact: { email: 'Zed@Example.com' } });
    expect((await search(manager, `#${Number(c.caseNumber)}`, 10)).items.map((x) => x.caseId)).toEqual([c.caseId]);
    expect((await search(manager, 'zed@example.com', 10)).items.map((x) => x.caseId)).toEqual([c.caseId]);
  });
});
