/**
 * The cases waiting in each queue, in the order dispatch offers them: priority rank, then age
 * (createdAt), then id, which is the queue index's sort key (dispatchOrder in dispatch.ts). The
 * simulator's stand-in for `CaseRepository.listQueued`.
 *
 * Per queue and rank, an array kept sorted by (createdAt, id): a new case almost always goes at the
 * end (cases arrive in time order), an older one that waits again is inserted by binary search.
 * Leaving is O(1): the entry goes stale (the case's entry token moves on) and is skipped and dropped
 * when the head is read.
 */

export interface WaitingEntry {
  /** Sort keys: createdAt in epoch ms, then the case's index (ids are zero-padded indexes, so this is id order). */
  createdMs: number;
  index: number;
  /** The token of the entry this case holds now; an array slot with another token is stale. */
  entry: number;
  /** Where the case waits while its entry is live. */
  queue?: string;
  rank?: number;
}

interface Bucket {
  rank: number;
  items: WaitingEntry[];
  tokens: number[];
  head: number;
  /** Live entries in items[head..]; the rest are stale. */
  live: number;
}

interface QueueWaiting {
  buckets: Bucket[];
  count: number;
}

export class WaitingIndex {
  private queues = new Map<string, QueueWaiting>();
  private total = 0;
  private nextToken = 1;

  get size(): number {
    return this.total;
  }

  count(queue: string): number {
    return this.queues.get(queue)?.count ?? 0;
  }

  /** Queues with at least one case waiting, with their counts. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [q, w] of this.queues) if (w.count > 0) out.set(q, w.count);
    return out;
  }

  isWaiting(e: WaitingEntry): boolean {
    return e.queue !== undefined;
  }

  /** Puts the case in `queue` at `rank` (moving it if it waits elsewhere). Returns whether anything changed. */
  place(e: WaitingEntry, queue: string, rank: number): boolean {
    if (e.queue === queue && e.rank === rank) return false;
    if (e.queue !== undefined) this.remove(e);
    let w = this.queues.get(queue);
    if (!w) this.queues.set(queue, (w = { buckets: [], count: 0 }));
    let b = w.buckets.find((x) => x.rank === rank);
    if (!b) {
      b = { rank, items: [], tokens: [], head: 0, live: 0 };
      w.buckets.push(b);
      w.buckets.sort((x, y) => x.rank - y.rank);
    }
    const token = this.nextToken++;
    e.entry = token;
    e.queue = queue;
    e.rank = rank;
    const n = b.items.length;
    const last = n > b.head ? b.items[n - 1]! : undefined;
    if (!last || before(last, e)) {
      b.items.push(e);
      b.tokens.push(token);
    } else {
      let lo = b.head;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(b.items[mid]!, e)) lo = mid + 1;
        else hi = mid;
      }
      b.items.splice(lo, 0, e);
      b.tokens.splice(lo, 0, token);
    }
    b.live++;
    w.count++;
    this.total++;
    return true;
  }

  /** The case no longer waits. */
  remove(e: WaitingEntry): void {
    if (e.queue === undefined) return;
    const w = this.queues.get(e.queue)!;
    const b = w.buckets.find((x) => x.rank === e.rank)!;
    b.live--;
    w.count--;
    this.total--;
    e.entry = 0;
    // Many stale entries behind a case that waits long: rebuild, so reading the head stays cheap.
    const stale = b.items.length - b.head - b.live;
    if (stale > 64 && stale > b.live) compact(b);
    e.queue = undefined;
    e.rank = undefined;
  }

  /** Up to `limit` cases waiting in `queue`, first in dispatch order. */
  head(queue: string, limit: number): WaitingEntry[] {
    const w = this.queues.get(queue);
    const out: WaitingEntry[] = [];
    if (!w || w.count === 0) return out;
    for (const b of w.buckets) {
      // Drop the stale prefix for good; skip stale entries further in.
      while (b.head < b.items.length && b.items[b.head]!.entry !== b.tokens[b.head]) b.head++;
      if (b.head > 256 && b.head * 2 > b.items.length) {
        b.items.splice(0, b.head);
        b.tokens.splice(0, b.head);
        b.head = 0;
      }
      for (let i = b.head; i < b.items.length && out.length < limit; i++) {
        if (b.items[i]!.entry === b.tokens[i]) out.push(b.items[i]!);
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every case waiting in `queue` (for the report at the end). */
  all(queue: string): WaitingEntry[] {
    return this.head(queue, Number.POSITIVE_INFINITY);
  }

  queueIds(): string[] {
    return [...this.queues.keys()];
  }
}

function compact(b: Bucket): void {
  const items: WaitingEntry[] = [];
  const tokens: number[] = [];
  for (let i = b.head; i < b.items.length; i++) {
    if (b.items[i]!.entry === b.tokens[i]) {
      items.push(b.items[i]!);
      tokens.push(b.tokens[i]!);
    }
  }
  b.items = items;
  b.tokens = tokens;
  b.head = 0;
}

function before(a: WaitingEntry, b: WaitingEntry): boolean {
  return a.createdMs < b.createdMs || (a.createdMs === b.createdMs && a.index < b.index);
}
