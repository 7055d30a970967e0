import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName, MetricPoint, MetricsSink } from '../core/metrics.js';

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

/**
 * CloudWatch metrics through Powertools (Embedded Metric Format on stdout, which Lambda ships to
 * CloudWatch Logs and CloudWatch turns into metrics: no PutMetricData call, no IAM permission).
 *
 * Each point is a single metric, flushed at once: points carry different dimensions, and nothing
 * has to remember to flush at the end of an invocation (a handler that throws still has its
 * points out). The cost is one log line per point, which at a support desk's volume is nothing.
 *
 * `only`: publish these metrics and drop the rest (ALARM_METRICS when no dashboard shows the others:
 * each series costs a monthly fee in CloudWatch whether or not anyone looks at it).
 */
export function makePowertoolsMetricsSink(metrics: Metrics, only?: readonly MetricName[]): MetricsSink {
  const published = only ? new Set<string>(only) : undefined;
  return {
    record(points: readonly MetricPoint[]) {
      for (const point of points) {
        if (published && !published.has(point.name)) continue;
        const single = metrics.singleMetric();
        for (const [name, value] of Object.entries(point.dimensions)) single.addDimension(name, value);
        single.addMetric(point.name, UNITS[point.unit], point.value);
      }
    },
  };
}
