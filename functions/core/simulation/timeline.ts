import { DateTime } from 'luxon';

/**
 * The chart's data: what was integrated per absolute time bin during the run (cases waiting × time,
 * arrivals and their waits), folded onto the local time of day.
 */

export interface TimelineBin {
  /** Minutes since local midnight at the bin's start. */
  minute: number;
  /** Time-average number of cases waiting, over every day, in total and per queue. */
  waiting: number;
  waitingByQueue: Record<string, number>;
  /** Cases that arrived in the bin (per day, on average) and their mean wait until assignment. */
  arrivalsPerDay: number;
  meanWaitMs: number;
  assignedCount: number;
}

/** Over the day, in the chart's zone. */
export interface Timeline {
  binMinutes: number;
  timezone: string;
  /** Days the measured window spans. */
  days: number;
  bins: TimelineBin[];
}

export interface WaitingCell {
  area: number;
  byQueue: Map<string, number>;
}

export interface ArrivalCell {
  arrivals: number;
  waitSum: number;
  assigned: number;
}

export function timelineOf(
  absWaiting: Map<number, WaitingCell>,
  absArrivals: Map<number, ArrivalCell>,
  binMs: number,
  timezone: string,
  from: number,
  to: number,
): Timeline {
  const perDay = Math.round(86_400_000 / binMs);
  const bins = Array.from({ length: perDay }, (_, i) => ({
    area: 0,
    time: 0,
    byQueue: new Map<string, number>(),
    arrivals: 0,
    waitSum: 0,
    assigned: 0,
    minute: (i * binMs) / 60_000,
  }));
  const local = (absBin: number) => {
    const dt = DateTime.fromMillis(absBin * binMs, { zone: timezone });
    return Math.min(perDay - 1, Math.floor(((dt.hour * 60 + dt.minute) * 60_000) / binMs));
  };
  // Time covered by each local bin: every absolute bin inside the measured window.
  for (let b = Math.floor(from / binMs); b * binMs < to; b++) {
    const covered = Math.min(to, (b + 1) * binMs) - Math.max(from, b * binMs);
    if (covered <= 0) continue;
    const cell = bins[local(b)]!;
    cell.time += covered;
    const w = absWaiting.get(b);
    if (w) {
      cell.area += w.area;
      for (const [q, a] of w.byQueue) cell.byQueue.set(q, (cell.byQueue.get(q) ?? 0) + a);
    }
    const arr = absArrivals.get(b);
    if (arr) {
      cell.arrivals += arr.arrivals;
      cell.waitSum += arr.waitSum;
      cell.assigned += arr.assigned;
    }
  }
  const days = Math.max(1e-9, (to - from) / 86_400_000);
  return {
    binMinutes: binMs / 60_000,
    timezone,
    days,
    bins: bins.map((b) => ({
      minute: b.minute,
      waiting: b.time > 0 ? b.area / b.time : 0,
      waitingByQueue: Object.fromEntries([...b.byQueue].map(([q, a]) => [q, b.time > 0 ? a / b.time : 0])),
      arrivalsPerDay: b.arrivals / days,
      meanWaitMs: b.assigned > 0 ? b.waitSum / b.assigned : 0,
      assignedCount: b.assigned,
    })),
  };
}
