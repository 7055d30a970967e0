import type { CaseRecord } from '../case.js';
import { CLOSED_STATUSES } from '../case.js';
import { ValidationError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { CaseRepository } from '../ports/repositories.js';
import { triageText } from '../triage/apply.js';
import { type FieldEvaluation, type ModelSource, TRIAGE_FIELDS, type TriageModelBundle, versionFromInstant } from '../triage/bundle.js';
import type { FieldModel, LabelledText, Progress, ViewSpec } from '../triage/model.js';
import type { TriageModelStore } from '../triage/ports.js';
import { NotEnoughDataError, trainField } from '../triage/train.js';

/**
 * Training a model version (`npm run triage -- train`): from the team's own closed cases, or from a
 * CSV file of another system's history. Each field (type, product, the queue the case ended in) is
 * trained and evaluated on its own (functions/core/triage/train.ts); the version is stored with its
 * evaluation and is used once the configuration names it (`triage.modelVersion`).
 *
 * From cases: resolved and closed-unresolved cases, their subject and the customer's first message
 * (the description), labelled with the values the case ended with. A field an agent corrected is
 * learned with the agent's value; a prediction nobody corrected was accepted by the agent who closed
 * the case, and is learned as it is. The evaluation also counts, per field, how many of these cases
 * had a prediction applied and how many of those an agent corrected.
 */

export interface TrainTriageDeps {
  cases: Pick<CaseRepository, 'list'>;
  models: TriageModelStore;
  clock: Clock;
  /** Wall-clock milliseconds for the time figures (injected: the core reads no clock of its own). */
  elapsed?: () => number;
}

export interface TrainOptions {
  heldBack?: number;
  seed?: number;
  views?: ViewSpec[];
  onProgress?: Progress;
  /** Lines for the operator: how many cases were read, which fields were skipped. */
  log?: (line: string) => void;
}

export interface TrainResult {
  bundle: TriageModelBundle;
  location: string;
  bytes: number;
}

export interface CaseExamples {
  examples: Record<string, LabelledText[]>;
  corrections: Record<string, { applied: number; corrected: number }>;
}

/** Examples per field from closed cases, and how often applied predictions were corrected. */
export function examplesFromCases(cases: readonly CaseRecord[]): CaseExamples {
  const examples: Record<string, LabelledText[]> = Object.fromEntries(TRIAGE_FIELDS.map((f) => [f, []]));
  const corrections: Record<string, { applied: number; corrected: number }> = Object.fromEntries(TRIAGE_FIELDS.map((f) => [f, { applied: 0, corrected: 0 }]));
  for (const c of cases) {
    const text = triageText(c);
    if (text === '') continue;
    for (const field of TRIAGE_FIELDS) {
      const label = c[field]?.trim();
      if (label) examples[field]!.push({ text, label });
      const mark = c.triage?.fields[field];
      if (mark) {
        corrections[field]!.applied++;
        if (mark.correctedTo !== undefined) corrections[field]!.corrected++;
      }
    }
  }
  return { examples, corrections };
}

export function makeTrainTriage(deps: TrainTriageDeps) {
  const elapsed = deps.elapsed ?? (() => 0);

  async function build(
    examples: Record<string, LabelledText[]>,
    source: ModelSource,
    options: TrainOptions,
    corrections?: CaseExamples['corrections'],
  ): Promise<TrainResult> {
    const fields: Record<string, FieldModel> = {};
    const evaluation: Record<string, FieldEvaluation> = {};
    const skipped: Record<string, string> = {};
    for (const [field, list] of Object.entries(examples)) {
      try {
        const trained = trainField(field, list, {
          ...(options.heldBack !== undefined ? { heldBack: options.heldBack } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.views ? { views: options.views } : {}),
          onProgress: (stage, done, total) => options.onProgress?.(`${field}: ${stage}`, done, total),
          now: elapsed,
        });
        fields[field] = trained.model;
        const corrected = corrections?.[field];
        evaluation[field] = {
          ...trained.evaluation,
          counts: trained.counts,
          seconds: trained.seconds,
          ...(corrected
            ? { corrections: { ...corrected, rate: corrected.applied ? Math.round((corrected.corrected / corrected.applied) * 10_000) / 10_000 : 0 } }
            : {}),
        };
      } catch (error) {
        if (!(error instanceof NotEnoughDataError)) throw error;
        skipped[field] = error.message;
        options.log?.(`skipped ${error.message}`);
      }
    }
    if (Object.keys(fields).length === 0) {
      throw new ValidationError([{ field: 'examples', message: `nothing to learn from: ${Object.values(skipped).join('; ')}` }]);
    }
    const at = deps.clock.now();
    const bundle: TriageModelBundle = { version: versionFromInstant(at), createdAt: at.toISOString(), source, fields, evaluation, skipped };
    const saved = await deps.models.save(bundle);
    return { bundle, ...saved };
  }

  return {
    /** From the store's resolved and closed-unresolved cases, newest first, at most `maxCases`. */
    async fromCases(options: TrainOptions & { maxCases?: number; sourceName?: string } = {}): Promise<TrainResult> {
      const max = options.maxCases ?? 100_000;
      const cases: CaseRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await deps.cases.list({ statuses: [...CLOSED_STATUSES], limit: Math.min(100, max - cases.length), ...(cursor ? { cursor } : {}) });
        cases.push(...page.items);
        cursor = page.cursor;
        options.onProgress?.('reading closed cases', cases.length, max);
      } while (cursor && cases.length < max);
      options.log?.(`read ${cases.length} closed cases`);
      const { examples, corrections } = examplesFromCases(cases);
      return build(examples, { kind: 'cases', description: `${cases.length} closed cases of ${options.sourceName ?? 'the case table'}` }, options, corrections);
    },

    /** From rows of a file: each row's text and its label for `field`. */
    async fromRows(field: string, rows: readonly LabelledText[], sourceName: string, options: TrainOptions = {}): Promise<TrainResult> {
      return build({ [field]: [...rows] }, { kind: 'csv', description: sourceName }, options);
    },
  };
}
