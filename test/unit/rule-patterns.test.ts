/**
 * `matches` patterns in rules run in linear time (RE2 syntax, run by re2js) or are refused when
 * the configuration is applied, with the JSON path of the pattern. A backtracking pattern such as
 * `^(a+)+$` used to freeze the process on a 28-character subject.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileConditionNode } from '../../functions/core/conditions.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ValidationError } from '../../functions/core/errors.js';
import { MAX_PATTERN_INSTRUCTIONS, MAX_PATTERN_LENGTH, PatternError, compilePattern } from '../../functions/core/pattern.js';
import { compileRouting, decideRouting } from '../../functions/core/routing/engine.js';
import { makeCase } from '../support/fixtures.js';

const NOW = new Date('2026-11-23T10:00:00Z');
/** The attack: a subject of 300 characters (the most a web form takes) that almost matches. */
const EVIL_SUBJECT = `${'a'.repeat(299)}!`;

function configWithRules(rules: RoutingConfigInput['rules'], extra: Partial<RoutingConfigInput> = {}) {
  return parseRoutingConfig({
    queues: [
      { id: 'support', name: 'Support', members: ['ada'] },
      { id: 'flagged', name: 'Flagged', members: ['ada'] },
    ],
    agents: [{ id: 'ada', name: 'Ada', email: 'ada@x.io', capacity: { web: 3 } }],
    rules,
    ...extra,
  });
}

/** The issues of the ValidationError that parsing `document` throws. */
function issuesOf(document: unknown): { field: string; message: string }[] {
  try {
    parseRoutingConfig(document);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('a catastrophic-backtracking pattern', () => {
  it('compiles to the linear-time engine and answers on a 300-character near-match', () => {
    const pattern = compilePattern('^(a+)+$');
    expect(pattern.engine).toBe('re2js');
    expect(pattern.instructions).toBeLessThan(20);
    const started = performance.now();
    expect(pattern.test(EVIL_SUBJECT)).toBe(false);
    expect(pattern.test('a'.repeat(300))).toBe(true);
    expect(pattern.test('AAAA')).toBe(true);
    // A generous bound: the backtracking engine needs seconds for 28 characters, and doubles with each one more.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('does not stall routing: a web case with that subject is decided, and the rule does not match it', () => {
    const config = configWithRules([{ id: 'evil', when: { field: 'subject', op: 'matches', value: '^(a+)+$' }, then: { route: { queue: 'flagged' } } }]);
    const compiled = compileRouting(config);
    const started = performance.now();
    const attack = decideRouting({ case: makeCase({ channel: 'web', subject: EVIL_SUBJECT, queue: 'support' }), compiled, states: new Map(), now: NOW });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(attack.rule).toBeUndefined();
    expect(attack.queue).toBe('support');
    const hit = decideRouting({ case: makeCase({ channel: 'web', subject: 'aaaaaaa', queue: 'support' }), compiled, states: new Map(), now: NOW });
    expect(hit.rule?.id).toBe('evil');
    expect(hit.queue).toBe('flagged');
  });

  it('stays linear for every nested-quantifier shape on long near-matches', () => {
    for (const source of ['(a|aa)+$', '(a|a?)+b', '(.*a){12}x', '(\\w+\\s?)+$', '([a-z]+)*@', '(x+x+)+y']) {
      const pattern = compilePattern(source);
      const started = performance.now();
      for (const text of [`${'a'.repeat(300)}!`, `${'x'.repeat(300)}`, `${'ab '.repeat(100)}!`]) pattern.test(text);
      expect(performance.now() - started, source).toBeLessThan(2000);
    }
  });
});

describe('patterns are refused at apply time, naming their JSON path', () => {
  const rule = (id: string, when: unknown) => ({ id, when, then: { route: { queue: 'support' } } });
  const plain = (id: string) => rule(id, { field: 'product', op: 'eq', value: 'x' });

  it.each([
    ['a backreference', '(a)\\1', /RE2 syntax.*invalid escape sequence/],
    ['a lookahead', 'refund(?=now)', /RE2 syntax.*unsupported Perl syntax/],
    ['a negative lookbehind', '(?<!no )refund', /RE2 syntax/],
    ['an unbalanced group', 'refund(', /RE2 syntax.*missing closing \)/],
    ['a repeat count over 1000', 'a{1001}', /RE2 syntax.*invalid repeat count/],
    ['a program too large to run fast', '(a?){300}a{300}', new RegExp(`at most ${MAX_PATTERN_INSTRUCTIONS}`)],
    ['a pattern too long', 'x'.repeat(MAX_PATTERN_LENGTH + 1), new RegExp(`at most ${MAX_PATTERN_LENGTH}`)],
  ])('%s', (_label, pattern, message) => {
    const issues = issuesOf({
      queues: [{ id: 'support', name: 'Support' }],
      rules: [
        plain('r0'),
        plain('r1'),
        plain('r2'),
        rule('r3', {
          all: [
            { field: 'subject', op: 'matches', value: pattern },
            { field: 'product', op: 'eq', value: 'x' },
          ],
        }),
      ],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.field).toBe('rules.3.when.all.0.value');
    expect(issues[0]!.message).toMatch(message);
  });

  it('in an SLA policy condition too, and a pattern that is not a string', () => {
    const issues = issuesOf({
      queues: [{ id: 'support', name: 'Support' }],
      rules: [rule('r0', { field: 'subject', op: 'matches', value: 42 })],
      slaPolicies: [
        {
          id: 'p',
          when: {
            any: [
              { field: 'product', op: 'eq', value: 'x' },
              { field: 'subject', op: 'matches', value: '(?=x)' },
            ],
          },
          firstResponse: {},
        },
      ],
    });
    expect(issues.map((i) => i.field).sort()).toEqual(['rules.0.when.value', 'slaPolicies.0.when.any.1.value']);
    expect(issues.find((i) => i.field === 'rules.0.when.value')?.message).toMatch(/as a string/);
  });

  it('compilePattern is the one place patterns are compiled: it throws PatternError, never a raw engine error', () => {
    expect(() => compilePattern('(?=x)')).toThrow(PatternError);
    expect(() => compileConditionNode({ field: 'subject', op: 'matches', value: '(a)\\1' })).toThrow(PatternError);
  });
});

describe('the syntax users may write', () => {
  it.each([
    ['refund|invoice', 'Question about my INVOICE', true],
    ['\\border\\s+\\d{4}\\b', 'about order 1234, please', true],
    ['\\border\\s+\\d{4}\\b', 'about order 12345', false],
    ['^urgent', 'Urgent: printer on fire', true],
    ['^urgent', 'not urgent', false],
    ['счёт', 'СЧЁТ не пришёл', true],
    ['\\p{Cyrillic}+', 'Привет', true],
    ['\\p{Han}', '請求書が届きません', true],
    ['(?P<num>\\d+)', 'case 42', true],
    ['[[:digit:]]{3}', 'abc 123', true],
    ['a.c', 'a\nc', false],
    ['(?s)a.c', 'a\nc', true],
  ])('%s on %j: %s', (source, text, expected) => {
    expect(compilePattern(source).test(text)).toBe(expected);
  });

  it('agrees with JavaScript regular expressions on the syntax both share (random ASCII text)', () => {
    const shared = ['refund|invoice', '^a+b*$', '\\d{2,4}', '[a-f]+\\s[0-9]', '\\bthe\\b', 'x(y|z)?w', '^$', '[^aeiou ]{3}', 'a.b'];
    fc.assert(
      fc.property(fc.constantFrom(...shared), fc.string({ maxLength: 40 }), (source, text) => {
        expect(compilePattern(source).test(text)).toBe(new RegExp(source, 'iu').test(text));
      }),
      { numRuns: 2000 },
    );
  });
});
