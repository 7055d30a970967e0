/**
 * The future-event list of the simulation: a binary min-heap ordered by time, then by the order in
 * which events were scheduled (so two events at the same instant happen in a fixed, reproducible
 * order). Push and pop are O(log n); events are never removed, only made stale (their owner carries
 * a token the event must match), which is cheaper than deleting from a heap.
 */
export interface SimEvent {
  /** Epoch milliseconds. */
  t: number;
  seq: number;
  kind: number;
  /** What the event is about: a case index, an agent index, a calendar index. */
  ref: number;
  /** Matched against the owner's current token; a mismatch means the event is stale. */
  token: number;
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(t: number, kind: number, ref = 0, token = 0): void {
    const e: SimEvent = { t, seq: this.nextSeq++, kind, ref, token };
    const heap = this.heap;
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.t < t || (p.t === t && p.seq < e.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = e;
  }

  peekTime(): number {
    return this.heap.length ? this.heap[0]!.t : Number.POSITIVE_INFINITY;
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const n = heap.length;
    if (n === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (n > 1) {
      let i = 0;
      const size = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        let child = heap[l]!;
        if (r < size) {
          const rc = heap[r]!;
          if (rc.t < child.t || (rc.t === child.t && rc.seq < child.seq)) {
            c = r;
            child = rc;
          }
        }
        if (last.t < child.t || (last.t === child.t && last.seq < child.seq)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
