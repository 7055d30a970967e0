import { z } from 'zod';
import { REPORT_FILTER_FIELDS } from '../core/reports/filters.js';
import { EXPORT_FORMATS } from '../core/reports/exports.js';

/**
 * Query strings of the reports function's routes (functions/handlers/reports.ts), here so the
 * OpenAPI document (functions/shared/openapi.ts) describes exactly what the handler parses.
 */

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .describe('A UTC day, YYYY-MM-DD (inclusive)');

/** `queue=emea,general`: one or more values, comma-separated (repeated parameters arrive joined the same way). */
const list = z
  .string()
  .max(2000)
  .transform((s) => [
    ...new Set(
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ])
  .refine((l) => l.length > 0, 'name at least one value')
  .refine((l) => l.every((v) => v.length <= 64), 'values are at most 64 characters');

const filters = Object.fromEntries(
  REPORT_FILTER_FIELDS.map((f) => [f, list.optional().describe(`Only cases whose ${f} is one of these (comma-separated)`)]),
) as Record<(typeof REPORT_FILTER_FIELDS)[number], z.ZodOptional<typeof list>>;

export const DEFAULT_REASSIGN_THRESHOLD = 5;

export const ReportQuery = z
  .object({
    from: date.optional(),
    to: date.optional(),
    ...filters,
    reassignThreshold: z.coerce
      .number({ error: 'must be a whole number from 0 to 1000' })
      .int('must be a whole number from 0 to 1000')
      .min(0, 'must be at least 0')
      .max(1000, 'must be at most 1000')
      .default(DEFAULT_REASSIGN_THRESHOLD)
      .describe('Agents who gave back more than this many distinct cases in one ISO week are listed'),
    bucket: z.enum(['day', 'week'], { error: 'must be day or week' }).default('day').describe('Time buckets of the agent load series'),
  })
  .strict();

export const ExportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS, { error: `must be one of ${EXPORT_FORMATS.join(', ')}` }).default('csv'),
    from: date.optional(),
    to: date.optional(),
  })
  .strict();
