import { makeConfigRepository } from '../adapters/config-repository.js';
import type { TableRef } from '../adapters/dynamo.js';
import { makeReportReader } from '../adapters/report-reader.js';
import type { Clock } from '../core/ports/clock.js';
import type { ReportDeps } from '../core/use-cases/reports.js';
import { systemClock } from './deps.js';

/**
 * What the reports and the event-log export need from a table: nothing but reads. The reports
 * function (functions/handlers/reports.ts) gets these instead of AppDeps, in Lambda
 * (functions/composition/lambda.ts) as in the local stack, so it cannot write even by mistake.
 */
export function makeReportsDeps(table: TableRef, clock: Clock = systemClock): ReportDeps {
  return { source: makeReportReader(table), configs: makeConfigRepository(table), clock };
}
