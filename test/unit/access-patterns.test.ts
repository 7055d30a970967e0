import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { encodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { casesByStatus, dueWork, eventsByDay, listingOrderKey, positionAfter } from '../../functions/adapters/access-patterns.js';
import {
  INDEX_SHARDS,
  READ_SHARDS,
  UNSHARDED,
  absentAgentIndexKeys,
  caseIndexKeys,
  caseStatusPartition,
  eventIndexKeys,
  isStorageAttribute,
  shardOf,
} from '../../functions/adapters/keys.js';
import { ROOT } from '../../bin/docs.js';

/**
 * The table's access patterns live in one place (functions/adapters/access-patterns.ts, with the key
 * formats in keys.ts and the table's shape in table-definition.ts), and the sharded ones read back
 * every partition their writers use.
 */

const OWNERS = new Set(['functions/adapters/keys.ts', 'functions/adapters/access-patterns.ts', 'functions/adapters/table-definition.ts']);

/** Lines that name an index, build an index key attribute or write a key condition. */
function namingLines(text: string): number[] {
  const pattern = /\bgsi\d|IndexName\s*:|KeyConditionExpression/;
  return text.split('\n').flatMap((line, i) => (pattern.test(line) ? [i + 1] : []));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A small seeded generator (mulberry32): the same sequence on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('one map of access patterns', () => {
  it('is the only code in functions/ that names an index or writes a key condition', () => {
    const offenders = sourceFiles('functions')
      .map((path) => relative(ROOT, join(ROOT, path)))
      .filter((path) => !OWNERS.has(path))
      .flatMap((path) => namingLines(readFileSync(join(ROOT, path), 'utf8')).map((line) => `${path}:${line}`));
    expect(offenders).toEqual([]);
  });

  it('the check finds an index named inline, a key condition and a hand-built index key', () => {
    expect(namingLines("const a = 1;\nnew QueryCommand({ IndexName: 'x' });")).toEqual([2]);
    expect(namingLines("KeyConditionExpression: 'pk = :pk'")).toEqual([1]);
    expect(namingLines('item.gsi6pk = day;\n// nothing here')).toEqual([1]);
    expect(namingLines('stream.query.IndexName')).toEqual([]);
  });
});

describe('write sharding', () => {
  it('puts every id on one shard in range, the same one every time', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (id) => {
        const shard = shardOf(id);
        expect(Number.isInteger(shard) && shard >= 0 && shard < INDEX_SHARDS).toBe(true);
        expect(shardOf(id)).toBe(shard);
      }),
    );
  });

  it('spreads ULIDs evenly: every shard within 5 % of its share of 80,000 ids', () => {
    // ULIDs as the ids port makes them (a millisecond time, then 80 random bits), from a seeded
    // generator so that the figure is the same on every run: 100 a second for 800 seconds.
    const random = mulberry32(20261207);
    const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const ulidAt = (ms: number) => encodeTime(ms, 10) + Array.from({ length: 16 }, () => CROCKFORD[Math.floor(random() * 32)]).join('');
    const counts = new Array<number>(INDEX_SHARDS).fill(0);
    const time = Date.parse('2026-12-07T09:00:00Z');
    for (let i = 0; i < 80_000; i++) {
      const shard = shardOf(ulidAt(time + i * 10));
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    const share = 80_000 / INDEX_SHARDS;
    for (const count of counts) expect(Math.abs(count - share) / share).toBeLessThan(0.05);
  });

  it('reads back every partition the writers use, and the partition of items from before sharding', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
        fc.constantFrom('new', 'queued', 'assigned', 'in_progress', 'on_hold', 'needs_review', 'resolved') as fc.Arbitrary<'new'>,
        fc.constantFrom('accept', 'hold'),
        (caseId, status, kind) => {
          const at = '2026-12-07T10:11:12.000Z';
          const keys = caseIndexKeys({ caseId, status, priorityRank: 1, createdAt: at, due: { kind, at } });
          const statusPartitions = casesByStatus(status).map((q) => q.query.ExpressionAttributeValues[':pk']);
          expect(statusPartitions).toContain(keys.gsi6pk);
          expect(statusPartitions).toContain(`STATUS#${status}`);
          expect(new Set(statusPartitions).size).toBe(INDEX_SHARDS + 1);
          expect(dueWork(kind, at).map((q) => q.query.ExpressionAttributeValues[':pk'])).toContain(keys.gsi5pk);
          expect(eventsByDay(at.slice(0, 10)).map((q) => q.query.ExpressionAttributeValues[':pk'])).toContain(eventIndexKeys(at, caseId).gsi6pk);
          expect(dueWork('absent', at).map((q) => q.query.ExpressionAttributeValues[':pk'])).toContain(absentAgentIndexKeys(at, caseId).gsi5pk);
        },
      ),
    );
  });

  it('names the partition of items from before sharding exactly as it was', () => {
    expect(caseStatusPartition('queued', UNSHARDED)).toBe('STATUS#queued');
    expect(READ_SHARDS[READ_SHARDS.length - 1]).toBe(UNSHARDED);
  });
});

describe('listing order and positions', () => {
  const item = {
    pk: 'CASE#01J',
    sk: 'CASE',
    gsi1pk: 'OWNER#ann',
    gsi1sk: 'assigned#2026-12-07T10:00:00.000Z#01J',
    gsi6pk: 'STATUS#assigned#3',
    gsi6sk: '2026-12-07T10:00:00.000Z#01J',
  };

  it('orders owner listings without the status, status listings by the whole sort key', () => {
    expect(listingOrderKey(item, 'gsi1')).toBe('2026-12-07T10:00:00.000Z#01J');
    expect(listingOrderKey(item, 'gsi6')).toBe('2026-12-07T10:00:00.000Z#01J');
  });

  it('positions a Query after an item with the table key and the index key', () => {
    expect(positionAfter(item, 'gsi6')).toEqual({ pk: 'CASE#01J', sk: 'CASE', gsi6pk: 'STATUS#assigned#3', gsi6sk: '2026-12-07T10:00:00.000Z#01J' });
    expect(positionAfter(item, undefined)).toEqual({ pk: 'CASE#01J', sk: 'CASE' });
  });

  it('knows storage attributes from domain ones', () => {
    expect(['pk', 'sk', 'entity', 'expiresAt', 'gsi5pk', 'gsi6sk'].filter(isStorageAttribute)).toHaveLength(6);
    expect(['status', 'gsiNotes', 'owner'].filter(isStorageAttribute)).toEqual([]);
  });
});
