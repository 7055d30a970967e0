/**
 * What the OpenAPI document says about reports and outages matches what the code does:
 * - the Report schema (functions/handlers/reports/schemas.ts) accepts, strictly, every report the pure
 *   function computes (so a renamed or added figure cannot drift from its description), and says for
 *   every figure what it covers;
 * - every route that reads the case store documents 503 with Retry-After (StoreUnavailableError).
 */
import { describe, expect, it } from 'vitest';
import { computeReport } from '../../functions/core/reports/compute.js';
import { parsePeriod } from '../../functions/core/reports/period.js';
import { REPORT_NAMES } from '../../functions/core/use-cases/reports.js';
import { buildOpenApiDocument } from '../../functions/handlers/api/openapi.js';
import { reportResponseSchemas } from '../../functions/handlers/reports/schemas.js';

const { ReportSchema } = reportResponseSchemas();
import type { RouteDefinition } from '../../functions/http/routes.js';
import { ROUTES } from '../../functions/http/routes.js';
import { AS_OF, CASES, EVENTS, OPEN, PERIOD, REPORT_CONFIG } from '../support/report-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document under test
const doc = buildOpenApiDocument() as any;

const report = (period = PERIOD, bucket: 'day' | 'week' = 'day') => ({
  report: 'summary' as const,
  generatedAt: AS_OF,
  ...computeReport({ period, asOf: AS_OF, filters: {}, config: REPORT_CONFIG, cases: CASES, events: EVENTS, openCases: OPEN, reassignThreshold: 1, bucket }),
});

describe('the Report schema of the OpenAPI document', () => {
  it('accepts exactly what the reports compute, for a busy week, a quiet weekend and weekly buckets', () => {
    for (const r of [report(), report(parsePeriod('2025-03-08', '2025-03-09')), report(PERIOD, 'week')]) {
      const parsed = ReportSchema.safeParse(JSON.parse(JSON.stringify(r)));
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
    // Strict: a figure the schema does not know is refused, so the two cannot drift apart.
    expect(ReportSchema.safeParse({ ...report(), cases: 7 }).success).toBe(false);
  });

  it('is the 200 of GET /reports/{name}, and every figure in it says what it covers', () => {
    expect(doc.paths['/reports/{name}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Report' });
    const schema = doc.components.schemas.Report;
    expect(schema.properties.report.enum).toEqual([...REPORT_NAMES]);
    expect(schema.properties.casesWithActivity.description).toMatch(/in the period/);
    expect(schema.properties.backlog.properties.openNow.description).toMatch(/as of `asOf`/);
    expect(schema.properties.backlog.properties.asOf.description).toMatch(/not a period figure/);
    expect(schema.properties.onHold.properties.ongoingAtEnd.properties.at.description).toMatch(/end of the period, or `asOf`/);
    expect(schema.properties.firstContactResolution.properties.firstContact.description).toMatch(/never reopened up to `asOf`/);
    // Every number in the report carries a description, down to the nested rows.
    const undescribed: string[] = [];
    let numbers = 0;
    const isNumeric = (node: Record<string, unknown>): boolean =>
      ['integer', 'number'].includes(node.type as string) || ((node.anyOf as Record<string, unknown>[] | undefined) ?? []).some(isNumeric);
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (isNumeric(child)) {
          numbers++;
          // The per-day rows and per-status counts are described by their parents.
          if (!child.description && !/\.daily\[\]$/.test(path)) undescribed.push(`${path}.${name}`);
        }
        walk(child, `${path}.${name}`);
        if (child.items) walk(child.items as Record<string, unknown>, `${path}.${name}[]`);
        if (child.additionalProperties && typeof child.additionalProperties === 'object')
          walk(child.additionalProperties as Record<string, unknown>, `${path}.${name}{}`);
      }
    };
    walk(schema, 'Report');
    expect(numbers).toBeGreaterThan(40);
    expect(undescribed).toEqual([]);
  });
});

describe('the store being unreachable, in the OpenAPI document', () => {
  it('is a 503 with Retry-After on every route that reads the store', () => {
    const storeFree = new Set(['GET /openapi.json', 'GET /web-to-case', 'GET /reports']);
    for (const route of ROUTES as readonly RouteDefinition[]) {
      const key = `${route.method} ${route.path}`;
      const op = doc.paths[route.path][route.method.toLowerCase()];
      if (storeFree.has(key)) continue;
      expect(op.responses['503'], key).toEqual({ $ref: '#/components/responses/ServiceUnavailable' });
    }
    expect(doc.components.responses.ServiceUnavailable.headers['Retry-After'].schema).toEqual({ type: 'integer', minimum: 0 });
    expect(doc.components.responses.ServiceUnavailable.description).toMatch(/StoreUnavailableError/);
  });
});
