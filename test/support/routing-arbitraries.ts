/**
 * fast-check generators for routing scenarios: a configuration document, the agents' live states,
 * a case and the customer's history, and what the core decides from them. Shared by the unit
 * property tests (many runs, pure) and the integration test that stores every decision on
 * DynamoDB Local.
 *
 * Numbers are drawn from the whole range the schema might accept (huge, tiny, fractional, at the
 * edges of a Date), not only from friendly values: the schema is what decides what a configuration
 * may hold, and every configuration it accepts must give decisions the store can hold.
 */
import fc from 'fast-check';
import type { AgentState } from '../../functions/core/agent-state.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { ConditionNode, RoutingConfig } from '../../functions/core/config.js';
import { CHANNELS, parseRoutingConfig } from '../../functions/core/config.js';
import type { IdGenerator } from '../../functions/core/ports/clock.js';
import type { StoredDecision } from '../../functions/core/ports/repositories.js';
import { computePriority } from '../../functions/core/priority.js';
import type { CustomerHistory, EngineDecision } from '../../functions/core/routing/engine.js';
import { compileRouting, decideRouting } from '../../functions/core/routing/engine.js';
import { startSla } from '../../functions/core/sla.js';
import { decideTerritory } from '../../functions/core/territory.js';
import { assignmentDecisionRecord } from '../../functions/core/use-cases/route-case.js';
import { makeCase } from './fixtures.js';

const AGENT_IDS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const QUEUE_IDS = ['q0', 'q1', 'q2', 'q3'];
const TERRITORY_IDS = ['t0', 't1', 't2'];
const CALENDAR_IDS = ['bh0', 'bh1'];
const SKILLS = ['billing', 'lamps', 'printers', 'vip'];
const LANGUAGES = ['en', 'fr', 'de', 'es', 'ja', 'fa'];
const COUNTRIES = ['US', 'CA', 'DE', 'FR', 'JP', 'IR', 'GB'];
const PRODUCTS = ['printers', 'lamps', 'phones'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Asia/Kathmandu'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** Patterns a rule may hold, from plain to the classic catastrophic-backtracking one. */
const PATTERNS = ['^(a+)+$', 'refund|invoice', '\\border\\s+\\d{4}\\b', '^urgent', '(x+x+)+y', 'счёт', '^.*$'];

/** An instant between 1990 and 2100 (what a stored timestamp can be). */
const instant = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
const iso = instant.map((d) => d.toISOString());

/**
 * A number anywhere a configuration could put one: small integers mostly, then fractions,
 * magnitudes up to the largest double, and the edges. DynamoDB numbers have no negative zero (as
 * JSON has none): -0 reads back as 0, the same number, so it is not generated.
 */
const anyNumber = fc
  .oneof(
    { weight: 30, arbitrary: fc.integer({ min: -50, max: 50 }) },
    { weight: 8, arbitrary: fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, 1e-300, -5e-324, 0.1, 1e308, 1e126) },
  )
  .map((n) => n + 0);

/** An integer anywhere a configuration could put one (the schema refuses what is not a safe integer). */
const anyInteger = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: -50, max: 50 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60) },
);

/** An ISO-8601 duration the schema's pattern accepts, from fractions of a millisecond to far more than a Date can hold. */
const duration = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom('PT0S', 'PT30S', 'PT5M', 'PT30M', 'PT4H', 'P1D', 'P1DT2H', 'P2W', 'PT1.5S') },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 400 }).map((d) => `P${d}D`) },
  { weight: 1, arbitrary: fc.constantFrom('P99999999D', 'P9999999999999999999W', `PT${'9'.repeat(30)}S`, 'PT0.0000001S', `PT0.${'0'.repeat(200)}1S`) },
);

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const interval = fc.tuple(hhmm, hhmm).map(([a, b]) => (a < b ? { start: a, end: b } : { start: b, end: b === '23:45' ? '24:00' : '23:45' }));

const calendar = (id: string) =>
  fc.record({
    id: fc.constant(id),
    timezone: fc.constantFrom(...ZONES),
    weekly: fc.dictionary(fc.constantFrom(...WEEKDAYS), fc.array(interval, { maxLength: 2 }), { maxKeys: 7 }),
    holidays: fc.array(
      instant.map((d) => d.toISOString().slice(0, 10)),
      { maxLength: 2 },
    ),
  });

function conditionNode(): fc.Arbitrary<ConditionNode> {
  const { node } = fc.letrec<{ node: ConditionNode; leaf: ConditionNode }>((tie) => ({
    leaf: fc.oneof(
      fc.record({ field: fc.constant('product'), op: fc.constantFrom('eq' as const, 'neq' as const), value: fc.constantFrom(...PRODUCTS) }),
      fc.record({ field: fc.constant('language'), op: fc.constantFrom('in' as const, 'not_in' as const), value: fc.subarray(LANGUAGES) }),
      fc.record({ field: fc.constant('location.country'), op: fc.constant('in' as const), value: fc.subarray(COUNTRIES) }),
      fc.record({
        field: fc.constant('subject'),
        op: fc.constantFrom('contains' as const, 'starts_with' as const),
        value: fc.constantFrom('refund', 'urgent', 'a'),
      }),
      fc.record({ field: fc.constantFrom('subject', 'description'), op: fc.constant('matches' as const), value: fc.constantFrom(...PATTERNS) }),
      fc.record({ field: fc.constant('priorityRank'), op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const), value: anyNumber }),
      fc.record({ field: fc.constantFrom('account.tier', 'type', 'severity'), op: fc.constant('exists' as const), value: fc.boolean() }),
      fc.record({
        field: fc.constant('createdAt'),
        op: fc.constant('time_between' as const),
        value: fc.tuple(hhmm, hhmm),
        timezone: fc.constantFrom(...ZONES),
      }),
      fc.record({ field: fc.constant('now'), op: fc.constant('weekday_in' as const), value: fc.subarray([...WEEKDAYS], { minLength: 1 }) }),
    ),
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }),
      fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }),
      fc.record({ not: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) }),
    ),
  }));
  return node;
}

const skillRequirement = fc.record(
  { skill: fc.constantFrom(...SKILLS), minLevel: fc.integer({ min: 1, max: 5 }), optional: fc.boolean() },
  { requiredKeys: ['skill'] },
);

const pointsTable = fc.dictionary(fc.constantFrom('critical', 'high', 'low', 'gold', 'silver', 'outage', 'question'), anyNumber, { maxKeys: 4 });

const prioritisation = fc.record({
  severity: pointsTable,
  accountTier: pointsTable,
  type: pointsTable,
  sentiment: fc.record({
    pointsPerNegativeUnit: anyNumber.map(Math.abs),
    maxPoints: anyNumber.map(Math.abs),
    extraWords: fc.dictionary(fc.constantFrom('outage', 'asap', 'broken'), fc.integer({ min: -5, max: 5 }), { maxKeys: 3 }),
  }),
  levels: fc
    .uniqueArray(anyNumber, { minLength: 1, maxLength: 4 })
    .map((scores) => [...scores].sort((a, b) => b - a).map((minScore, i) => ({ priority: PRIORITIES[i]!, minScore }))),
});

/** A configuration document: ids drawn from fixed pools, every reference to an id that exists. */
export const configDocument = fc
  .record({
    agents: fc.subarray(AGENT_IDS),
    queues: fc.subarray(QUEUE_IDS, { minLength: 1 }),
    territories: fc.subarray(TERRITORY_IDS),
    calendars: fc.subarray(CALENDAR_IDS),
  })
  .chain(({ agents, queues, territories, calendars }) => {
    const optionalFrom = <T>(values: T[]) => (values.length ? fc.option(fc.constantFrom(...values), { nil: undefined }) : fc.constant(undefined));
    const agent = (id: string) =>
      fc.record(
        {
          id: fc.constant(id),
          name: fc.constant(`Agent ${id}`),
          email: fc.constant(`${id}@support.example.com`),
          capacity: fc.record(Object.fromEntries(CHANNELS.map((c) => [c, fc.integer({ min: 0, max: 3 })]))),
          skills: fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 5 }), { maxKeys: 3 }),
          languages: fc.subarray(LANGUAGES),
          tier: fc.integer({ min: 1, max: 3 }),
          supervisor: optionalFrom(agents),
          businessHours: optionalFrom(calendars),
          territories: fc.option(fc.subarray(territories), { nil: undefined }),
        },
        { requiredKeys: ['id', 'name', 'email', 'capacity'] },
      );
    const queue = (id: string) =>
      fc.record(
        {
          id: fc.constant(id),
          name: fc.constant(`Queue ${id}`),
          routing: fc.constantFrom('least_busy' as const, 'most_available' as const, 'round_robin' as const),
          members: fc.subarray(agents),
          overflowQueue: optionalFrom(queues),
          businessHours: optionalFrom(calendars),
        },
        { requiredKeys: ['id', 'name', 'routing', 'members'] },
      );
    const territory = (id: string) =>
      fc.record({
        id: fc.constant(id),
        name: fc.constant(`Territory ${id}`),
        match: fc.record(
          {
            countries: fc.subarray(COUNTRIES, { minLength: 1 }),
            languages: fc.subarray(LANGUAGES, { minLength: 1 }),
            products: fc.subarray(PRODUCTS, { minLength: 1 }),
          },
          { requiredKeys: [] },
        ),
        queue: fc.constantFrom(...queues),
        priority: anyInteger,
      });
    const route = fc.oneof(
      ...(agents.length ? [fc.record({ agent: fc.constantFrom(...agents) }), fc.record({ agents: fc.subarray(agents, { minLength: 1 }) })] : []),
      fc.record({ queue: fc.constantFrom(...queues) }),
    );
    const rule = (i: number) =>
      fc
        .record(
          {
            id: fc.constant(`r${i}`),
            when: conditionNode(),
            then: fc.record(
              { route, requireSkills: fc.array(skillRequirement, { maxLength: 3 }), setPriority: fc.constantFrom(...PRIORITIES) },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: ['id', 'when', 'then'] },
        )
        .filter((r) => r.then.route !== undefined || r.then.requireSkills !== undefined || r.then.setPriority !== undefined);
    const slaPolicy = (i: number) =>
      fc.record(
        {
          id: fc.constant(`sla${i}`),
          when: conditionNode(),
          firstResponse: fc.dictionary(fc.constantFrom(...PRIORITIES), duration, { maxKeys: 4 }),
          resolution: fc.dictionary(fc.constantFrom(...PRIORITIES), duration, { maxKeys: 4 }),
          businessHours: optionalFrom(calendars),
          warnBefore: duration,
        },
        { requiredKeys: ['id', 'firstResponse', 'resolution'] },
      );
    return fc.record(
      {
        businessHours: fc.tuple(...calendars.map(calendar)),
        agents: fc.tuple(...agents.map(agent)),
        queues: fc.tuple(...queues.map(queue)),
        territories: fc.tuple(...territories.map(territory)),
        rules: fc.integer({ min: 0, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => rule(i)))),
        slaPolicies: fc.integer({ min: 0, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => slaPolicy(i)))),
        prioritisation,
        sweeps: fc.record({ relaxSkillsAfter: duration, acceptTimeout: duration }),
      },
      { requiredKeys: ['businessHours', 'agents', 'queues', 'territories', 'rules', 'sweeps'] },
    );
  });

/** The configuration when the schema accepts the document, else undefined (the document was refused on apply). */
export function acceptedConfig(document: unknown): RoutingConfig | undefined {
  try {
    return parseRoutingConfig(document);
  } catch {
    return undefined;
  }
}

const agentState = (agentId: string): fc.Arbitrary<AgentState> =>
  fc.record(
    {
      agentId: fc.constant(agentId),
      presence: fc.constantFrom('online' as const, 'online' as const, 'away' as const, 'offline' as const),
      presenceSince: iso,
      load: fc.record(Object.fromEntries(CHANNELS.map((c) => [c, fc.integer({ min: 0, max: 4 })])) as Record<(typeof CHANNELS)[number], fc.Arbitrary<number>>),
      // Mostly a real instant; sometimes none (never assigned), now and then one that does not parse.
      lastAssignedAt: fc.oneof({ weight: 4, arbitrary: iso }, { weight: 1, arbitrary: fc.constant('not a date') }),
      version: fc.integer({ min: 0, max: 10 }),
    },
    { requiredKeys: ['agentId', 'presence', 'presenceSince', 'load', 'version'] },
  );

/** Live states for some of the agents (an agent without one is offline). */
export const agentStates: fc.Arbitrary<Map<string, AgentState>> = fc
  .subarray(AGENT_IDS)
  .chain((ids) => fc.tuple(...ids.map(agentState)))
  .map((states) => new Map(states.map((s) => [s.agentId, s])));

const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('Refund for order 1234', 'URGENT: printer on fire', `${'a'.repeat(299)}!`, 'Счёт не пришёл', '請求書が届きません'),
);

/** A case as routing sees it: stamped (or not), new or waiting, with whatever the customer wrote. */
export const routedCase: fc.Arbitrary<CaseRecord> = fc
  .record(
    {
      channel: fc.constantFrom(...CHANNELS),
      status: fc.constantFrom('new' as const, 'queued' as const),
      priority: fc.constantFrom(...PRIORITIES, 'unheard-of'),
      priorityRank: fc.integer({ min: 0, max: 4 }),
      subject: text,
      description: text,
      language: fc.constantFrom(...LANGUAGES, 'xx', 'und'),
      product: fc.constantFrom(...PRODUCTS),
      severity: fc.constantFrom('critical', 'high', 'low', 'outage'),
      type: fc.constantFrom('outage', 'question'),
      country: fc.constantFrom(...COUNTRIES),
      tier: fc.constantFrom('gold', 'silver'),
      territory: fc.constantFrom(...TERRITORY_IDS),
      queue: fc.constantFrom(...QUEUE_IDS, 'review', 'removed-queue'),
      excludedAgents: fc.subarray(AGENT_IDS),
      attempts: fc.integer({ min: 0, max: 5 }),
      queuedAt: fc.oneof({ weight: 4, arbitrary: iso }, { weight: 1, arbitrary: fc.constant('garbage') }),
      pinnedQueue: fc.constantFrom(...QUEUE_IDS),
      createdAt: iso,
    },
    { requiredKeys: ['channel', 'status', 'priority', 'priorityRank', 'subject', 'description', 'excludedAgents', 'attempts', 'createdAt'] },
  )
  .map((g) =>
    makeCase({
      channel: g.channel,
      status: g.status,
      priority: g.priority,
      priorityRank: g.priorityRank,
      subject: g.subject,
      description: g.description,
      ...(g.language ? { language: g.language } : { language: undefined }),
      ...(g.product ? { product: g.product } : { product: undefined }),
      ...(g.severity ? { severity: g.severity } : {}),
      ...(g.type ? { type: g.type } : {}),
      location: g.country ? { country: g.country } : {},
      account: g.tier ? { id: 'acct-1', tier: g.tier } : { id: 'acct-1' },
      ...(g.territory ? { territory: g.territory } : {}),
      ...(g.queue ? { queue: g.queue } : {}),
      routing: {
        excludedAgents: g.excludedAgents,
        attempts: g.attempts,
        ...(g.queuedAt ? { queuedAt: g.queuedAt } : {}),
        ...(g.pinnedQueue ? { pinnedQueue: g.pinnedQueue } : {}),
      },
      createdAt: g.createdAt,
      updatedAt: g.createdAt,
    }),
  );

export const customerHistory: fc.Arbitrary<CustomerHistory> = fc.record(
  { contactResolver: fc.constantFrom(...AGENT_IDS, 'gone'), accountResolver: fc.constantFrom(...AGENT_IDS, 'gone') },
  { requiredKeys: [] },
);

/**
 * A whole scenario: the configuration document, live states, the case, its history and the instant
 * of the decision, from the case's creation up to 90 days after it (routing and stamping happen
 * while a case is young; a clock years overdue is the SLA sweeps' business, not routing's).
 */
export const routingScenario = fc
  .record({
    document: configDocument,
    states: agentStates,
    case: routedCase,
    history: customerHistory,
    after: fc.integer({ min: 0, max: 90 * 24 * 3600 * 1000 }),
  })
  .map(({ after, ...s }) => ({ ...s, now: new Date(Date.parse(s.case.createdAt) + after) }));

export interface ScenarioOutcome {
  engine: EngineDecision;
  /** Every decision record routing and stamping would store for this case. */
  decisions: StoredDecision[];
  /** The case as stored after stamping: with its priority and SLA clock. */
  stamped: CaseRecord;
}

/** Runs the core on a scenario the schema accepted: routing, prioritisation, territory and the SLA clock. */
export function decideScenario(
  config: RoutingConfig,
  s: { states: Map<string, AgentState>; case: CaseRecord; history: CustomerHistory; now: Date },
  ids: IdGenerator,
): ScenarioOutcome {
  const at = s.now.toISOString();
  const engine = decideRouting({ case: s.case, compiled: compileRouting(config), states: s.states, history: s.history, now: s.now });
  const priority = computePriority(s.case, config.prioritisation, config);
  const territory = decideTerritory(config.territories, s.case);
  const stamped: CaseRecord = { ...s.case, priority: priority.priority, priorityRank: priority.rank };
  const sla = startSla(stamped, config, s.now, 1).sla;
  return {
    engine,
    stamped: sla ? { ...stamped, sla } : stamped,
    decisions: [
      assignmentDecisionRecord(ids, s.case.caseId, at, engine, engine.ranking[0]?.agentId),
      { decisionId: ids.next(), caseId: s.case.caseId, at, kind: 'priority', outcome: priority.priority, details: { ...priority } },
      {
        decisionId: ids.next(),
        caseId: s.case.caseId,
        at,
        kind: 'territory',
        outcome: territory.winner?.territoryId ?? 'none',
        details: { winner: territory.winner ?? null, runnersUp: territory.runnersUp },
      },
    ],
  };
}

/** DynamoDB's number range: magnitudes from 1e-130 to just under 1e126 (and zero). */
const storableNumber = (n: number) => n === 0 || (Number.isFinite(n) && Math.abs(n) >= 1e-130 && Math.abs(n) < 1e126);

/**
 * Where a value holds something the store cannot keep as it is: a number that is not finite or out
 * of DynamoDB's range, an undefined inside an array (the marshaller drops it and shifts the rest),
 * a function, a class instance. Paths of the offending parts, empty when the value is storable.
 */
export function unstorableParts(value: unknown, path = '$'): string[] {
  if (typeof value === 'number') return storableNumber(value) ? [] : [`${path} = ${value}`];
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return [`${path} is a ${typeof value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => (v === undefined ? [`${path}[${i}] is undefined`] : unstorableParts(v, `${path}[${i}]`)));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return [`${path} is a ${proto?.constructor?.name ?? 'class instance'}`];
    return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : unstorableParts(v, `${path}.${k}`)));
  }
  return [];
}
