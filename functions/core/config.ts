import { z } from 'zod';
import { ValidationError } from './errors.js';
import { PrioritisationSchema, checkPrioritisation } from './priority.js';
import { TriageSettingsSchema } from './triage/settings.js';

/**
 * The routing configuration an admin writes (DESIGN.md §4): one JSON document, validated on load,
 * stored versioned. Every decision the core makes reads from a parsed RoutingConfig, never from
 * raw JSON.
 */

export const CHANNELS = ['email', 'web', 'phone', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ROLES = ['agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only, starting with a letter or digit');

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time as HH:MM');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** ISO-8601 duration (PT4H, P1DT2H, PT30S). Parsed to milliseconds by the SLA clock. */
const isoDuration = z.string().regex(/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'an ISO-8601 duration such as PT4H');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Europe/Berlin');

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const interval = z.object({ start: hhmm, end: hhmm }).refine((i) => i.start < i.end, {
  message: 'start must be before end',
});

export const BusinessHoursSchema = z.object({
  id,
  name: z.string().min(1).optional(),
  timezone: timeZone,
  /** Weekly hours; several intervals per day make split shifts. A missing day is closed. */
  weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(interval)),
  holidays: z.array(isoDate).default([]),
});
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

const matchList = z.array(z.string().min(1)).optional();

export const TerritorySchema = z.object({
  id,
  name: z.string().min(1),
  /** An empty match is a catch-all: it matches every case with the lowest specificity. */
  match: z
    .object({
      countries: matchList,
      regions: matchList,
      /** Prefixes (`75`, `SW1`) or inclusive ranges (`10000-14999`). */
      postalCodes: matchList,
      segments: matchList,
      products: matchList,
      languages: matchList,
    })
    .default({}),
  queue: id,
  /** Higher wins between territories of equal specificity. */
  priority: z.number().int().default(0),
});
export type Territory = z.infer<typeof TerritorySchema>;

export const QueueSchema = z.object({
  id,
  name: z.string().min(1),
  routing: z.enum(['least_busy', 'most_available', 'round_robin']).default('least_busy'),
  members: z.array(id).default([]),
  overflowQueue: id.optional(),
  businessHours: id.optional(),
  /** Reassign open cases an agent could not close within their working day (sweep). */
  reassignAtEndOfShift: z.boolean().default(false),
});
export type Queue = z.infer<typeof QueueSchema>;

const capacity = z
  .object({
    email: z.number().int().min(0).default(0),
    web: z.number().int().min(0).default(0),
    phone: z.number().int().min(0).default(0),
    chat: z.number().int().min(0).default(0),
  })
  .default({ email: 0, web: 0, phone: 0, chat: 0 });

export const AgentSchema = z.object({
  id,
  name: z.string().min(1),
  email: z.email(),
  roles: z.array(z.enum(ROLES)).min(1).default(['agent']),
  capacity,
  skills: z.record(z.string().min(1), z.number().int().min(1).max(5)).default({}),
  languages: z.array(z.string().min(2)).default([]),
  tier: z.number().int().min(1).default(1),
  supervisor: id.optional(),
  businessHours: id.optional(),
  territories: z.array(id).optional(),
});
export type Agent = z.infer<typeof AgentSchema>;

export const CONDITION_OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'matches',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'time_between',
  'weekday_in',
  'date_eq',
  'date_between',
] as const;

export interface Condition {
  field: string;
  op: (typeof CONDITION_OPS)[number];
  value?: unknown;
  /** IANA zone for time-of-day and date operators; default UTC. */
  timezone?: string;
}
export type ConditionGroup = { all: ConditionNode[] } | { any: ConditionNode[] } | { not: ConditionNode[] };
export type ConditionNode = Condition | ConditionGroup;

const ConditionSchema: z.ZodType<Condition> = z.object({
  field: z.string().min(1),
  op: z.enum(CONDITION_OPS),
  value: z.unknown().optional(),
  timezone: timeZone.optional(),
});

export const ConditionNodeSchema: z.ZodType<ConditionNode> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(ConditionNodeSchema) }).strict(),
    z.object({ any: z.array(ConditionNodeSchema) }).strict(),
    z.object({ not: z.array(ConditionNodeSchema) }).strict(),
    ConditionSchema,
  ]),
);

const skillRequirement = z.object({
  skill: z.string().min(1),
  minLevel: z.number().int().min(1).max(5).default(1),
  /** Optional skills are relaxed first when a case waits too long for a perfect match. */
  optional: z.boolean().default(false),
});

export const RuleSchema = z.object({
  id,
  description: z.string().optional(),
  when: ConditionNodeSchema,
  then: z
    .object({
      /**
       * `agent`: one agent; `agents`: agents in order of preference (the first who can take the
       * case now gets it); `queue`: the queue's routing method picks. When no named agent can take
       * the case now, it falls back to its queue, so it is never stranded.
       */
      route: z.union([z.object({ agent: id }).strict(), z.object({ agents: z.array(id).min(1) }).strict(), z.object({ queue: id }).strict()]).optional(),
      requireSkills: z.array(skillRequirement).optional(),
      setPriority: z.string().min(1).optional(),
    })
    .refine((t) => t.route || t.requireSkills || t.setPriority, 'a rule must route, require skills or set priority'),
});
export type Rule = z.infer<typeof RuleSchema>;

const escalationStep = z.object({
  after: isoDuration.describe('time after the breach'),
  raisePriority: z.boolean().default(false),
  notify: z.array(z.enum(['owner', 'supervisor', 'admins'])).default([]),
  reassignTo: z.union([z.literal('supervisor'), z.object({ queue: id }).strict()]).optional(),
});

export const SlaPolicySchema = z.object({
  id,
  name: z.string().min(1).optional(),
  when: ConditionNodeSchema.optional(),
  /** Targets per priority level; a level absent here has no target for that milestone. */
  firstResponse: z.record(z.string(), isoDuration).default({}),
  resolution: z.record(z.string(), isoDuration).default({}),
  /** A business-hours calendar id, or absent for 24×7. */
  businessHours: id.optional(),
  pauseStatuses: z.array(z.string()).default(['on_hold']),
  warnBefore: isoDuration.optional(),
  escalation: z.array(escalationStep).default([]),
});
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;

export const SweepsSchema = z
  .object({
    acceptTimeout: isoDuration.default('PT5M'),
    absentAfter: isoDuration.default('PT15M'),
    onHoldMax: isoDuration.default('P3D'),
    /** Required skills relax after this long in a queue (first optional skills, then levels). */
    relaxSkillsAfter: isoDuration.default('PT30M'),
  })
  .default({ acceptTimeout: 'PT5M', absentAfter: 'PT15M', onHoldMax: 'P3D', relaxSkillsAfter: 'PT30M' });

/** An acknowledgement template; `{{caseNumber}}`, `{{subject}}`, `{{name}}` and `{{email}}` are filled in. */
const ackTemplate = z.object({
  subject: z.string().min(1).max(300),
  text: z.string().min(1).max(20_000),
});

const DEFAULT_ACK_TEMPLATES = {
  en: {
    subject: 'We received your request: {{subject}}',
    text: 'Hello {{name}},\n\nThank you for writing to us. Your request has been registered as case {{caseNumber}}; an agent will get back to you soon.\n\nTo add anything, simply reply to this email and keep the case reference in the subject.\n\nKind regards,\nSupport',
  },
};

/** Email-to-case (functions/core/email-*.ts). Optional: every field has a default. */
export const EmailSettingsSchema = z.object({
  /** Sender of acknowledgements and agent replies; must be an SES-verified identity in AWS. Default: EMAIL_FROM_ADDRESS, else support@caseflow.local. */
  fromAddress: z.email().optional(),
  fromName: z.string().min(1).max(100).default('Support'),
  /** Our own addresses (support@, sales@, ...): mail from them is never acknowledged (loops). fromAddress is always included. */
  addresses: z.array(z.email()).default([]),
  acknowledgement: z
    .object({
      enabled: z.boolean().default(true),
      /** Used when the customer's language is unknown or has no template. */
      defaultLanguage: z.string().min(2).max(8).default('en'),
      /** Per language (`en`, `de`, ...). The case token is always appended to the subject. */
      templates: z.record(z.string().min(2).max(8), ackTemplate).default(DEFAULT_ACK_TEMPLATES),
      /** At most this many acknowledgements per sender address per hour (loop protection). */
      maxPerSenderPerHour: z.number().int().min(0).default(3),
    })
    .default({ enabled: true, defaultLanguage: 'en', templates: DEFAULT_ACK_TEMPLATES, maxPerSenderPerHour: 3 }),
  /** A reply to a resolved case reopens it within this time of closing; later, it starts a new case linked to the old one. */
  reopenWindow: isoDuration.default('P14D'),
});
export type EmailSettings = z.infer<typeof EmailSettingsSchema>;

export const RoutingConfigSchema = z
  .object({
    businessHours: z.array(BusinessHoursSchema).default([]),
    priorities: z.array(z.string().min(1)).min(1).default(['critical', 'high', 'medium', 'low']),
    /** Priority given to a case nothing else prioritises. Must be one of `priorities`. */
    defaultPriority: z.string().min(1).default('medium'),
    territories: z.array(TerritorySchema).default([]),
    queues: z.array(QueueSchema).min(1),
    /** Where cases that need a person's eyes wait (no territory, failed steps). */
    reviewQueue: id.default('review'),
    agents: z.array(AgentSchema).default([]),
    rules: z.array(RuleSchema).default([]),
    slaPolicies: z.array(SlaPolicySchema).default([]),
    /** How a case's priority is computed from its factors; absent ▶ a severity naming a level wins. */
    prioritisation: PrioritisationSchema.optional(),
    sweeps: SweepsSchema,
    email: EmailSettingsSchema.optional(),
    /** Automatic triage of empty type/product from a trained model (functions/core/triage/). */
    triage: TriageSettingsSchema,
  })
  .superRefine((cfg, ctx) => {
    const dupes = (items: { id: string }[], path: string) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [path, index, 'id'], message: `duplicate id ${item.id}` });
        seen.add(item.id);
      });
    };
    dupes(cfg.businessHours, 'businessHours');
    dupes(cfg.territories, 'territories');
    dupes(cfg.queues, 'queues');
    dupes(cfg.agents, 'agents');
    dupes(cfg.rules, 'rules');
    dupes(cfg.slaPolicies, 'slaPolicies');

    const queues = new Set(cfg.queues.map((q) => q.id));
    const agents = new Set(cfg.agents.map((a) => a.id));
    const calendars = new Set(cfg.businessHours.map((b) => b.id));
    const territories = new Set(cfg.territories.map((t) => t.id));
    const priorities = new Set(cfg.priorities);
    const ref = (ok: boolean, path: (string | number)[], message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path, message });
    };

    if (new Set(cfg.priorities).size !== cfg.priorities.length) {
      ctx.addIssue({ code: 'custom', path: ['priorities'], message: 'priority levels must be unique' });
    }
    ref(priorities.has(cfg.defaultPriority), ['defaultPriority'], `unknown priority ${cfg.defaultPriority}`);
    cfg.territories.forEach((t, i) => ref(queues.has(t.queue), ['territories', i, 'queue'], `unknown queue ${t.queue}`));
    cfg.queues.forEach((q, i) => {
      q.members.forEach((m, j) => ref(agents.has(m), ['queues', i, 'members', j], `unknown agent ${m}`));
      if (q.overflowQueue) ref(queues.has(q.overflowQueue), ['queues', i, 'overflowQueue'], `unknown queue ${q.overflowQueue}`);
      if (q.businessHours) ref(calendars.has(q.businessHours), ['queues', i, 'businessHours'], `unknown calendar ${q.businessHours}`);
    });
    cfg.agents.forEach((a, i) => {
      if (a.supervisor) ref(agents.has(a.supervisor), ['agents', i, 'supervisor'], `unknown agent ${a.supervisor}`);
      if (a.businessHours) ref(calendars.has(a.businessHours), ['agents', i, 'businessHours'], `unknown calendar ${a.businessHours}`);
      a.territories?.forEach((t, j) => ref(territories.has(t), ['agents', i, 'territories', j], `unknown territory ${t}`));
    });
    cfg.rules.forEach((r, i) => {
      const route = r.then.route;
      if (route && 'agent' in route) ref(agents.has(route.agent), ['rules', i, 'then', 'route', 'agent'], `unknown agent ${route.agent}`);
      if (route && 'agents' in route) {
        route.agents.forEach((a, j) => ref(agents.has(a), ['rules', i, 'then', 'route', 'agents', j], `unknown agent ${a}`));
      }
      checkConditions(r.when, ['rules', i, 'when'], ctx);
      if (route && 'queue' in route) ref(queues.has(route.queue), ['rules', i, 'then', 'route', 'queue'], `unknown queue ${route.queue}`);
      if (r.then.setPriority) ref(priorities.has(r.then.setPriority), ['rules', i, 'then', 'setPriority'], `unknown priority ${r.then.setPriority}`);
    });
    if (cfg.prioritisation) {
      for (const issue of checkPrioritisation(cfg.prioritisation, cfg)) {
        ctx.addIssue({ code: 'custom', path: ['prioritisation', ...issue.path], message: issue.message });
      }
    }
    cfg.slaPolicies.forEach((p, i) => {
      if (p.when) checkConditions(p.when, ['slaPolicies', i, 'when'], ctx);
      if (p.businessHours) ref(calendars.has(p.businessHours), ['slaPolicies', i, 'businessHours'], `unknown calendar ${p.businessHours}`);
      for (const level of [...Object.keys(p.firstResponse), ...Object.keys(p.resolution)]) {
        ref(priorities.has(level), ['slaPolicies', i], `unknown priority ${level}`);
      }
    });
  });

export type RoutingConfig = z.infer<typeof RoutingConfigSchema>;
export type SkillRequirement = z.infer<typeof skillRequirement>;

/** Operators whose value has a shape of its own are checked here, so a bad rule fails on apply. */
function checkConditions(node: ConditionNode, path: (string | number)[], ctx: z.RefinementCtx): void {
  if ('all' in node) return node.all.forEach((n, i) => checkConditions(n, [...path, 'all', i], ctx));
  if ('any' in node) return node.any.forEach((n, i) => checkConditions(n, [...path, 'any', i], ctx));
  if ('not' in node) return node.not.forEach((n, i) => checkConditions(n, [...path, 'not', i], ctx));
  const fail = (message: string) => ctx.addIssue({ code: 'custom', path: [...path, 'value'], message });
  const v = node.value;
  const isHhmm = (x: unknown) => typeof x === 'string' && /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/.test(x);
  const isDate = (x: unknown) => typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x);
  switch (node.op) {
    case 'time_between':
      if (!Array.isArray(v) || v.length !== 2 || !v.every(isHhmm)) fail('time_between takes ["HH:MM", "HH:MM"]');
      break;
    case 'date_between':
      if (!Array.isArray(v) || v.length !== 2 || !v.every(isDate)) fail('date_between takes ["YYYY-MM-DD", "YYYY-MM-DD"]');
      break;
    case 'date_eq':
      if (!(isDate(v) || (Array.isArray(v) && v.length > 0 && v.every(isDate)))) fail('date_eq takes a date or a list of dates (YYYY-MM-DD)');
      break;
    case 'weekday_in':
      if (!Array.isArray(v) || !v.every((d) => typeof d === 'string' && (WEEKDAYS as readonly string[]).includes(d.slice(0, 3).toLowerCase()))) {
        fail('weekday_in takes weekdays such as ["mon", "tue"]');
      }
      break;
    case 'in':
    case 'not_in':
      if (!Array.isArray(v)) fail(`${node.op} takes a list`);
      break;
    case 'matches':
      try {
        new RegExp(String(v), 'iu');
      } catch {
        fail('matches takes a valid regular expression');
      }
      break;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof v !== 'number' && typeof v !== 'string') fail(`${node.op} takes a number or a string`);
      break;
    default:
      if (node.op !== 'exists' && v === undefined) fail(`${node.op} needs a value`);
  }
}
export type RoutingConfigInput = z.input<typeof RoutingConfigSchema>;

/** Parses and validates a configuration document; errors name the JSON path at fault. */
export function parseRoutingConfig(input: unknown): RoutingConfig {
  const result = RoutingConfigSchema.safeParse(input);
  if (result.success) {
    const cfg = result.data;
    // The review queue always exists, so a case that needs a person never points at nothing.
    if (!cfg.queues.some((q) => q.id === cfg.reviewQueue)) {
      cfg.queues.push(QueueSchema.parse({ id: cfg.reviewQueue, name: 'Manual review' }));
    }
    return cfg;
  }
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.map(String).join('.') : '(root)',
      message: issue.message,
    })),
  );
}

/** Rank of a priority level: 0 is the most urgent. Unknown levels sort last. */
export function priorityRank(config: Pick<RoutingConfig, 'priorities'>, priority: string): number {
  const index = config.priorities.indexOf(priority);
  return index === -1 ? config.priorities.length : index;
}

export function findAgent(config: RoutingConfig, agentId: string): Agent | undefined {
  return config.agents.find((a) => a.id === agentId);
}

export function findQueue(config: RoutingConfig, queueId: string): Queue | undefined {
  return config.queues.find((q) => q.id === queueId);
}
