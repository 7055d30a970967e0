import { z } from 'zod';
import { REPORT_FILTER_FIELDS } from '../../core/reports/filters.js';
import { once } from '../../core/once.js';
import { EXPORT_FORMATS } from '../../core/reports/exports.js';
import { REPORT_GROUP_FIELDS } from '../../core/use-cases/reports.js';

/**
 * Query strings of the reports function's routes (functions/handlers/reports.ts), here so the
 * OpenAPI document (functions/handlers/api/openapi.ts) describes exactly what the handler parses.
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
    groupBy: z
      .enum(REPORT_GROUP_FIELDS, { error: `must be one of ${REPORT_GROUP_FIELDS.join(', ')}` })
      .optional()
      .describe('Besides the whole, one report per value of this field (`groups`), computed in the same call from the same data'),
  })
  .strict();

export const ExportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS, { error: `must be one of ${EXPORT_FORMATS.join(', ')}` }).default('csv'),
    from: date.optional(),
    to: date.optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// The report as the handler returns it (functions/core/reports/compute.ts), for the OpenAPI document.
// Every figure says what it covers: a period figure counts within the period ([period.start, min(
// period.end, asOf))); a point-in-time figure carries its instant beside it (`backlog.asOf`,
// `onHold.ongoingAtEnd.at`).

/**
 * The report's response schema, built on first use (reportResponseSchemas) rather than at import: only the
 * OpenAPI document and the tests read it, and building it is part of the reports and api functions' cold start
 * (docs/costs.md#cold-start). What it describes is not changed by when it is built.
 */
function buildReportResponseSchemas() {
  const instant = z.iso.datetime().describe('An instant, ISO 8601 UTC');
  const count = (what: string) => z.number().int().min(0).describe(what);
  const ms = (what: string) => z.number().int().min(0).nullable().describe(`${what}, in milliseconds; null when there is nothing to measure`);
  const ratio = (what: string) => z.number().min(0).max(1).nullable().describe(`${what}, 4 decimals; null when the denominator is 0`);

  const DurationStatsSchema = z
    .object({
      count: count('How many durations were measured'),
      averageMs: ms('Their average'),
      medianMs: ms('Their median'),
      average: z.string().nullable().describe('The average for people (`1h 30m`)'),
      median: z.string().nullable().describe('The median for people'),
    })
    .strict();

  const SlaMilestoneReportSchema = z
    .object({
      met: count('Milestones completed in time, in the period'),
      metLate: count('Milestones completed after their target, in the period'),
      completed: count('met + metLate'),
      compliance: ratio('met ÷ completed'),
      breaches: count('Targets passed in the period'),
      warnings: count('Warnings in the period'),
      escalations: count('Escalation steps taken in the period'),
    })
    .strict();

  const AgentLoadSchema = z
    .object({
      averageLoad: z.number().nullable().describe("Cases held, averaged over the agent's working time in the bucket; null without working time"),
      peakLoad: count('Most cases held at once in the bucket'),
      utilisation: z.number().nullable().describe('averageLoad ÷ capacity (all channels); null without capacity or working time'),
    })
    .strict();

  const ReassignmentRowSchema = z
    .object({
      type: z.string().describe('The case type (`all` for the total)'),
      cases: count('Cases with an assignment in the period'),
      assignments: count('Assignments in the period'),
      reassignments: count("Of those, assignments that were not the case's first"),
      handovers: count('Of those, reassignments to a different agent than the previous one'),
      reassignmentsPerCase: z.number().nullable().describe('reassignments ÷ cases'),
      handoversPerCase: z.number().nullable().describe('handovers ÷ cases'),
    })
    .strict();

  const SingleReportSchema = z
    .object({
      report: z.enum(['summary', 'volume', 'response-times', 'sla', 'first-contact-resolution', 'reassignments', 'on-hold', 'agents', 'backlog']),
      generatedAt: instant,
      period: z
        .object({
          from: z.string().describe('First UTC day'),
          to: z.string().describe('Last UTC day (inclusive)'),
          days: count('Days in the period'),
          timezone: z.literal('UTC'),
          start: instant.describe('The period starts at this instant (`from` 00:00 UTC)'),
          end: instant.describe('…and ends before this one (`to` + 1 day, 00:00 UTC)'),
        })
        .strict(),
      asOf: instant.describe('When the report was made: period figures stop here when it is before `period.end`'),
      filters: z.record(z.string(), z.array(z.string())).describe('The filters applied, as given'),
      casesWithActivity: count('Distinct cases (after filters) with at least one event in the period'),
      volume: z
        .object({
          created: count('Cases created in the period'),
          resolved: count('Distinct cases resolved in the period'),
          closedUnresolved: count('Distinct cases closed unresolved in the period'),
          reopened: count('Reopenings in the period'),
          daily: z.array(z.object({ date: z.string(), created: z.number().int(), resolved: z.number().int(), closedUnresolved: z.number().int() }).strict()),
        })
        .strict()
        .optional(),
      responseTimes: z
        .object({
          calendar: z.literal('sla').describe("Durations count the business hours of each case's SLA calendar"),
          firstResponse: DurationStatsSchema.describe('Creation ▶ first agent reply, for cases whose first reply falls in the period'),
          resolution: DurationStatsSchema.describe('Creation ▶ resolution, for cases resolved in the period (their last resolution in it)'),
        })
        .strict()
        .optional(),
      sla: z
        .object({ byMilestone: z.record(z.string(), SlaMilestoneReportSchema), total: SlaMilestoneReportSchema })
        .strict()
        .optional(),
      firstContactResolution: z
        .object({
          resolved: count('Distinct cases resolved in the period'),
          firstContact: count(
            'Of those, cases whose first resolution is in the period, with exactly one agent reply before it, no customer message between that reply and it, and never reopened up to `asOf`',
          ),
          rate: ratio('firstContact ÷ resolved'),
        })
        .strict()
        .optional(),
      reassignments: z
        .object({
          byType: z.array(ReassignmentRowSchema),
          total: ReassignmentRowSchema,
          frequentReassigners: z
            .object({
              threshold: count('reassignThreshold'),
              agents: z.array(
                z
                  .object({
                    agentId: z.string(),
                    week: z.string(),
                    cases: count('Distinct cases given back that ISO week (in the period)'),
                    caseIds: z.array(z.string()),
                  })
                  .strict(),
              ),
            })
            .strict(),
        })
        .strict()
        .optional(),
      onHold: z
        .object({
          completed: DurationStatsSchema.extend({
            totalMs: z.number().int().min(0).describe('Time on hold of the holds that ended in the period'),
            maxMs: ms('The longest of them'),
          })
            .strict()
            .describe('Holds that ended in the period, wall-clock'),
          ongoingAtEnd: z
            .object({
              at: instant.describe('The instant counted at: the end of the period, or `asOf` if sooner'),
              count: count('Holds still running at `at`'),
              longestMs: ms('How long the longest of them had lasted at `at`'),
            })
            .strict(),
        })
        .strict()
        .optional(),
      agents: z
        .object({
          bucket: z.enum(['day', 'week']),
          agents: z.array(
            z
              .object({
                agentId: z.string(),
                name: z.string().optional(),
                capacity: z.number().int().nullable().describe('All channels'),
                calendar: z.string().describe("The agent's business-hours calendar (`24x7` without one)"),
                casesHeldInPeriod: count('Distinct cases the agent held at some time in the period'),
                period: AgentLoadSchema.describe('Over the whole period'),
                series: z.array(AgentLoadSchema.extend({ bucket: z.string().describe('yyyy-mm-dd or yyyy-Www') }).strict()),
              })
              .strict(),
          ),
        })
        .strict()
        .optional(),
      backlog: z
        .object({
          asOf: instant.describe('The instant of the snapshot (when the report was made); not a period figure'),
          openNow: count('Open cases (after filters) as of `asOf`'),
          byQueue: z.array(
            z
              .object({
                queue: z.string(),
                openNow: count("The queue's open cases as of `asOf`"),
                byStatus: z.record(z.string(), z.number().int()),
                byPriority: z.record(z.string(), z.number().int()),
                oldestCreatedAt: instant,
                oldestAgeMs: z.number().int().min(0).describe('Age of the oldest open case at `asOf`'),
              })
              .strict(),
          ),
        })
        .strict()
        .optional(),
    })
    .strict();

  const ReportGroupSchema = SingleReportSchema.omit({ report: true, generatedAt: true }).extend({
    value: z.string().describe("The group's value of `groupBy` (`unspecified`: cases without one)"),
  });

  const ReportSchema = SingleReportSchema.extend({
    groupBy: z.enum(REPORT_GROUP_FIELDS).optional().describe('The field asked for with `groupBy`'),
    groups: z
      .array(ReportGroupSchema)
      .optional()
      .describe(
        'With `groupBy`: one report per value (the configured territories or queues in order, or every channel, then any other value the data holds), each with that value added to its filters: the figures a call filtered by it would give',
      ),
  }).describe('A report: the period and what it covers, then the sections asked for (`summary`: all of them)');

  /** Response schemas of the reports routes, named as components of the OpenAPI document. */
  const REPORT_RESPONSE_COMPONENTS = { Report: ReportSchema } as const;

  return { ReportSchema, REPORT_RESPONSE_COMPONENTS };
}

/** The report's response schemas as buildReportResponseSchemas returns them. */
export type ReportResponseSchemas = ReturnType<typeof buildReportResponseSchemas>;

/** ReportSchema and REPORT_RESPONSE_COMPONENTS, built on the first call and kept (docs/costs.md#cold-start). */
export const reportResponseSchemas: () => ReportResponseSchemas = once(buildReportResponseSchemas);
