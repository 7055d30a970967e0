import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricPoint, MetricsSink } from '../core/metrics.js';

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

/**
 * CloudWatch metrics through Powertools (Embedded Metric Format on stdout, which Lambda ships to
 * CloudWatch Logs and CloudWatch turns into metrics: no PutMetricData call, no IAM permission).
 *
 * Each point is a single metric, flushed at once: points carry different dimensions, and nothing
 * has to remember to flush at the end of an invocation (a handler that throws still has its
 * points out). The cost is one log line per point, which at a support desk's volume is nothing.
 */
export function makePowertoolsMetricsSink(metrics: Metrics): MetricsSink {
  return {
    record(points: readonly MetricPoint[]) {
      for (const point of points) {
        const single = metrics.singleMetric();
        for (const [name, value] of Object.entries(point.dimensions)) single.addDimension(name, value);
        single.addMetric(point.name, UNITS[point.unit], point.value);
      }
    },
  };
}
