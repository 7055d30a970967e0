/**
 * Rule patterns (`matches`): time to test a near-miss subject against backtracking-prone patterns
 * with the engine rules use (re2js, linear time) at 300 characters, next to JavaScript's own RegExp
 * at a few short lengths, where each extra character doubles its time. Also the time of a whole
 * routing decision with such a rule.
 */
import { parseRoutingConfig } from '../functions/core/config.js';
import { compilePattern } from '../functions/core/pattern.js';
import { compileRouting, decideRouting } from '../functions/core/routing/engine.js';

const PATTERNS = ['^(a+)+$', '(a|aa)+$', '(\\w+\\s?)+$', '([a-z]+)*@'];

function time(fn: () => unknown, rounds: number): number {
  const started = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  return (performance.now() - started) / rounds;
}

export async function runPatternsBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const subject = `${'a'.repeat(299)}!`;
  for (const source of PATTERNS) {
    const pattern = compilePattern(source);
    pattern.test(subject); // warm-up
    const ms = time(() => pattern.test(subject), 50);
    log(`re2js  ${source.padEnd(12)} 300 characters: ${ms.toFixed(3)} ms a test (${pattern.instructions} instructions)`);
    figures[`pattern_re2js_300_${source.replace(/\W+/g, '')}_ms`] = ms;
  }
  const native = /^(a+)+$/iu;
  for (const length of [16, 20, 22, 24]) {
    const ms = time(() => native.test(`${'a'.repeat(length - 1)}!`), 1);
    log(`RegExp ^(a+)+$       ${length} characters: ${ms.toFixed(1)} ms`);
    figures[`pattern_regexp_${length}_ms`] = ms;
  }

  const config = parseRoutingConfig({
    queues: [
      { id: 'support', name: 'Support', members: ['ada'] },
      { id: 'flagged', name: 'Flagged', members: ['ada'] },
    ],
    agents: [{ id: 'ada', name: 'Ada', email: 'ada@example.com', capacity: { web: 3 } }],
    rules: PATTERNS.map((value, i) => ({ id: `r${i}`, when: { field: 'subject', op: 'matches', value }, then: { route: { queue: 'flagged' } } })),
  });
  const compiled = compileRouting(config);
  const c = {
    caseId: 'bench',
    caseNumber: '00000001',
    channel: 'web' as const,
    status: 'new' as const,
    priority: 'medium',
    priorityRank: 2,
    subject,
    description: '',
    contact: { email: 'someone@example.com' },
    queue: 'support',
    routing: { excludedAgents: [], attempts: 0 },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };
  const now = new Date('2026-01-01T00:00:01.000Z');
  decideRouting({ case: c, compiled, states: new Map(), now });
  const decision = time(() => decideRouting({ case: c, compiled, states: new Map(), now }), 50);
  log(`a routing decision over ${PATTERNS.length} such rules, 300-character subject: ${decision.toFixed(2)} ms`);
  figures.pattern_decision_ms = decision;
  return figures;
}
