import type { MetricPoint, MetricsSink } from '../../functions/core/metrics.js';

/**
 * The local stack's metrics: kept in memory, never printed (EMF lines on the terminal would bury
 * the access log). What CloudWatch would aggregate is summarised per metric and dimension set, for
 * tests and for a look from a debugger or the REPL.
 */
export interface MetricSummary {
  name: string;
  dimensions: Record<string, string>;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** The last value: what a gauge (queue depth) reads. */
  last: number;
}

export interface LocalMetricsSink extends MetricsSink {
  /** Every metric and dimension set seen so far, sorted by name then dimensions. */
  snapshot(): MetricSummary[];
  /** The summary of one metric with exactly these dimensions, if any point was recorded. */
  get(name: string, dimensions?: Record<string, string>): MetricSummary | undefined;
}

const keyOf = (name: string, dimensions: Record<string, string>) =>
  `${name}|${Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}`;

export function makeLocalMetricsSink(): LocalMetricsSink {
  const summaries = new Map<string, MetricSummary>();
  return {
    record(points: readonly MetricPoint[]) {
      for (const p of points) {
        const key = keyOf(p.name, p.dimensions);
        const s = summaries.get(key);
        if (!s) {
          summaries.set(key, {
            name: p.name,
            dimensions: { ...p.dimensions },
            unit: p.unit,
            count: 1,
            sum: p.value,
            min: p.value,
            max: p.value,
            last: p.value,
          });
        } else {
          s.count++;
          s.sum += p.value;
          s.min = Math.min(s.min, p.value);
          s.max = Math.max(s.max, p.value);
          s.last = p.value;
        }
      }
    },
    snapshot() {
      return [...summaries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => ({ ...s, dimensions: { ...s.dimensions } }));
    },
    get(name, dimensions = {}) {
      const s = summaries.get(keyOf(name, dimensions));
      return s ? { ...s, dimensions: { ...s.dimensions } } : undefined;
    },
  };
}
