import { z } from 'zod';

/**
 * The `prioritisation` section of the routing configuration: its schema and the checks against the
 * configured levels. Part of the configuration schema (functions/core/config.ts), which depends on
 * no feature module; the decisions it configures are functions/core/priority.ts.
 */

/**
 * The largest number of points (or score threshold) a configuration may hold. Factors add up, and
 * points near the largest double would overflow to Infinity, which no stored decision can hold;
 * a million is far beyond any useful weighting.
 */
export const MAX_POINTS = 1_000_000;

/**
 * The smallest non-zero number of points. DynamoDB keeps no number nearer zero than 1e-130, and a
 * decision that holds one (5e-324 in a threshold) cannot be stored at all.
 */
export const MIN_POINTS = 0.000001;

const notTooSmall = (n: number) => n === 0 || Math.abs(n) >= MIN_POINTS;

/** Points may be negative: a `question` type can pull a case down as an `outage` pushes it up. */
const points = z.number().min(-MAX_POINTS).max(MAX_POINTS).refine(notTooSmall, `0, or at least ${MIN_POINTS} either side of it`);

/** Points per value of a case field. Keys match the case's value case-insensitively. */
const pointsByValue = z
  .record(z.string().min(1), points)
  .default({})
  .superRefine((table, ctx) => {
    const seen = new Set<string>();
    for (const key of Object.keys(table)) {
      const folded = key.trim().toLowerCase();
      if (seen.has(folded)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is listed twice (keys ignore case)` });
      seen.add(folded);
    }
  });

export const SentimentFactorSchema = z
  .object({
    pointsPerNegativeUnit: points
      .min(0)
      .default(2)
      .describe('Points for each unit of negative tone (the lexicon sum of the customer\'s text in its language: "furious" -3, "not happy" -3).'),
    maxPoints: points.min(0).default(20).describe('Cap, so one long angry message cannot outweigh severity.'),
    extraWords: z
      .record(z.string().regex(/^[^\s.,/#!?$%^&*;:{}=_`"~()]+$/, 'one word, without spaces or punctuation'), z.number().int().min(-5).max(5))
      .default({})
      .describe('Words added to (or overriding) the tone lexicon of every language, word ▶ -5…5, e.g. `{ "outage": -3, "asap": -2 }`.'),
  })
  .default({ pointsPerNegativeUnit: 2, maxPoints: 20, extraWords: {} })
  .describe(
    "The customer's tone, scored in en, de, fr, es, ru, zh and fa (docs/triage.md#tone-per-language); another language scores no points and its recorded reason says so.",
  );

export const PriorityLevelSchema = z.object({
  priority: z.string().min(1).describe('A priority level of `priorities`.'),
  minScore: points.describe('The level applies when the total score is at least this; a more urgent level needs a higher score.'),
});

export const PrioritisationSchema = z
  .object({
    severity: pointsByValue.describe("Severity ▶ points (the case's `severity`; keys ignore case)."),
    accountTier: pointsByValue.describe("Customer importance: account tier ▶ points (the case's `account.tier`)."),
    type: pointsByValue.describe("Case type ▶ points (the case's `type`); points may be negative."),
    sentiment: SentimentFactorSchema,
    levels: z.array(PriorityLevelSchema).min(1).describe('Thresholds onto the priority levels; order does not matter, the highest met wins.'),
    fallback: z.string().min(1).optional().describe('The priority when the score is below every threshold; default: the level with the lowest threshold.'),
  })
  .superRefine((p, ctx) => {
    const priorities = new Set<string>();
    const scores = new Set<number>();
    p.levels.forEach((level, i) => {
      if (priorities.has(level.priority)) ctx.addIssue({ code: 'custom', path: ['levels', i, 'priority'], message: `level ${level.priority} is listed twice` });
      if (scores.has(level.minScore)) ctx.addIssue({ code: 'custom', path: ['levels', i, 'minScore'], message: `two levels share minScore ${level.minScore}` });
      priorities.add(level.priority);
      scores.add(level.minScore);
    });
  });

export type Prioritisation = z.infer<typeof PrioritisationSchema>;
export type PrioritisationInput = z.input<typeof PrioritisationSchema>;

/** The configured levels (RoutingConfig satisfies it, so `computePriority(c, cfg.prioritisation, cfg)` works). */
export interface PriorityLevels {
  /** Most urgent first. */
  priorities: readonly string[];
  defaultPriority: string;
}

export interface PrioritisationIssue {
  /** Path inside the `prioritisation` section. */
  path: (string | number)[];
  message: string;
}

/**
 * Checks a prioritisation against the configured levels; for RoutingConfigSchema's superRefine
 * (prefix each path with `prioritisation`). A more urgent level must need a higher score, or the
 * thresholds would rank cases the opposite way to the queue.
 */
export function checkPrioritisation(p: Prioritisation, levels: Pick<PriorityLevels, 'priorities'>): PrioritisationIssue[] {
  const issues: PrioritisationIssue[] = [];
  const known = new Set(levels.priorities);
  p.levels.forEach((level, i) => {
    if (!known.has(level.priority)) issues.push({ path: ['levels', i, 'priority'], message: `unknown priority ${level.priority}` });
  });
  if (p.fallback !== undefined && !known.has(p.fallback)) issues.push({ path: ['fallback'], message: `unknown priority ${p.fallback}` });
  const byUrgency = p.levels
    .map((level, i) => ({ ...level, i, rank: levels.priorities.indexOf(level.priority) }))
    .filter((l) => l.rank >= 0)
    .sort((a, b) => a.rank - b.rank);
  for (let k = 1; k < byUrgency.length; k++) {
    const moreUrgent = byUrgency[k - 1]!;
    const lessUrgent = byUrgency[k]!;
    if (lessUrgent.minScore >= moreUrgent.minScore) {
      issues.push({
        path: ['levels', lessUrgent.i, 'minScore'],
        message: `${lessUrgent.priority} needs ${lessUrgent.minScore} but the more urgent ${moreUrgent.priority} needs only ${moreUrgent.minScore}`,
      });
    }
  }
  return issues;
}
