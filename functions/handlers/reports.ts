import { gzipSync } from 'node:zlib';
import type { z } from 'zod';
import { awsReportsDeps } from '../composition/lambda.js';
import { assertManager } from '../core/authz.js';
import { parseOrThrow } from '../core/field-issues.js';
import { NotFoundError, PayloadTooLargeError } from '../core/errors.js';
import type { ReportFilters } from '../core/reports/filters.js';
import { REPORT_FILTER_FIELDS } from '../core/reports/filters.js';
import { parsePeriod } from '../core/reports/period.js';
import type { ReportDeps, ReportName } from '../core/use-cases/reports.js';
import { REPORT_CATALOG, REPORT_NAMES, makeExportEvents, makeRunReport } from '../core/use-cases/reports.js';
import type { HttpEvent, HttpResult } from '../http/api-gateway.js';
import { header, httpHandler, json, principalOf } from '../http/api-gateway.js';
import { lazy } from '../runtime/lambda.js';
import { logger } from '../runtime/observability.js';
import { ExportQuery, ReportQuery } from './reports/schemas.js';
import type { RouteKey, RouteOf } from '../http/routes.js';
import { findRoute, routeKey, routesOf } from '../http/routes.js';

/**
 * Reports and the event-log export (managers and admins): every route of
 * functions/http/routes.ts whose target is `reports`. Its own function so it can have a
 * read-only role, a longer timeout and more memory than the agent API, and so a heavy report never
 * competes with agents' requests for the API function's concurrency.
 *
 * - `GET /reports`               what reports exist, and their parameters
 * - `GET /reports/{name}`        one report (`summary` is all of them) for `from`…`to`
 * - `GET /exports/events`        the period's event log as CSV, XES or OCEL 2.0 JSON
 */

/** Lambda's synchronous response limit is 6 MB, base64 included; beyond this, the export is refused with 413. */
export const MAX_EXPORT_RESPONSE_BYTES = 5_500_000;
/** Smaller bodies are not worth compressing. */
const GZIP_MIN_BYTES = 1024;

const REPORTS_ROUTES = routesOf('reports');

function parseQuery<T extends z.ZodType>(schema: T, event: HttpEvent): z.output<T> {
  return parseOrThrow(schema, event.queryStringParameters ?? {}, { root: 'query', unknownKey: 'is not a known parameter' });
}

/** A text body, gzipped when the caller accepts it and it is worth it; refused when too big to return at all. */
function download(body: string, contentType: string, filename: string, acceptEncoding: string | undefined, extra: Record<string, string>): HttpResult {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${filename}"`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    vary: 'accept-encoding',
    ...extra,
  };
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length >= GZIP_MIN_BYTES && /\bgzip\b/i.test(acceptEncoding ?? '')) {
    const encoded = gzipSync(bytes).toString('base64');
    if (encoded.length > MAX_EXPORT_RESPONSE_BYTES) throw tooLarge(bytes.length);
    return { statusCode: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: encoded, isBase64Encoded: true };
  }
  if (bytes.length > MAX_EXPORT_RESPONSE_BYTES) throw tooLarge(bytes.length);
  return { statusCode: 200, headers, body };
}

function tooLarge(bytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `the export is ${(bytes / 1e6).toFixed(1)} MB, more than one response can carry: ask with Accept-Encoding: gzip, or export a shorter period`,
  );
}

/** Reads only (functions/composition/reports.ts makes them from a table): this function never writes. */
export function createHandler(deps: ReportDeps) {
  const runReport = makeRunReport(deps);
  const exportEvents = makeExportEvents(deps);

  // Keyed by the route union: a reports route without a handler here, or a handler for no route, does not compile.
  const handlers: Record<RouteKey<RouteOf<'reports'>>, (event: HttpEvent, params: Record<string, string>) => Promise<HttpResult>> = {
    'GET /reports': async (event) => {
      assertManager(principalOf(event));
      return json(200, {
        reports: REPORT_NAMES.map((name) => ({ name, path: `/reports/${name}`, description: REPORT_CATALOG[name].description })),
        parameters: {
          from: 'first UTC day, YYYY-MM-DD (required, except for backlog)',
          to: 'last UTC day, YYYY-MM-DD, inclusive; at most 366 days after from',
          ...Object.fromEntries(REPORT_FILTER_FIELDS.map((f) => [f, `only cases whose ${f} is one of these (comma-separated)`])),
          reassignThreshold: 'agents who gave back more than this many distinct cases in one ISO week are listed (default 5)',
          bucket: 'day or week: buckets of the agent load series (default day)',
          groupBy: 'territory, queue or channel: besides the whole, one report per value (groups), in the same call',
        },
        exports: { path: '/exports/events', formats: ['csv', 'xes', 'ocel'] },
      });
    },

    'GET /reports/{name}': async (event, params) => {
      // Who asks is checked before what they ask: an agent learns nothing about valid parameters.
      const principal = principalOf(event);
      assertManager(principal);
      const name = params.name ?? '';
      if (!(REPORT_NAMES as readonly string[]).includes(name)) {
        throw new NotFoundError(`there is no report ${JSON.stringify(name.slice(0, 80))}; GET /reports lists them`);
      }
      const query = parseQuery(ReportQuery, event);
      const period = name === 'backlog' && query.from === undefined && query.to === undefined ? undefined : parsePeriod(query.from, query.to);
      const filters: ReportFilters = {};
      for (const field of REPORT_FILTER_FIELDS) if (query[field]) filters[field] = query[field];
      const started = Date.now();
      const report = await runReport(principal, {
        name: name as ReportName,
        ...(period ? { period } : {}),
        filters,
        reassignThreshold: query.reassignThreshold,
        bucket: query.bucket,
        ...(query.groupBy ? { groupBy: query.groupBy } : {}),
      });
      logger.info('report made', {
        report: name,
        from: report.period.from,
        to: report.period.to,
        casesWithActivity: report.casesWithActivity,
        ms: Date.now() - started,
      });
      return json(200, report);
    },

    'GET /exports/events': async (event) => {
      const principal = principalOf(event);
      assertManager(principal);
      const query = parseQuery(ExportQuery, event);
      const period = parsePeriod(query.from, query.to);
      const exported = await exportEvents(principal, { format: query.format, period });
      logger.info('event log exported', { format: exported.format, from: period.from, to: period.to, events: exported.events, cases: exported.cases });
      return download(exported.body, exported.contentType, exported.filename, header(event, 'accept-encoding'), {
        'x-caseflow-events': String(exported.events),
        'x-caseflow-cases': String(exported.cases),
      });
    },
  };

  return httpHandler(async (event) => {
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    let match: ReturnType<typeof findRoute<RouteOf<'reports'>>>;
    try {
      match = findRoute(REPORTS_ROUTES, method, path);
    } catch {
      match = { route: undefined, allowed: [] }; // a malformed %-escape matches nothing
    }
    if (!match.route) {
      if (match.allowed.length > 0) {
        const allow = [...new Set(match.allowed)].join(', ');
        return json(405, { error: 'MethodNotAllowed', message: `${method} is not allowed on ${path}; use ${allow}` }, { allow });
      }
      throw new NotFoundError(`no route for ${method} ${path}`);
    }
    return handlers[routeKey(match.route)](event, match.params);
  });
}

/** The Lambda entry point: a read-only view of the table from the environment, built on the first request. */
export const handler = lazy(() => createHandler(awsReportsDeps()));
