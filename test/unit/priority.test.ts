import { describe, expect, it } from 'vitest';
import { loadToneLexicon } from '../../functions/core/tone.js';
import { computePriority, defaultPrioritisation, scoreTone } from '../../functions/core/priority.js';
import { PrioritisationSchema, checkPrioritisation, type PrioritisationInput } from '../../functions/core/priority-settings.js';

const FOUR = { priorities: ['critical', 'high', 'medium', 'low'], defaultPriority: 'medium' };
const SIX = { priorities: ['blocker', 'critical', 'high', 'medium', 'low', 'trivial'], defaultPriority: 'medium' };

/** A case with nothing that earns points: each test adds the one thing it is about. */
const plain = { subject: 'Question about my invoice', description: 'Where can I download it?', language: 'en' };

const example: PrioritisationInput = {
  severity: { critical: 50, high: 30, medium: 15, low: 0 },
  accountTier: { enterprise: 25, business: 10, free: -5 },
  type: { outage: 20, incident: 10, question: -10 },
  sentiment: { pointsPerNegativeUnit: 2, maxPoints: 20 },
  levels: [
    { priority: 'critical', minScore: 80 },
    { priority: 'high', minScore: 50 },
    { priority: 'medium', minScore: 20 },
    { priority: 'low', minScore: 0 },
  ],
};
const prioritisation = PrioritisationSchema.parse(example);

describe('PrioritisationSchema', () => {
  it('fills in the defaults', () => {
    const p = PrioritisationSchema.parse({ levels: [{ priority: 'low', minScore: 0 }] });
    expect(p).toEqual({
      severity: {},
      accountTier: {},
      type: {},
      sentiment: { pointsPerNegativeUnit: 2, maxPoints: 20, extraWords: {} },
      levels: [{ priority: 'low', minScore: 0 }],
    });
  });

  it.each([
    [{ levels: [] }, 'levels'],
    [
      {
        levels: [
          { priority: 'high', minScore: 10 },
          { priority: 'high', minScore: 20 },
        ],
      },
      'levels.1.priority',
    ],
    [
      {
        levels: [
          { priority: 'high', minScore: 10 },
          { priority: 'low', minScore: 10 },
        ],
      },
      'levels.1.minScore',
    ],
    [{ severity: { High: 10, high: 20 }, levels: [{ priority: 'low', minScore: 0 }] }, 'severity.high'],
    [{ severity: { high: 'ten' }, levels: [{ priority: 'low', minScore: 0 }] }, 'severity.high'],
    [{ sentiment: { extraWords: { 'not good': -2 } }, levels: [{ priority: 'low', minScore: 0 }] }, 'sentiment.extraWords.not good'],
    [{ sentiment: { extraWords: { asap: -9 } }, levels: [{ priority: 'low', minScore: 0 }] }, 'sentiment.extraWords.asap'],
    [{ sentiment: { pointsPerNegativeUnit: -1 }, levels: [{ priority: 'low', minScore: 0 }] }, 'sentiment.pointsPerNegativeUnit'],
  ])('rejects %j at %s', (input, path) => {
    const result = PrioritisationSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('checkPrioritisation against the configured levels', () => {
  it('accepts a consistent configuration', () => {
    expect(checkPrioritisation(prioritisation, FOUR)).toEqual([]);
  });

  it('names unknown levels and a more urgent level that needs fewer points', () => {
    const p = PrioritisationSchema.parse({
      levels: [
        { priority: 'critical', minScore: 40 },
        { priority: 'high', minScore: 60 },
        { priority: 'urgent', minScore: 90 },
      ],
      fallback: 'someday',
    });
    expect(checkPrioritisation(p, FOUR)).toEqual([
      { path: ['levels', 2, 'priority'], message: 'unknown priority urgent' },
      { path: ['fallback'], message: 'unknown priority someday' },
      { path: ['levels', 1, 'minScore'], message: 'high needs 60 but the more urgent critical needs only 40' },
    ]);
  });
});

describe('the default prioritisation (none configured)', () => {
  it('gives the level a severity names', () => {
    for (const level of FOUR.priorities) {
      const d = computePriority({ ...plain, severity: level }, undefined, FOUR);
      expect(d.priority).toBe(level);
      expect(d.usedDefault).toBe(true);
    }
  });

  it('gives the default priority when the severity names no level, or there is none', () => {
    expect(computePriority({ ...plain, severity: 'sev1' }, undefined, FOUR)).toMatchObject({ priority: 'medium', rank: 2, level: null });
    expect(computePriority(plain, undefined, FOUR)).toMatchObject({ priority: 'medium', level: null });
  });

  it('matches severity case-insensitively and works with six levels', () => {
    expect(computePriority({ ...plain, severity: 'Blocker' }, undefined, SIX)).toMatchObject({ priority: 'blocker', rank: 0 });
    expect(computePriority({ ...plain, severity: 'trivial' }, undefined, SIX)).toMatchObject({ priority: 'trivial', rank: 5 });
    expect(computePriority(plain, undefined, SIX)).toMatchObject({ priority: 'medium', rank: 3 });
  });

  it('is expressed in the same model, one threshold per level', () => {
    expect(defaultPrioritisation(FOUR)).toEqual({
      severity: { critical: 40, high: 30, medium: 20, low: 10 },
      accountTier: {},
      type: {},
      sentiment: { pointsPerNegativeUnit: 0, maxPoints: 0, extraWords: {} },
      levels: [
        { priority: 'critical', minScore: 40 },
        { priority: 'high', minScore: 30 },
        { priority: 'medium', minScore: 20 },
        { priority: 'low', minScore: 10 },
      ],
      fallback: 'medium',
    });
  });
});

describe('each factor', () => {
  const factor = (c: Parameters<typeof computePriority>[0], name: string) => computePriority(c, prioritisation, FOUR).factors.find((f) => f.factor === name)!;

  it('severity adds its configured points', () => {
    expect(factor({ ...plain, severity: 'critical' }, 'severity')).toEqual({
      factor: 'severity',
      value: 'critical',
      points: 50,
      explanation: 'severity "critical" adds 50 points',
    });
    expect(factor({ ...plain, severity: 'sev9' }, 'severity')).toMatchObject({ points: 0, explanation: 'no points configured for severity "sev9"' });
    expect(factor(plain, 'severity')).toMatchObject({ value: null, points: 0, explanation: 'no severity on the case' });
  });

  it('customer importance: the account tier adds points, case-insensitively', () => {
    expect(factor({ ...plain, account: { tier: 'Enterprise' } }, 'accountTier')).toEqual({
      factor: 'accountTier',
      value: 'Enterprise',
      points: 25,
      explanation: 'account tier "Enterprise" adds 25 points',
    });
    expect(factor({ ...plain, account: { tier: 'free' } }, 'accountTier').points).toBe(-5);
    expect(factor({ ...plain, account: {} }, 'accountTier')).toMatchObject({ value: null, points: 0 });
  });

  it('case type adds (or takes away) points', () => {
    expect(factor({ ...plain, type: 'outage' }, 'type')).toMatchObject({ value: 'outage', points: 20 });
    expect(factor({ ...plain, type: 'question' }, 'type')).toMatchObject({ value: 'question', points: -10 });
  });

  it('negative tone adds points per unit, with the words that carried it', () => {
    const f = factor({ ...plain, subject: 'Unacceptable', description: 'This is terrible. I am furious.' }, 'sentiment');
    expect(f).toEqual({
      factor: 'sentiment',
      value: -8,
      points: 16,
      explanation: 'negative tone -8 (unacceptable -2, terrible -3, furious -3) × 2 adds 16 points',
      words: [
        { word: 'unacceptable', score: -2 },
        { word: 'terrible', score: -3 },
        { word: 'furious', score: -3 },
      ],
      lexicon: 'AFINN-165 (en)',
    });
  });

  it('a negator flips the next word ("not happy" is negative)', () => {
    const f = factor({ ...plain, description: 'I am not happy with the service.' }, 'sentiment');
    expect(f).toMatchObject({ value: -3, points: 6, words: [{ word: 'happy', score: -3, negated: true }] });
    expect(f.explanation).toContain('not happy -3');
  });

  it('caps the tone at maxPoints, so an angry essay cannot outweigh severity', () => {
    const f = factor({ ...plain, description: 'terrible awful horrible disgusting furious angry hate' }, 'sentiment');
    expect(f.points).toBe(20);
    expect(f.explanation).toContain('capped at 20');
  });

  it('a positive or neutral tone adds nothing', () => {
    expect(factor({ ...plain, description: 'Thanks, great service, love it' }, 'sentiment')).toMatchObject({ value: 8, points: 0 });
    expect(factor(plain, 'sentiment')).toMatchObject({ value: 0, points: 0, explanation: 'neutral tone 0 adds nothing' });
  });

  it('scores German with the German lexicon, and never with the English one', async () => {
    const german = { ...plain, language: 'de', description: 'Die Karte ist kaputt, das ist eine Katastrophe. Ich bin wütend!' };
    // Without the lexicon loaded it says so rather than reading German as English ("die" is -3 in English).
    expect(factor(german, 'sentiment')).toEqual({
      factor: 'sentiment',
      value: null,
      points: 0,
      explanation: 'tone not scored: the case is in "de" and its lexicon was not loaded',
    });
    const toneLexicon = (await loadToneLexicon('de'))!;
    const f = computePriority(german, prioritisation, FOUR, { toneLexicon }).factors.find((x) => x.factor === 'sentiment')!;
    expect(f.lexicon).toBe('AFINN-165 translated (de)');
    expect(f.words?.map((w) => w.word)).toEqual(expect.arrayContaining(['katastrophe', 'wütend']));
    expect(f.points).toBeGreaterThan(0);
    expect(f.words?.some((w) => w.word === 'die')).toBe(false);
  });

  it('says so when a language has no tone lexicon', () => {
    const f = factor({ ...plain, language: 'ja', description: 'カードが壊れました。最悪です。' }, 'sentiment');
    expect(f).toMatchObject({ value: null, points: 0 });
    expect(f.explanation).toBe('tone not scored: the case is in "ja" and there is no tone lexicon for it (tone is scored in en, de, fr, es, ru, zh, fa)');
  });

  it('reads an unknown language as English and says so', () => {
    const f = factor({ subject: 'Awful', description: 'Awful service' }, 'sentiment');
    expect(f.points).toBe(12);
    expect(f.explanation).toContain('language unknown, read as English');
  });

  it('ignores quoted earlier messages', () => {
    const f = factor({ ...plain, description: 'Still waiting.\n> We are sorry for the terrible delay.' }, 'sentiment');
    expect(f.points).toBe(0);
  });

  it('adds configured words without changing the lexicon for other configurations', () => {
    const withAsap = PrioritisationSchema.parse({ ...example, sentiment: { extraWords: { ASAP: -3, help: 0 } } });
    const c = { ...plain, description: 'Please help, we need this fixed asap' };
    const tuned = computePriority(c, withAsap, FOUR).factors.find((f) => f.factor === 'sentiment')!;
    expect(tuned.words).toEqual([
      { word: 'please', score: 1 },
      { word: 'asap', score: -3 },
    ]);
    // Same text under a configuration without the extra words: the package's lexicon is untouched.
    expect(scoreTone(c.description)).toEqual({
      score: 3,
      words: [
        { word: 'please', score: 1 },
        { word: 'help', score: 2 },
      ],
    });
  });
});

describe('thresholds and levels', () => {
  const six = PrioritisationSchema.parse({
    severity: { s1: 100, s2: 70, s3: 40, s4: 20, s5: 5 },
    sentiment: { pointsPerNegativeUnit: 0 },
    // Deliberately out of order: the highest threshold met wins, whatever the listing order.
    levels: [
      { priority: 'medium', minScore: 30 },
      { priority: 'blocker', minScore: 100 },
      { priority: 'low', minScore: 10 },
      { priority: 'critical', minScore: 70 },
      { priority: 'trivial', minScore: 0 },
      { priority: 'high', minScore: 50 },
    ],
  });

  it('maps scores onto more than four levels', () => {
    const levelFor = (severity: string) => computePriority({ ...plain, severity }, six, SIX);
    expect(['s1', 's2', 's3', 's4', 's5'].map((s) => levelFor(s).priority)).toEqual(['blocker', 'critical', 'medium', 'low', 'trivial']);
    expect(levelFor('s2')).toMatchObject({ rank: 1, score: 70, level: { priority: 'critical', minScore: 70 }, explanation: 'score 70 ≥ 70 ▶ critical' });
  });

  it('is inclusive at a threshold and exclusive just below it', () => {
    const at = (points: number) => PrioritisationSchema.parse({ ...six, severity: { x: points } });
    expect(computePriority({ ...plain, severity: 'x' }, at(50), SIX).priority).toBe('high');
    expect(computePriority({ ...plain, severity: 'x' }, at(49.99), SIX).priority).toBe('medium');
    expect(computePriority({ ...plain, severity: 'x' }, at(100), SIX).priority).toBe('blocker');
    expect(computePriority({ ...plain, severity: 'x' }, at(99.99), SIX).priority).toBe('critical');
  });

  it('below every threshold: the fallback, else the least urgent level', () => {
    const noZero = PrioritisationSchema.parse({ ...example, levels: example.levels!.filter((l) => l.minScore > 0) });
    const question = { ...plain, type: 'question' };
    expect(computePriority(question, noZero, FOUR)).toMatchObject({
      priority: 'medium',
      score: -10,
      level: null,
      explanation: 'score -10 is below the lowest threshold 20 ▶ medium',
    });
    const withFallback = PrioritisationSchema.parse({ ...example, fallback: 'low', levels: example.levels!.filter((l) => l.minScore > 0) });
    expect(computePriority(question, withFallback, FOUR)).toMatchObject({ priority: 'low', rank: 3, level: null });
  });

  it('ignores a level the configured list does not have', () => {
    const stray = PrioritisationSchema.parse({
      severity: { high: 30 },
      levels: [
        { priority: 'urgent', minScore: 10 },
        { priority: 'low', minScore: 0 },
      ],
    });
    expect(computePriority({ ...plain, severity: 'high' }, stray, FOUR).priority).toBe('low');
  });
});

describe('the recorded decision', () => {
  it('lists every factor in order with its points, and the score is their sum', () => {
    const d = computePriority(
      { severity: 'high', type: 'outage', account: { tier: 'enterprise' }, language: 'en', subject: 'Site down', description: 'This is unacceptable.' },
      prioritisation,
      FOUR,
    );
    expect(d.factors.map((f) => [f.factor, f.points])).toEqual([
      ['severity', 30],
      ['accountTier', 25],
      ['type', 20],
      ['sentiment', 4],
    ]);
    // One point short of critical (80): the threshold that was met is recorded with the result.
    expect(d).toMatchObject({ priority: 'high', rank: 1, score: 79, level: { priority: 'high', minScore: 50 }, usedDefault: false });
    expect(d.explanation).toBe('score 79 ≥ 50 ▶ high');
  });

  it('survives a round trip through JSON (it is stored in the case events)', () => {
    const d = computePriority({ ...plain, severity: 'critical', description: 'not good, I am angry' }, prioritisation, FOUR);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});
