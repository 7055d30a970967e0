import type { CaseRecord } from './case.js';
import { priorityRank } from './config.js';
import type { Prioritisation, PriorityLevels } from './priority-settings.js';
// AFINN-165 (3,382 English words rated -5..+5) with its negation rule, and the Emoji Sentiment
// Ranking, from the `sentiment` package. We run the package's algorithm over its data rather than
// calling `analyze`, because `analyze(text, { extras })` merges the extras into the package's
// shared lexicon (Object.assign on its cached labels): configured words would leak from one
// configuration version into every later call in the same Lambda container.
import emojiSentiment from 'sentiment/build/emoji.json' with { type: 'json' };
import english from 'sentiment/languages/en/index.js';
import tokenize from 'sentiment/lib/tokenize.js';
import { type LanguageLexicon, LEXICON_LANGUAGES, hasLexicon, scoreToneIn } from './tone.js';

/**
 * Prioritisation: a case's priority is computed from configurable factors (severity, the account's
 * tier, the case type and the customer's tone), each adding points; the total is mapped onto the
 * configured priority levels by thresholds. The decision returns every factor with its points and
 * the reason, and is stored with the case, so "why is this critical?" always has an answer.
 * The configuration's `prioritisation` section (its schema and checks) is functions/core/priority-settings.ts.
 */

/**
 * The prioritisation used when the configuration has none: a severity that names a priority level
 * gives that level, anything else gives the default priority. Expressed in the same model (one
 * threshold per level, ten points apart), so the stored decision looks the same either way.
 */
export function defaultPrioritisation(levels: PriorityLevels): Prioritisation {
  const n = levels.priorities.length;
  const step = (i: number) => (n - i) * 10;
  return {
    severity: Object.fromEntries(levels.priorities.map((p, i) => [p, step(i)])),
    accountTier: {},
    type: {},
    sentiment: { pointsPerNegativeUnit: 0, maxPoints: 0, extraWords: {} },
    levels: levels.priorities.map((priority, i) => ({ priority, minScore: step(i) })),
    fallback: levels.defaultPriority,
  };
}

// --- tone ------------------------------------------------------------------------------------

export interface ToneWord {
  word: string;
  /** The word's score as counted (after negation). */
  score: number;
  /** True when a negator before it ("not happy") flipped its sign. */
  negated?: boolean;
}

export interface ToneScore {
  /** Sum of the matched words' scores: below 0 is a negative tone. */
  score: number;
  words: ToneWord[];
}

const LEXICON: Readonly<Record<string, number>> = { ...english.labels, ...emojiSentiment };

/**
 * AFINN tone of a text, with the words that carried it. A negator directly before a word flips it
 * ("not happy" counts -3), as the `sentiment` package does. English only: AFINN is an English
 * lexicon, and scoring another language with it finds false friends (German "die" is -3 in English).
 */
export function scoreTone(text: string, extraWords: Readonly<Record<string, number>> = {}): ToneScore {
  const tokens = tokenize(text);
  // Tokens are lower-cased, so configured words are too ("ASAP" in the configuration finds "asap").
  const extras = new Map(Object.entries(extraWords).map(([word, value]) => [word.toLowerCase(), value]));
  const words: ToneWord[] = [];
  let score = 0;
  tokens.forEach((token, i) => {
    const base = extras.has(token) ? extras.get(token) : Object.hasOwn(LEXICON, token) ? LEXICON[token] : undefined;
    if (base === undefined || base === 0) return;
    const counted = english.scoringStrategy.apply(tokens, i, base);
    score += counted;
    words.push(Math.sign(counted) !== Math.sign(base) ? { word: token, score: counted, negated: true } : { word: token, score: counted });
  });
  return { score, words };
}

/** Only what the customer wrote now: quoted earlier messages say nothing about today's tone. */
function customerText(c: Pick<CaseRecord, 'subject' | 'description'>): string {
  const body = (c.description ?? '')
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
  return `${c.subject ?? ''}\n${body}`;
}

// --- the decision ----------------------------------------------------------------------------

export type PriorityFactorName = 'severity' | 'accountTier' | 'type' | 'sentiment';

export interface PriorityFactor {
  factor: PriorityFactorName;
  /** The case's value for this factor (the tone's AFINN score for `sentiment`); null when absent. */
  value: string | number | null;
  points: number;
  explanation: string;
  /** For `sentiment`: the words that carried the tone. */
  words?: ToneWord[];
  /** For `sentiment`: the lexicon that scored the tone (absent when the case's language has none). */
  lexicon?: string;
}

export interface PriorityDecision {
  priority: string;
  /** Position of `priority` in the configured levels (0 = most urgent). */
  rank: number;
  score: number;
  /** The threshold that was met; null when the score met none and the fallback applied. */
  level: { priority: string; minScore: number } | null;
  factors: PriorityFactor[];
  explanation: string;
  /** True when the configuration had no prioritisation and the default (severity = level) applied. */
  usedDefault: boolean;
}

type PrioritisedCase = Pick<CaseRecord, 'severity' | 'type' | 'account' | 'language' | 'subject' | 'description'>;

const round = (n: number) => Math.round(n * 100) / 100;

function lookupPoints(table: Readonly<Record<string, number>>, value: string): number | undefined {
  const wanted = value.trim().toLowerCase();
  const key = Object.keys(table).find((k) => k.trim().toLowerCase() === wanted);
  return key === undefined ? undefined : table[key];
}

function valueFactor(
  factor: 'severity' | 'accountTier' | 'type',
  label: string,
  table: Readonly<Record<string, number>>,
  value: string | undefined,
): PriorityFactor {
  if (value === undefined || value.trim() === '') {
    return { factor, value: null, points: 0, explanation: `no ${label} on the case` };
  }
  const configured = lookupPoints(table, value);
  if (configured === undefined) {
    return { factor, value, points: 0, explanation: `no points configured for ${label} "${value}"` };
  }
  return { factor, value, points: configured, explanation: `${label} "${value}" adds ${configured} points` };
}

/** What scores tone in languages other than English: the case's language's lexicon, loaded by the caller (loadToneLexicon). */
export interface ToneOptions {
  toneLexicon?: LanguageLexicon;
}

const ENGLISH_LEXICON = 'AFINN-165 (en)';
const SCORED_LANGUAGES = ['en', ...LEXICON_LANGUAGES].join(', ');

function toneFactor(c: PrioritisedCase, config: Prioritisation['sentiment'], options: ToneOptions): PriorityFactor {
  if (config.pointsPerNegativeUnit === 0 || config.maxPoints === 0) {
    return { factor: 'sentiment', value: null, points: 0, explanation: 'tone is not weighted in this configuration' };
  }
  let tone: ToneScore;
  let lexicon: string;
  if (c.language === undefined || c.language === 'en') {
    tone = scoreTone(customerText(c), config.extraWords);
    lexicon = ENGLISH_LEXICON;
  } else if (hasLexicon(c.language) && options.toneLexicon?.language === c.language) {
    tone = scoreToneIn(customerText(c), options.toneLexicon, config.extraWords);
    lexicon = `AFINN-165 translated (${c.language})`;
  } else {
    const why = hasLexicon(c.language) ? `its lexicon was not loaded` : `there is no tone lexicon for it (tone is scored in ${SCORED_LANGUAGES})`;
    return { factor: 'sentiment', value: null, points: 0, explanation: `tone not scored: the case is in "${c.language}" and ${why}` };
  }
  const listed = tone.words.map((w) => `${w.negated ? 'not ' : ''}${w.word} ${w.score > 0 ? '+' : ''}${w.score}`).join(', ');
  const assumed = c.language === undefined ? ' (language unknown, read as English)' : '';
  if (tone.score >= 0) {
    const mood = tone.score > 0 ? 'positive' : 'neutral';
    return {
      factor: 'sentiment',
      value: tone.score,
      points: 0,
      explanation: `${mood} tone ${tone.score}${listed ? ` (${listed})` : ''} adds nothing${assumed}`,
      words: tone.words,
      lexicon,
    };
  }
  const raw = -tone.score * config.pointsPerNegativeUnit;
  const pointsAdded = round(Math.min(config.maxPoints, raw));
  const capped = raw > config.maxPoints ? `, capped at ${config.maxPoints}` : '';
  return {
    factor: 'sentiment',
    value: tone.score,
    points: pointsAdded,
    explanation: `negative tone ${tone.score} (${listed}) × ${config.pointsPerNegativeUnit} adds ${pointsAdded} points${capped}${assumed}`,
    words: tone.words,
    lexicon,
  };
}

/**
 * @param prioritisation the configuration's `prioritisation` section; undefined ▶ defaultPrioritisation
 * @param levels the configured priority levels and default priority (a RoutingConfig will do)
 */
export function computePriority(
  c: PrioritisedCase,
  prioritisation: Prioritisation | undefined,
  levels: PriorityLevels,
  toneOptions: ToneOptions = {},
): PriorityDecision {
  const usedDefault = prioritisation === undefined;
  const p = prioritisation ?? defaultPrioritisation(levels);
  const factors: PriorityFactor[] = [
    valueFactor('severity', 'severity', p.severity, c.severity),
    valueFactor('accountTier', 'account tier', p.accountTier, c.account?.tier),
    valueFactor('type', 'type', p.type, c.type),
    toneFactor(c, p.sentiment, toneOptions),
  ];
  const score = round(factors.reduce((sum, f) => sum + f.points, 0));

  // Levels the configured list does not know are ignored (config validation reports them).
  const usable = p.levels.filter((l) => levels.priorities.includes(l.priority)).sort((a, b) => b.minScore - a.minScore);
  const met = usable.find((l) => score >= l.minScore);
  if (met) {
    return {
      priority: met.priority,
      rank: priorityRank(levels, met.priority),
      score,
      level: { priority: met.priority, minScore: met.minScore },
      factors,
      explanation: `score ${score} ≥ ${met.minScore} ▶ ${met.priority}`,
      usedDefault,
    };
  }
  const lowest = usable[usable.length - 1];
  const fallback = p.fallback !== undefined && levels.priorities.includes(p.fallback) ? p.fallback : (lowest?.priority ?? levels.defaultPriority);
  const threshold = lowest ? `below the lowest threshold ${lowest.minScore}` : 'no usable threshold';
  return {
    priority: fallback,
    rank: priorityRank(levels, fallback),
    score,
    level: null,
    factors,
    explanation: `score ${score} is ${threshold} ▶ ${fallback}`,
    usedDefault,
  };
}
