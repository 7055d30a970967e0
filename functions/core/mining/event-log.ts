/**
 * The process-mining event log: flat events grouped into traces (one per case).
 *
 * Timestamps are epoch milliseconds. Events of a case are ordered by timestamp; events with the same
 * timestamp keep their input order, because many logs (the helpdesk log among them) record several
 * steps in the same second and the file order is the only evidence of which came first.
 */

export interface MiningEvent {
  caseId: string;
  activity: string;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Who performed it (person, bot, system component). */
  resource?: string;
  /** The team, group or queue the event belongs to: handovers between teams are counted on it. */
  group?: string;
  attributes: Record<string, string>;
}

export interface Trace {
  caseId: string;
  /** Ordered by timestamp, ties in input order. */
  events: MiningEvent[];
}

/**
 * Groups events into traces. Traces come out in the order their case first appears in the input;
 * within a trace, events are stably sorted by timestamp.
 */
export function groupTraces(events: readonly MiningEvent[]): Trace[] {
  const byCase = new Map<string, MiningEvent[]>();
  for (const e of events) {
    let list = byCase.get(e.caseId);
    if (!list) {
      list = [];
      byCase.set(e.caseId, list);
    }
    list.push(e);
  }
  const traces: Trace[] = [];
  for (const [caseId, list] of byCase) {
    // Array.prototype.sort is stable (ES2019), which is exactly the tie rule we need.
    list.sort((a, b) => a.timestamp - b.timestamp);
    traces.push({ caseId, events: list });
  }
  return traces;
}

export function countEvents(traces: readonly Trace[]): number {
  let n = 0;
  for (const t of traces) n += t.events.length;
  return n;
}
