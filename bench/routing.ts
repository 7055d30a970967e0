/**
 * Routing benchmark: decisions per second of the pure engine with 1,000 agents and 200 rules, and
 * the same rule set evaluated by json-rules-engine side by side.
 *
 * What is timed: `decideRouting` end to end (first-match rules, filters over the queue's 50
 * members, ranking, overflow, the decision record). json-rules-engine only evaluates the rules
 * (it stops at the first success, like ours), so the ratio flatters it: it does less work.
 */
import { Engine } from 'json-rules-engine';
import type { AgentState } from '../functions/core/agent-state.js';
import { emptyLoad } from '../functions/core/agent-state.js';
import type { CaseRecord } from '../functions/core/case.js';
import type { Condition, RoutingConfigInput } from '../functions/core/config.js';
import { parseRoutingConfig } from '../functions/core/config.js';
import { compileRouting, decideRouting, matchRule } from '../functions/core/routing/engine.js';

const AGENTS = 1000;
const QUEUES = 20;
const RULES = 200;
const CASES = 2000;
const PRODUCTS = Array.from({ length: 60 }, (_, i) => `product-${i}`);
const TYPES = ['question', 'incident', 'problem', 'feature', 'billing', 'outage'];
const COUNTRIES = ['DE', 'FR', 'US', 'CA', 'JP', 'BR', 'IN', 'GB', 'ES', 'IT'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const SKILLS = ['lamps', 'billing', 'hardware', 'website', 'accounts', 'shipping'];

/** A small deterministic PRNG so every run measures the same workload. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildWorkload(seed = 42) {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const agents = Array.from({ length: AGENTS }, (_, i) => ({
    id: `agent-${i}`,
    name: `Agent ${i}`,
    email: `agent-${i}@bench.example.com`,
    capacity: { email: 5, web: 5, phone: 1, chat: 3 },
    skills: Object.fromEntries(SKILLS.filter(() => rand() < 0.4).map((s) => [s, 1 + Math.floor(rand() * 5)])),
    languages: rand() < 0.8 ? ['en'] : ['en', 'de'],
  }));
  const queues = Array.from({ length: QUEUES }, (_, q) => ({
    id: `queue-${q}`,
    name: `Queue ${q}`,
    routing: (['least_busy', 'most_available', 'round_robin'] as const)[q % 3],
    members: agents.slice(q * (AGENTS / QUEUES), (q + 1) * (AGENTS / QUEUES)).map((a) => a.id),
    ...(q % 4 === 0 ? { overflowQueue: `queue-${(q + 1) % QUEUES}` } : {}),
  }));
  const conditions: Condition[][] = [];
  const rules = Array.from({ length: RULES }, (_, r) => {
    const all: Condition[] = [
      { field: 'product', op: 'eq', value: pick(PRODUCTS) },
      { field: 'type', op: 'in', value: [pick(TYPES), pick(TYPES)] },
      { field: 'location.country', op: 'eq', value: pick(COUNTRIES) },
    ];
    if (r % 5 === 0) all.push({ field: 'priority', op: 'in', value: ['critical', 'high'] });
    conditions.push(all);
    return {
      id: `rule-${r}`,
      when: { all },
      then: {
        route: r % 3 === 0 ? { agents: [`agent-${r}`, `agent-${r + 1}`] } : { queue: `queue-${r % QUEUES}` },
        ...(r % 2 === 0 ? { requireSkills: [{ skill: pick(SKILLS), minLevel: 2, optional: r % 4 === 0 }] } : {}),
      },
    };
  });
  const input: RoutingConfigInput = {
    queues,
    agents,
    rules,
    territories: [{ id: 'world', name: 'World', match: {}, queue: 'queue-0' }],
  };
  const config = parseRoutingConfig(input);
  const now = new Date('2026-11-23T10:00:00Z');
  const states = new Map<string, AgentState>(
    agents.map((a) => [
      a.id,
      {
        agentId: a.id,
        presence: rand() < 0.7 ? 'online' : rand() < 0.5 ? 'away' : 'offline',
        presenceSince: now.toISOString(),
        load: { ...emptyLoad(), web: Math.floor(rand() * 6), email: Math.floor(rand() * 6) },
        ...(rand() < 0.8 ? { lastAssignedAt: new Date(now.getTime() - Math.floor(rand() * 3_600_000)).toISOString() } : {}),
        version: 1,
      },
    ]),
  );
  const cases: CaseRecord[] = Array.from({ length: CASES }, (_, i) => ({
    caseId: `case-${i}`,
    caseNumber: String(1000 + i).padStart(8, '0'),
    channel: rand() < 0.5 ? 'web' : 'email',
    status: 'new',
    priority: pick(PRIORITIES),
    priorityRank: 0,
    subject: 'Something broke',
    description: 'Please help',
    contact: { email: `customer-${i}@example.org` },
    location: { country: pick(COUNTRIES) },
    product: pick(PRODUCTS),
    type: pick(TYPES),
    language: 'en',
    queue: `queue-${i % QUEUES}`,
    routing: { excludedAgents: [], attempts: 0 },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  }));
  return { config, states, cases, now, conditions };
}

/** Translates our rule conditions into json-rules-engine's format: the same 200 rules. */
function jsonRulesEngineFor(conditions: Condition[][]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  conditions.forEach((all, index) => {
    engine.addRule({
      name: `rule-${index}`,
      // Higher priority runs first; first match wins, as in ours.
      priority: RULES - index,
      conditions: {
        all: all.map((c) => ({
          fact: c.field.split('.')[0]!,
          ...(c.field.includes('.') ? { path: `$.${c.field.split('.').slice(1).join('.')}` } : {}),
          operator: c.op === 'eq' ? 'equal' : 'in',
          value: c.value as never,
        })),
      },
      event: { type: 'matched', params: { rule: index } },
      onSuccess: (_event, almanac) => {
        void almanac;
        engine.stop();
      },
    });
  });
  return engine;
}

function timeLoop(seconds: number, body: (i: number) => void): { ops: number; ms: number } {
  const start = performance.now();
  let ops = 0;
  while (performance.now() - start < seconds * 1000) {
    for (let k = 0; k < 200; k++) body(ops++);
  }
  return { ops, ms: performance.now() - start };
}

export async function runRoutingBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  log('routing: building 1,000 agents, 20 queues, 200 rules, 2,000 cases');
  const w = buildWorkload();
  const compiled = compileRouting(w.config);

  // Warm up the JIT before measuring.
  for (let i = 0; i < 5000; i++) decideRouting({ case: w.cases[i % CASES]!, compiled, states: w.states, now: w.now });

  log('routing: timing the engine (3 s)');
  let assigned = 0;
  const full = timeLoop(3, (i) => {
    const d = decideRouting({ case: w.cases[i % CASES]!, compiled, states: w.states, now: w.now });
    if (d.ranking.length > 0) assigned++;
  });
  const rulesOnly = timeLoop(1, (i) => {
    matchRule(compiled, w.cases[i % CASES]!, w.now);
  });

  log('routing: timing json-rules-engine on the same rules (3 s)');
  const engine = jsonRulesEngineFor(w.conditions);
  const jreStart = performance.now();
  let jreOps = 0;
  while (performance.now() - jreStart < 3000) {
    const c = w.cases[jreOps % CASES]!;
    await engine.run({ product: c.product, type: c.type, location: c.location, priority: c.priority });
    jreOps++;
  }
  const jreMs = performance.now() - jreStart;

  const decisionsPerSecond = (full.ops / full.ms) * 1000;
  const ruleEvalsPerSecond = (rulesOnly.ops / rulesOnly.ms) * 1000;
  const jrePerSecond = (jreOps / jreMs) * 1000;
  const figures = {
    decisionsPerSecond: Math.round(decisionsPerSecond),
    microsecondsPerDecision: Number(((full.ms * 1000) / full.ops).toFixed(2)),
    assignedShare: Number((assigned / full.ops).toFixed(3)),
    ourRuleEvaluationsPerSecond: Math.round(ruleEvalsPerSecond),
    jsonRulesEngineEvaluationsPerSecond: Math.round(jrePerSecond),
    ratioFullDecisionVsJsonRulesEngine: Number((decisionsPerSecond / jrePerSecond).toFixed(1)),
    ratioRulesVsJsonRulesEngine: Number((ruleEvalsPerSecond / jrePerSecond).toFixed(1)),
  };
  log(`routing: ${figures.decisionsPerSecond.toLocaleString('en')} decisions/s (${figures.microsecondsPerDecision} µs each; target > 20,000)`);
  log(`routing: json-rules-engine ${figures.jsonRulesEngineEvaluationsPerSecond.toLocaleString('en')} rule-set evaluations/s`);
  log(
    `routing: full decision vs json-rules-engine rules only: ${figures.ratioFullDecisionVsJsonRulesEngine}× (target ≥ 50×); rules vs rules: ${figures.ratioRulesVsJsonRulesEngine}×`,
  );
  return figures;
}
