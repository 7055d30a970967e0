/**
 * Triage on Banking77 (tickets_text/banking77: 10,003 training and 3,080 test customer-service
 * queries, 77 categories): a lower bound on the official test split, so a change that breaks the
 * model fails here. The figures that matter (accuracy ≥ 92 %, precision and coverage at the default
 * threshold, time, size) are printed by `npm run bench -- triage`, not asserted: tests check
 * behaviour, the bench measures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../functions/core/triage/evaluate.js';
import { DEFAULT_MIN_CONFIDENCE } from '../../functions/core/triage/settings.js';
import { scoreExamples, trainField } from '../../functions/core/triage/train.js';
import { corpusPath } from '../support/corpus.js';

const dir = corpusPath('tickets_text', 'banking77');
const load = (file: string) =>
  (parse(readFileSync(join(dir, file)), { columns: true }) as { text: string; category: string }[]).map((r) => ({ text: r.text, label: r.category }));

describe('triage on Banking77', () => {
  it('learns the 77 categories from the training split and holds a lower bound on the test split', { timeout: 900_000 }, () => {
    const train = load('train.csv');
    const test = load('test.csv');
    expect(train).toHaveLength(10_003);
    expect(test).toHaveLength(3_080);
    const trained = trainField('category', train, { heldBack: 0.1 });
    expect(trained.model.labels).toHaveLength(77);
    const e = evaluate(scoreExamples(trained.model, test), { thresholds: [DEFAULT_MIN_CONFIDENCE] });
    expect(e.accuracy).toBeGreaterThanOrEqual(0.91);
    expect(e.thresholds[0]!.precision).toBeGreaterThanOrEqual(0.97);
    expect(e.thresholds[0]!.coverage).toBeGreaterThanOrEqual(0.78);
  });
});
