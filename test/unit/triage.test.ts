import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import { applyTriage, fieldsToFill } from '../../functions/core/triage/apply.js';
import { type TriageModelBundle, parseBundle, serialiseBundle, versionFromInstant } from '../../functions/core/triage/bundle.js';
import { evaluate, thresholdFor } from '../../functions/core/triage/evaluate.js';
import { fitTemperature, predict, probabilities, splitHeldBack } from '../../functions/core/triage/model.js';
import { TriageSettingsSchema } from '../../functions/core/triage/settings.js';
import { normaliseText, tokenize } from '../../functions/core/triage/text.js';
import { NotEnoughDataError, trainField } from '../../functions/core/triage/train.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { makeCase, makeRoutingConfigInput } from '../support/fixtures.js';
import { TRIAGE_FIXTURE, UNSEEN, fixtureExamples } from '../support/triage-fixture.js';

describe('text as the model sees it', () => {
  it('folds case, accents, digits and the Persian/Arabic letter variants', () => {
    expect(normaliseText('Ärger über 2 Rechnungen')).toBe('arger uber 0 rechnungen');
    expect(normaliseText('Ёлка ЙОД')).toBe('елка иод');
    // Arabic yeh and kaf typed on an Arabic keyboard read as the Persian letters; the non-joiner goes.
    expect(normaliseText('كارت مي‌خواهم')).toBe('کارت میخواهم');
    expect(normaliseText('ＡＢＣ１２')).toBe('abc00');
  });

  it('splits Chinese into characters and keeps spaced scripts as words', () => {
    expect(tokenize('我的账单ok').map((t) => [t.text, t.unspaced])).toEqual([
      ['我', true],
      ['的', true],
      ['账', true],
      ['单', true],
      ['ok', false],
    ]);
    expect(tokenize('Посылка не пришла').map((t) => t.text)).toEqual(['посылка', 'не', 'пришла']);
    expect(tokenize('بسته من نرسیده').map((t) => t.text)).toEqual(['بسته', 'من', 'نرسیده']);
  });
});

describe('training on a small multilingual fixture', () => {
  const trained = trainField('type', fixtureExamples('type'), { heldBack: 0.2, seed: 7 });
  const products = trainField('product', fixtureExamples('product'), { heldBack: 0.2, seed: 7 });

  it('learns every label and predicts unseen messages in each script', () => {
    expect(trained.model.labels).toEqual(['billing', 'delivery', 'login']);
    expect(trained.counts).toEqual({ examples: TRIAGE_FIXTURE.length, labels: 3, heldBack: 9 });
    for (const u of UNSEEN) expect(predict(trained.model, u.text).label, u.text).toBe(u.type);
  });

  it('gives calibrated probabilities that sum to 1, with runners-up in order', () => {
    const p = probabilities(trained.model, UNSEEN[0]!.text);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const prediction = predict(trained.model, UNSEEN[0]!.text);
    expect(prediction.runnersUp.map((r) => r.label).sort()).toEqual(['delivery', 'login']);
    expect(prediction.runnersUp[0]!.confidence).toBeGreaterThanOrEqual(prediction.runnersUp[1]!.confidence);
    expect(prediction.confidence).toBeGreaterThan(prediction.runnersUp[0]!.confidence);
    expect(trained.model.temperature).toBeGreaterThan(0);
  });

  it('explains a prediction by the words that weighed most for it', () => {
    const p = predict(trained.model, 'Refund please, you charged my card twice');
    expect(p.label).toBe('billing');
    expect(p.words.length).toBeGreaterThan(0);
    expect(p.words.map((w) => w.word)).toEqual(expect.arrayContaining(['charged']));
    for (const w of p.words) expect(w.weight).toBeGreaterThan(0);
    // Heaviest first.
    expect(p.words.map((w) => w.weight)).toEqual([...p.words.map((w) => w.weight)].sort((a, b) => b - a));
    const zh = predict(trained.model, '快递一直没有送到');
    expect(zh.label).toBe('delivery');
    expect(zh.words.some((w) => ['快', '递', '送', '到'].includes(w.word))).toBe(true);
  });

  it('reports its held-back evaluation: accuracy, macro-F1, a threshold table, confused pairs', () => {
    const e = trained.evaluation;
    expect(e.examples).toBe(9);
    expect(e.accuracy).toBeGreaterThanOrEqual(0.6);
    expect(e.thresholds[0]).toMatchObject({ threshold: 0, coverage: 1, precision: e.accuracy });
    for (let i = 1; i < e.thresholds.length; i++) expect(e.thresholds[i]!.coverage).toBeLessThanOrEqual(e.thresholds[i - 1]!.coverage);
  });

  it('survives being written and read back: the same predictions', () => {
    const bundle: TriageModelBundle = {
      version: '20250303-090000',
      createdAt: '2025-03-03T09:00:00.000Z',
      source: { kind: 'csv', description: 'fixture' },
      fields: { type: trained.model },
      evaluation: {},
      skipped: {},
    };
    const back = parseBundle(serialiseBundle(bundle));
    for (const u of UNSEEN) expect(predict(back.fields.type!, u.text)).toEqual(predict(trained.model, u.text));
    expect(() => parseBundle('{"format":"other"}')).toThrow(/format/);
  });

  it('refuses data it cannot learn from, saying why', () => {
    expect(() =>
      trainField('type', [
        { text: 'a', label: 'x' },
        { text: 'b', label: 'x' },
      ]),
    ).toThrow(NotEnoughDataError);
    expect(() =>
      trainField('type', [
        { text: 'a', label: 'x' },
        { text: 'b', label: 'y' },
      ]),
    ).toThrow(/at least two labels with 2\+ examples/);
  });

  describe('in the stamp step (applyTriage)', () => {
    const bundle: TriageModelBundle = {
      version: 'v1',
      createdAt: '2025-03-03T09:00:00.000Z',
      source: { kind: 'csv', description: 'fixture' },
      fields: { type: trained.model, product: products.model, queue: trained.model },
      evaluation: {},
      skipped: {},
    };
    const settings = (over: Record<string, unknown> = {}) => TriageSettingsSchema.parse({ modelVersion: 'v1', ...over });
    const emptyCase = (text: string, extra: Partial<CaseRecord> = {}) => {
      const c = makeCase({ subject: text, description: '', ...extra });
      delete c.type;
      delete c.product;
      return { ...c, ...extra };
    };

    it('fills an empty field when the confidence reaches its threshold, and records why', () => {
      const c = emptyCase('You charged my card twice, I want a refund');
      const out = applyTriage(c, settings({ type: { minConfidence: 0.4 }, product: { minConfidence: 0.4 } }), bundle);
      expect(out.case.type).toBe('billing');
      expect(out.case.product).toBe('subscription');
      expect(out.case.triage).toEqual({
        modelVersion: 'v1',
        fields: { type: { value: 'billing', confidence: out.record!.fields.type!.confidence }, product: expect.objectContaining({ value: 'subscription' }) },
      });
      const t = out.record!.fields.type!;
      expect(t).toMatchObject({ prediction: 'billing', applied: true, threshold: 0.4 });
      expect(t.reason).toBe(`confidence ${t.confidence} ≥ 0.4`);
      expect(t.runnersUp).toHaveLength(2);
      expect(t.words.length).toBeGreaterThan(0);
      expect(out.record!.modelVersion).toBe('v1');
      // The queue is predicted for information only.
      expect(out.record!.fields.queue).toMatchObject({ applied: false });
      expect(out.record!.review).toBeUndefined();
    });

    it('leaves the field empty below the threshold, and sends the case to review only when configured to', () => {
      const c = emptyCase('Hello');
      const left = applyTriage(c, settings({ type: { minConfidence: 0.999 }, product: { enabled: false } }), bundle);
      expect(left.case.type).toBeUndefined();
      expect(left.case.triage).toBeUndefined();
      expect(left.record!.fields.type).toMatchObject({ applied: false, threshold: 0.999 });
      expect(left.record!.fields.type!.reason).toMatch(/< 0\.999: left empty/);
      expect(left.record!.fields.product).toBeUndefined();
      expect(left.record!.review).toBeUndefined();
      const review = applyTriage(c, settings({ type: { minConfidence: 0.999 }, product: { enabled: false }, belowThreshold: 'review' }), bundle);
      expect(review.record!.review).toBe('triage is not sure enough about type: a person should classify the case');
    });

    it('never overwrites a field the customer or an agent set, and loads nothing when nothing is empty', () => {
      const c = { ...emptyCase('You charged my card twice'), type: 'question', product: 'lamp' };
      expect(fieldsToFill(c, settings())).toEqual([]);
      expect(applyTriage(c, settings({ type: { minConfidence: 0 } }), bundle)).toEqual({ case: c });
      const half = { ...emptyCase('You charged my card twice'), type: 'question' };
      const out = applyTriage(half, settings({ type: { minConfidence: 0 }, product: { minConfidence: 0 } }), bundle);
      expect(out.case.type).toBe('question');
      expect(out.record!.fields.type).toBeUndefined();
      expect(out.case.product).toBe('subscription');
    });

    it('does nothing without a configured version, and records a version it cannot load', () => {
      const c = emptyCase('You charged my card twice');
      expect(applyTriage(c, TriageSettingsSchema.parse({}), bundle)).toEqual({ case: c });
      expect(applyTriage(c, settings(), undefined, 'model version v1 is not stored')).toEqual({
        case: c,
        record: { modelVersion: 'v1', fields: {}, skipped: 'model version v1 is not stored' },
      });
    });
  });
});

describe('evaluation figures', () => {
  const scored = [
    { gold: 'a', predicted: 'a', confidence: 0.95 },
    { gold: 'a', predicted: 'a', confidence: 0.9 },
    { gold: 'b', predicted: 'a', confidence: 0.6 },
    { gold: 'b', predicted: 'b', confidence: 0.8 },
    { gold: 'c', predicted: 'b', confidence: 0.4 },
  ];

  it('accuracy, macro-F1, coverage and precision per threshold, and the confused pairs', () => {
    const e = evaluate(scored, { thresholds: [0, 0.7, 0.99] });
    expect(e.accuracy).toBe(0.6);
    // F1: a = 2·2/(4+1+0) = 0.8; b = 2·1/(2+1+1) = 0.5; c = 0 ▶ mean 0.4333
    expect(e.macroF1).toBe(0.4333);
    expect(e.thresholds).toEqual([
      { threshold: 0, coverage: 1, precision: 0.6 },
      { threshold: 0.7, coverage: 0.6, precision: 1 },
      { threshold: 0.99, coverage: 0, precision: 1 },
    ]);
    expect(e.confused).toEqual([
      { actual: 'b', predicted: 'a', count: 1 },
      { actual: 'c', predicted: 'b', count: 1 },
    ]);
    expect(thresholdFor(scored, 1)).toBe(0.8);
    expect(thresholdFor(scored, 0.75)).toBe(0.6);
  });

  it('fits the temperature that makes confident scores as sure as they are right', () => {
    // Always right with a margin of 1: the best temperature is large (sharper than the raw scores).
    const sure = Array.from({ length: 20 }, () => Float64Array.from([1, 0]));
    expect(fitTemperature(sure, Array(20).fill(0))).toBeGreaterThan(10);
    // Right only half the time with the same margin: the best temperature flattens to near 0.
    expect(fitTemperature(sure, [...Array(10).fill(0), ...Array(10).fill(1)])).toBeLessThan(0.05);
  });

  it('holds back a share of every label, and never a label of one example', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => ({ label: 'a', i })),
      ...Array.from({ length: 5 }, (_, i) => ({ label: 'b', i })),
      { label: 'c', i: 0 },
    ];
    const { train, heldBack } = splitHeldBack(rows, 0.2, 1);
    expect(heldBack.filter((r) => r.label === 'a')).toHaveLength(2);
    expect(heldBack.filter((r) => r.label === 'b')).toHaveLength(1);
    expect(heldBack.filter((r) => r.label === 'c')).toHaveLength(0);
    expect(train.length + heldBack.length).toBe(rows.length);
  });
});

describe('configuration', () => {
  it('a configuration without a triage section stays valid, with triage off and the documented defaults', () => {
    const cfg = parseRoutingConfig(makeRoutingConfigInput());
    expect(cfg.triage).toEqual({
      type: { enabled: true, minConfidence: 0.9 },
      product: { enabled: true, minConfidence: 0.9 },
      belowThreshold: 'leave',
    });
  });

  it('names the field at fault in a bad triage section', () => {
    expect(() => parseRoutingConfig({ ...makeRoutingConfigInput(), triage: { modelVersion: '../x', type: { minConfidence: 2 } } })).toThrow(
      /triage\.modelVersion.*triage\.type\.minConfidence|triage\.type\.minConfidence.*triage\.modelVersion/s,
    );
  });

  it('names versions by the training instant', () => {
    expect(versionFromInstant(new Date('2025-03-03T09:04:05.678Z'))).toBe('20250303-090405');
  });
});
