/**
 * Language detection answers only when the text can tell: a short English subject used to be
 * stamped French at 0.76 and wait for French-speaking agents while English-speaking ones were free.
 * Below the bars (length, script, lead over the runner-up) the language stays unknown, and an
 * unknown language does not narrow the agents. The figures behind the bars: bench/language.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AgentState } from '../../functions/core/agent-state.js';
import { emptyLoad } from '../../functions/core/agent-state.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import {
  MIN_LETTERS,
  REQUIRED_LEAD,
  detectLanguage,
  loadLanguageDetector,
  loadPlaceNormalisers,
  normaliseCase,
  textForDetection,
} from '../../functions/core/normalise/index.js';
import { compileRouting, decideRouting } from '../../functions/core/routing/engine.js';
import { requiredLanguage } from '../../functions/core/routing/filters.js';
import { makeCase } from '../support/fixtures.js';
import { HELD_OUT_TEXTS, type LabelledText, LONG_TEXTS, SHORT_TEXTS } from '../support/language-samples.js';

// The detector is imported on first need (functions/core/normalise/language.ts); these tests detect.
beforeAll(() => Promise.all([loadLanguageDetector(), loadPlaceNormalisers()]));

const NOW = new Date('2026-11-23T10:00:00Z');

function outcomes(texts: readonly LabelledText[]) {
  const wrong: string[] = [];
  let right = 0;
  for (const { language, text } of texts) {
    const found = detectLanguage(textForDetection(text, '')).language;
    if (found === language) right++;
    else if (found !== undefined) wrong.push(`${text} ▶ ${found} (is ${language})`);
  }
  return { right, wrong };
}

describe('short subjects that used to be stamped with the wrong language', () => {
  it.each([
    ['Important message', 'fr'],
    ['Urgent question', 'fr'],
    ['Password reset', 'it'],
    ['Factura incorrecta', 'pt'],
    ['Возврат денег', 'sr'],
  ])('"%s" stays unknown (bare ELD says %s), with the guess kept for the record', (text, eldSays) => {
    const detection = detectLanguage(text);
    expect(detection.language).toBeUndefined();
    expect(detection.bestGuess).toBe(eldSays);
    expect(detection.confidence).toBeLessThan(0.5);
    expect(detection.reason).toMatch(/leads the runner-up by \d+ %, 40 % needed|too little text/);
  });

  it('a subject alone that is too short says so; with its description the language is found', () => {
    expect(detectLanguage(textForDetection('Help', '')).reason).toMatch(new RegExp(`\\(4 letters, ${MIN_LETTERS} needed\\)`));
    const withBody = detectLanguage(textForDetection('Important message', 'Please call me back about my order, it has not arrived yet.'));
    expect(withBody.language).toBe('en');
    expect(withBody.requiredLead).toBe(REQUIRED_LEAD.long);
  });
});

describe('the labelled set', () => {
  it('names no wrong language for any of the short subjects, and still names one for over 45 % of them', () => {
    const { right, wrong } = outcomes(SHORT_TEXTS);
    expect(wrong).toEqual([]);
    expect(right / SHORT_TEXTS.length).toBeGreaterThan(0.45);
  });

  it('names the right language for the longer messages', () => {
    const { right, wrong } = outcomes(LONG_TEXTS);
    expect(wrong).toEqual([]);
    expect(right / LONG_TEXTS.length).toBeGreaterThanOrEqual(0.95);
  });

  it('on subjects kept out of the choice of thresholds: at most 2 % wrong (bare ELD: 10 %)', () => {
    const { right, wrong } = outcomes(HELD_OUT_TEXTS);
    expect(wrong.length / HELD_OUT_TEXTS.length).toBeLessThanOrEqual(0.02);
    expect(right / HELD_OUT_TEXTS.length).toBeGreaterThan(0.55);
  });
});

describe('a script that only one language writes names it, however short the text', () => {
  it.each([
    ['el', 'Λάθος τιμολόγιο'],
    ['he', 'החזר כספי'],
    ['ko', '배송 문제'],
    ['ko', '환불 요청'],
    ['ja', '配送の問題'],
    ['th', 'คืนเงิน'],
  ])('%s: %s', (language, text) => {
    const detection = detectLanguage(text);
    expect(detection).toMatchObject({ language, confidence: 1 });
    expect(detection.script).toBeDefined();
  });

  it('but not a shared one (Han alone may be Chinese or Japanese), nor a few Greek letters in English', () => {
    expect(detectLanguage('退款').language).toBeUndefined();
    expect(detectLanguage('The α and β versions').script).toBeUndefined();
  });
});

describe('an unknown language does not narrow the agents', () => {
  const config = parseRoutingConfig({
    queues: [{ id: 'support', name: 'Support', members: ['marie', 'john'] }],
    agents: [
      { id: 'marie', name: 'Marie', email: 'marie@x.io', capacity: { web: 1 }, languages: ['fr'] },
      { id: 'john', name: 'John', email: 'john@x.io', capacity: { web: 3 }, languages: ['en'] },
    ],
  });
  const online = (id: string, web = 0): [string, AgentState] => [
    id,
    { agentId: id, presence: 'online', presenceSince: NOW.toISOString(), load: { ...emptyLoad(), web }, version: 1 },
  ];

  it('a short English subject is stamped with no language and goes to the free English speaker', () => {
    const stamped = normaliseCase(makeCase({ channel: 'web', subject: 'Important message', description: '', language: undefined, queue: 'support' }));
    expect(stamped.case.language).toBeUndefined();
    expect(stamped.changes.find((c) => c.field === 'language')?.note).toMatch(/language undetermined.*best guess fr/);
    // Marie (French) is full; before, the case was French and waited for her.
    const decision = decideRouting({ case: stamped.case, compiled: compileRouting(config), states: new Map([online('marie', 1), online('john')]), now: NOW });
    expect(decision.ranking.map((r) => r.agentId)).toEqual(['john']);
    expect(decision.steps[0]?.candidates.find((c) => c.agentId === 'john')?.removedBy).toBeUndefined();
  });

  it.each([undefined, '', 'und', 'mul', 'zxx'])('language %j requires nothing', (language) => {
    expect(requiredLanguage(language)).toBeUndefined();
    const decision = decideRouting({
      case: makeCase({ channel: 'web', language, queue: 'support' }),
      compiled: compileRouting(config),
      states: new Map([online('marie'), online('john')]),
      now: NOW,
    });
    expect(decision.ranking.map((r) => r.agentId).sort()).toEqual(['john', 'marie']);
  });

  it('a known language still does', () => {
    expect(requiredLanguage('fr-CA')).toBe('fr');
    const decision = decideRouting({
      case: makeCase({ channel: 'web', language: 'fr', queue: 'support' }),
      compiled: compileRouting(config),
      states: new Map([online('marie'), online('john')]),
      now: NOW,
    });
    expect(decision.ranking.map((r) => r.agentId)).toEqual(['marie']);
  });
});
