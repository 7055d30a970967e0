import { z } from 'zod';
import { durationMs } from './duration.js';
import { ValidationError } from './errors.js';
import { fieldIssues } from './field-issues.js';
import { once } from './once.js';
import { PrioritisationSchema, checkPrioritisation } from './priority-settings.js';
import { PatternError, compilePattern } from './pattern.js';
import { TriageSettingsSchema } from './triage/settings.js';

/**
 * The routing configuration an admin writes (docs/configuration.md): one JSON document, validated on load,
 * stored versioned. Every decision the core makes reads from a parsed RoutingConfig, never from
 * raw JSON.
 */

export const CHANNELS = ['email', 'web', 'phone', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ROLES = ['agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The longest duration a configuration may hold: a year. Longer ones add nothing an SLA, a sweep or
 * a reopen window needs, and far longer ones (`P99999999D`) pass the end of what a date can hold,
 * so every instant computed from them would be invalid.
 */
export const MAX_DURATION_MS = 366 * 24 * 3600 * 1000;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

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

/** What an acknowledgement template may name; nothing else is ever filled in (functions/core/email-ack.ts). */
export const ACK_PLACEHOLDERS = ['caseNumber', 'subject', 'name', 'email', 'statusLink'] as const;
export type AckPlaceholder = (typeof ACK_PLACEHOLDERS)[number];

/** Every `{{...}}` in a template, as written, with the name inside it (spaces trimmed). */
export function templatePlaceholders(template: string): { written: string; name: string }[] {
  return [...template.matchAll(/\{\{(.*?)\}\}/gs)].map((m) => ({ written: m[0], name: m[1]!.trim() }));
}

const DEFAULT_ACK_TEMPLATES = {
  en: {
    subject: 'We received your request: {{subject}}',
    text: 'Hello {{name}},\n\nThank you for writing to us. Your request has been registered as case {{caseNumber}}; an agent will get back to you soon.\n\nFollow your case and add to it here: {{statusLink}}\n\nTo add anything, simply reply to this email and keep the case reference in the subject.\n\nKind regards,\nSupport',
  },
};

/**
 * Every schema of the configuration, built together on first use (configSchemas) rather than at import:
 * building them is a good part of a function's cold start, and a function that never reads the
 * configuration never pays it (docs/costs.md#cold-start). What they accept is not changed by when they are built.
 */
function buildConfigSchemas() {
  const id = z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only, starting with a letter or digit')
    .meta({ title: 'id' });

  const hhmm = z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time as HH:MM')
    .meta({ title: 'HH:MM' });

  const isoDate = z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .meta({ title: 'YYYY-MM-DD' });

  /**
   * ISO-8601 duration (PT4H, P1DT2H, PT30S), at most a year. Parsed to whole milliseconds (finer
   * fractions of a second are dropped) by the SLA clock and the sweeps.
   */
  const isoDuration = z
    .string()
    .regex(/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'an ISO-8601 duration such as PT4H')
    .superRefine((iso, ctx) => {
      let ms: number;
      try {
        ms = durationMs(iso);
      } catch {
        // Hundreds of digits: the pattern above allows them, the parser does not.
        ctx.addIssue({ code: 'custom', message: 'an ISO-8601 duration such as PT4H, with numbers of sensible length' });
        return;
      }
      if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) ctx.addIssue({ code: 'custom', message: 'at most a year (P366D)' });
    });

  const timeZone = z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone such as Europe/Berlin')
    .meta({ title: 'IANA time zone' });

  const interval = z
    .object({
      start: hhmm.describe('Opens at this local time.'),
      end: hhmm.describe('Closes at this local time (`24:00`: midnight); after `start`.'),
    })
    .refine((i) => i.start < i.end, {
      message: 'start must be before end',
    });

  const BusinessHoursSchema = z.object({
    id: id.describe('The calendar, as queues, agents and SLA policies name it.'),
    name: z.string().min(1).optional().describe('A name for people.'),
    timezone: timeZone.describe('The zone the hours are wall-clock times of: 09:00–17:00 stays 09:00–17:00 across DST changes.'),
    weekly: z
      .partialRecord(z.enum(WEEKDAYS), z.array(interval))
      .describe('Opening hours per weekday; several intervals in a day make split shifts; a day not listed is closed.'),
    holidays: z.array(isoDate).default([]).describe('Whole local days on which the calendar is closed.'),
  });

  const matchList = z.array(z.string().min(1)).optional();

  const TerritorySchema = z.object({
    id: id.describe('The territory, as cases (`territory`), agents and rules name it.'),
    name: z.string().min(1).describe('A name for people.'),
    match: z
      .object({
        countries: matchList.describe('ISO 3166-1 alpha-2 codes (`DE`); cases are normalised to them before matching.'),
        regions: matchList.describe("ISO 3166-2 subdivisions (`US-CA`); a case's bare `CA` is qualified by its country."),
        postalCodes: matchList.describe('Prefixes (`75`, `SW1`) or inclusive ranges (`10000-14999`).'),
        segments: matchList.describe("Account segments: the case's `account.segment`, else its `account.tier`."),
        products: matchList.describe('Products (`product` of the case).'),
        languages: matchList.describe('Languages of the case, compared whole (`pt-BR` is not `pt`).'),
      })
      .default({})
      .describe(
        'Every criterion listed must match (any value of a list will do). Specificity: postal code > region > country > other attributes; an empty match is a catch-all with the lowest.',
      ),
    queue: id.describe("Where the territory's cases go."),
    priority: z.number().int().default(0).describe('Breaks ties between territories of equal specificity: higher wins, then the one listed first.'),
  });

  const QueueSchema = z.object({
    id: id.describe('The queue, as territories, rules and cases name it.'),
    name: z.string().min(1).describe('A name for people.'),
    routing: z
      .enum(['least_busy', 'most_available', 'round_robin'])
      .default('least_busy')
      .describe(
        "How eligible members are ranked: `least_busy` (lowest share of total capacity in use), `most_available` (most spare capacity on the case's channel), `round_robin` (longest since last assignment).",
      ),
    members: z.array(id).default([]).describe('Agent ids: who takes cases from this queue.'),
    overflowQueue: id.optional().describe('Tried when no member can take a case now; the case still waits in this queue if nobody there can either.'),
    businessHours: id.optional().describe('A calendar id: the working day, for the end-of-shift sweep, of members without a calendar of their own.'),
    reassignAtEndOfShift: z
      .boolean()
      .default(false)
      .describe('Reassign the open cases a member could not close within their working day (the sweep), to whoever is on.'),
  });

  const capacity = z
    .object({
      email: z.number().int().min(0).default(0).describe('Email cases held at once.'),
      web: z.number().int().min(0).default(0).describe('Web-form cases held at once.'),
      phone: z.number().int().min(0).default(0).describe('Phone cases held at once.'),
      chat: z.number().int().min(0).default(0).describe('Chat cases held at once.'),
    })
    .default({ email: 0, web: 0, phone: 0, chat: 0 })
    .describe('How many open cases (assigned, in progress, on hold) the agent holds at once, per channel; 0 takes none.');

  const AgentSchema = z.object({
    id: id.describe('The agent: their Cognito username in AWS, the subject of their token locally.'),
    name: z.string().min(1).describe('A name for people.'),
    email: z.email().describe('Where their notifications go.'),
    roles: z
      .array(z.enum(ROLES))
      .min(1)
      .default(['agent'])
      .describe(
        'What they may do through the API: `agent` works cases, `manager` sees and moves every case and reads reports, `admin` also manages the configuration.',
      ),
    capacity,
    skills: z
      .record(z.string().min(1), z.number().int().min(1).max(5))
      .default({})
      .describe('Skill name ▶ level 1–5; rules require skills with minimum levels, the expert finder ranks by them.'),
    languages: z
      .array(z.string().min(2))
      .default([])
      .describe("Languages they speak (`de-AT` counts as `de`); empty: they are not filtered by the case's language."),
    tier: z.number().int().min(1).default(1).describe('Seniority; adds its value to their score in the expert finder (swarms).'),
    supervisor: id.optional().describe('An agent id: told of their breaches and on-hold limits, and the target of `reassignTo: "supervisor"` escalations.'),
    businessHours: id.optional().describe('A calendar id: outside these hours they are not offered cases, and being away does not count as absence.'),
    territories: z.array(id).optional().describe('When listed, they take only cases of these territories.'),
  });

  const ConditionSchema: z.ZodType<Condition> = z.object({
    field: z
      .string()
      .min(1)
      .describe('A dotted path into the case (`product`, `account.group`, `location.country`, `createdAt`), or `now` for the evaluation instant.'),
    op: z
      .enum(CONDITION_OPS)
      .describe(
        'How the field is compared with `value`; strings ignore case. `matches` takes a regular expression; `exists` takes no value (or `false` for absent); `time_between`, `weekday_in`, `date_eq` and `date_between` read a timestamp in `timezone`.',
      ),
    value: z
      .unknown()
      .optional()
      .describe(
        'What to compare with: a string or number; a list for `in`, `not_in`, `weekday_in`; `["HH:MM", "HH:MM"]` for `time_between` (an end before the start spans midnight); a date `YYYY-MM-DD` (or a list of dates) for `date_eq`; `["YYYY-MM-DD", "YYYY-MM-DD"]` for `date_between`.',
      ),
    timezone: timeZone.optional().describe('The zone of time-of-day and date operators; default UTC.'),
  });

  const ConditionNodeSchema: z.ZodType<ConditionNode> = z
    .lazy(() =>
      z.union([
        z.object({ all: z.array(ConditionNodeSchema).describe('Every one holds.') }).strict(),
        z.object({ any: z.array(ConditionNodeSchema).describe('At least one holds.') }).strict(),
        z.object({ not: z.array(ConditionNodeSchema).describe('None holds.') }).strict(),
        ConditionSchema,
      ]),
    )
    .meta({ title: 'condition' });

  const skillRequirement = z.object({
    skill: z.string().min(1).describe("A skill name, as in agents' `skills`."),
    minLevel: z.number().int().min(1).max(5).default(1).describe('The lowest level that qualifies.'),
    optional: z.boolean().default(false).describe('Optional skills are the first requirement dropped when a case waits too long for a perfect match.'),
  });

  const RuleSchema = z.object({
    id: id.describe('The rule, as decision records and events name it.'),
    description: z.string().optional().describe('Why the rule exists; shown in decision records.'),
    when: ConditionNodeSchema.describe('Which cases the rule applies to. Rules are tried in order; the first that matches wins.'),
    then: z
      .object({
        route: z
          .union([
            z.object({ agent: id.describe('One agent.') }).strict(),
            z.object({ agents: z.array(id).min(1).describe('Agents in order of preference: the first who can take the case now gets it.') }).strict(),
            z.object({ queue: id.describe('A queue: its routing method picks among its members.') }).strict(),
          ])
          .optional()
          .describe(
            "Where the case goes. When no named agent can take it now it falls back to its queue, so it is never stranded; without `route`, the territory's queue.",
          ),
        requireSkills: z
          .array(skillRequirement)
          .optional()
          .describe('Skills whoever takes the case must have, relaxed the longer it waits (`sweeps.relaxSkillsAfter`).'),
        setPriority: z.string().min(1).optional().describe('A priority level the case is set to.'),
      })
      .refine((t) => t.route || t.requireSkills || t.setPriority, 'a rule must route, require skills or set priority')
      .describe('What happens to a matching case: at least one of `route`, `requireSkills`, `setPriority`.'),
  });

  const escalationStep = z.object({
    after: isoDuration.describe("Time after the breach, counted on the milestone's own clock (business time, never while paused)."),
    raisePriority: z.boolean().default(false).describe('Raise the priority one level.'),
    notify: z
      .array(z.enum(['owner', 'supervisor', 'admins']))
      .default([])
      .describe('Who is told; a target that resolves to nobody (no owner, no supervisor) reaches the admins instead.'),
    reassignTo: z
      .union([z.literal('supervisor'), z.object({ queue: id.describe('The queue the case is pinned to and routed in.') }).strict()])
      .optional()
      .describe(
        "`supervisor`: the owner's supervisor claims it when online with room (else it is routed from its queue); `{ queue }`: routed there and pinned.",
      ),
  });

  const SlaPolicySchema = z.object({
    id: id.describe("The policy, as the case's clock (`sla.policyId`) names it."),
    name: z.string().min(1).optional().describe('A name for people.'),
    when: ConditionNodeSchema.optional().describe(
      'Which cases it applies to; absent: every case. Policies are tried in order when a clock starts; the first that matches applies.',
    ),
    firstResponse: z
      .record(z.string(), isoDuration)
      .default({})
      .describe('Priority level ▶ target for the first agent reply; a level not listed has no first-response target.'),
    resolution: z
      .record(z.string(), isoDuration)
      .default({})
      .describe('Priority level ▶ target for resolving the case; a level not listed has no resolution target.'),
    businessHours: id.optional().describe('A calendar id: targets count only its hours; absent: 24×7.'),
    pauseStatuses: z.array(z.string()).default(['on_hold']).describe('Case statuses that stop the clock.'),
    warnBefore: isoDuration.optional().describe('Lead time of the warning to the owner before a target; absent: no warning.'),
    escalation: z.array(escalationStep).default([]).describe('Ordered steps after a breach.'),
  });

  const SweepsSchema = z
    .object({
      acceptTimeout: isoDuration.default('PT5M').describe('An offer (`assigned`) not accepted within this is taken back and routed to someone else.'),
      absentAfter: isoDuration
        .default('PT15M')
        .describe('An agent away or offline this long during their working hours has their assigned and in-progress cases routed to others.'),
      onHoldMax: isoDuration
        .default('P3D')
        .describe('A case on hold this long gets its priority raised one level, and its owner and their supervisor are told.'),
      relaxSkillsAfter: isoDuration
        .default('PT30M')
        .describe(
          'After waiting this long in a queue optional skills are dropped; after twice this, skill levels; after three times, the language requirement.',
        ),
    })
    .default({ acceptTimeout: 'PT5M', absentAfter: 'PT15M', onHoldMax: 'P3D', relaxSkillsAfter: 'PT30M' });

  /**
   * A pod: a named group of experts around products or skills, with a lead (docs/slack.md#pods). The
   * expert finder prefers the case owner's pods, reaches into other pods that hold the skills a swarm
   * asks for, and tells the lead of every pod it takes experts from.
   */
  const PodSchema = z.object({
    id: id.describe('The pod, as swarm decisions and events name it.'),
    name: z.string().min(1).describe('A name for people.'),
    lead: id.describe("An agent id: told whenever the expert finder brings one of the pod's members into a swarm. A member of the pod."),
    members: z.array(id).default([]).describe('Agent ids of the experts in the pod (the lead is one whether listed or not).'),
    skills: z
      .array(z.string().min(1))
      .default([])
      .describe('Skills the pod is built around: the finder reaches into it for a swarm that asks for one of them.'),
    products: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Products the pod is built around: the finder reaches into it for a case of one of them. With neither skills nor products, a pod holds what its members' skills say.",
      ),
  });

  /** A Slack channel id: `C…` (public) or `G…` (private), as Slack shows it under the channel's details. */
  const slackChannelId = z
    .string()
    .regex(/^[CG][A-Z0-9]{2,30}$/, 'a Slack channel id such as C0123456789 (the channel name will not do)')
    .meta({ title: 'Slack channel id' });

  /** How swarms live in Slack when the Slack app is set up (docs/slack.md). */
  const SlackSettingsSchema = z
    .object({
      swarms: z
        .enum(['channel', 'thread'])
        .default('channel')
        .describe('`channel`: every swarm gets a channel of its own, archived when the case closes; `thread`: every swarm is a thread in `channel`.'),
      channel: slackChannelId
        .optional()
        .describe('The channel swarm threads are started in (required with `swarms: "thread"`); the app must be a member of it.'),
      channelPrefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, 'lowercase letters, digits, - and _ (at most 41)')
        .default('swarm-')
        .describe('Start of the name of each swarm channel, followed by the case number (`swarm-00001234`).'),
      privateChannels: z.boolean().default(true).describe('Swarm channels are private: only the invited experts, the owner and those they add see the case.'),
    })
    .describe('Slack, when the Slack app is set up (bot token and signing secret); the incoming-webhook mode ignores it.');

  /** A template text that names only ACK_PLACEHOLDERS: a typo or `{{constructor}}` is refused when applied. */
  const templateText = (max: number) =>
    z
      .string()
      .min(1)
      .max(max)
      .superRefine((text, ctx) => {
        const unknown = templatePlaceholders(text).filter((p) => !(ACK_PLACEHOLDERS as readonly string[]).includes(p.name));
        if (unknown.length === 0) return;
        ctx.addIssue({
          code: 'custom',
          message: `${[...new Set(unknown.map((p) => p.written))].join(', ')} ${unknown.length === 1 ? 'is not a placeholder' : 'are not placeholders'}: use ${ACK_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        });
      });

  /**
   * An acknowledgement template; `{{caseNumber}}`, `{{subject}}`, `{{name}}`, `{{email}}` and `{{statusLink}}`
   * are filled in, nothing else. A line naming `{{statusLink}}` is left out when there is no status page.
   */
  const ackTemplate = z.object({
    subject: templateText(300).describe('Subject line; the case token is appended whatever it says.'),
    text: templateText(20_000).describe('Plain-text body.'),
  });

  /** Email-to-case (functions/core/email-*.ts). Optional: every field has a default. */
  const EmailSettingsSchema = z.object({
    fromAddress: z
      .email()
      .optional()
      .describe(
        'Sender of acknowledgements and agent replies; in AWS an address on the verified SES domain. Default: EMAIL_FROM_ADDRESS, else support@caseflow.local.',
      ),
    fromName: z.string().min(1).max(100).default('Support').describe('Display name of that sender; agent replies read `<agent> (<fromName>)`.'),
    addresses: z
      .array(z.email())
      .default([])
      .describe('Our own addresses (support@, sales@, ...): mail from them is never acknowledged (loops). `fromAddress` is always included.'),
    acknowledgement: z
      .object({
        enabled: z.boolean().default(true).describe('Acknowledge the first message of a new case.'),
        defaultLanguage: z.string().min(2).max(8).default('en').describe("Used when the customer's language is unknown or has no template."),
        templates: z
          .record(z.string().min(2).max(8), ackTemplate)
          .default(DEFAULT_ACK_TEMPLATES)
          .describe(
            "Language (`en`, `de`, ...) ▶ template, chosen by the message's `Content-Language` (or `Accept-Language`), or the web form's language; `{{caseNumber}}`, `{{subject}}`, `{{name}}`, `{{email}}` and `{{statusLink}}` (the customer's status page; a line naming it is left out where there is none) are filled in. The web form speaks these languages.",
          ),
        maxPerSenderPerHour: z.number().int().min(0).default(3).describe('At most this many acknowledgements to one address per hour (loop protection).'),
      })
      .default({ enabled: true, defaultLanguage: 'en', templates: DEFAULT_ACK_TEMPLATES, maxPerSenderPerHour: 3 })
      .describe('The automatic reply to a new case.'),
    reopenWindow: isoDuration
      .default('P14D')
      .describe('A reply to a resolved or closed case reopens it within this time of closing; later, it starts a new case linked to the old one.'),
    resumeHeldCasesOnReply: z
      .boolean()
      .default(true)
      .describe(
        "A customer's own reply (an email, or a message on the status page) to a case on hold resumes it: back to `in_progress` with its owner, the hold removed, the SLA clock running again. `false` keeps the hold (for teams that hold cases for third parties); automated mail never resumes a case.",
      ),
  });

  /** A choice the web form offers: its id (what the case records and rules match) and its label per language. */
  const webFormChoice = z.object({
    id: z.string().min(1).max(100).describe('What the case records (`type` or `product`) and rules match.'),
    label: z
      .record(z.string().min(2).max(8), z.string().min(1).max(200))
      .refine((labels) => Object.keys(labels).length > 0, 'give a label in at least one language')
      .describe("Language (`en`, `de`, ...) ▶ the label shown; a language without one shows the default language's, then English, then the id."),
  });

  /** The web form's choices (functions/core/web-form-text.ts). */
  const WebFormSettingsSchema = z.object({
    types: z
      .array(webFormChoice)
      .min(1)
      .optional()
      .describe(
        'The request types the form offers, and the only ones a submission may name; absent: question, problem, feature request, other (any type accepted).',
      ),
    products: z
      .array(webFormChoice)
      .min(1)
      .optional()
      .describe('The products the form offers, and the only ones a submission may name; absent: a free-text field.'),
  });

  const RoutingConfigSchema = z
    .object({
      businessHours: z.array(BusinessHoursSchema).default([]).describe('Named calendars: working hours of agents and queues, and the hours SLA targets count.'),
      priorities: z
        .array(z.string().min(1))
        .min(1)
        .default(['critical', 'high', 'medium', 'low'])
        .describe('Priority levels, most urgent first; queues dispatch in this order.'),
      defaultPriority: z.string().min(1).default('medium').describe('Priority given to a case nothing else prioritises; one of `priorities`.'),
      territories: z.array(TerritorySchema).default([]).describe('Which queue owns a case, by where it comes from and what it is about.'),
      queues: z.array(QueueSchema).min(1).describe('Where cases wait and whose members take them.'),
      reviewQueue: id.default('review').describe("Where cases that need a person's eyes wait (no territory, failed steps); created when not listed."),
      agents: z.array(AgentSchema).default([]).describe('Everyone who signs in: agents, managers and admins.'),
      rules: z.array(RuleSchema).default([]).describe('Routing rules, in order: the first that matches a case decides.'),
      slaPolicies: z.array(SlaPolicySchema).default([]).describe('Response and resolution targets, in order: the first that matches a case applies.'),
      prioritisation: PrioritisationSchema.optional().describe(
        "How a case's priority is computed from its factors; absent: a severity naming a level wins, else `defaultPriority`.",
      ),
      sweeps: SweepsSchema.describe('Time limits the sweeps enforce.'),
      email: EmailSettingsSchema.optional().describe('Email-to-case; every field has a default.'),
      pods: z.array(PodSchema).default([]).describe('Groups of experts the swarm finder reaches into (docs/slack.md#pods).'),
      slack: SlackSettingsSchema.optional(),
      triage: TriageSettingsSchema.describe('Automatic triage of an empty type or product from a trained model (docs/triage.md).'),
      webForm: WebFormSettingsSchema.optional().describe("The web form's type and product choices, labelled per language (docs/web-form.md#languages)."),
    })
    .superRefine((cfg, ctx) => {
      const dupes = (items: { id: string }[], path: string | string[]) => {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [...[path].flat(), index, 'id'], message: `duplicate id ${item.id}` });
          seen.add(item.id);
        });
      };
      dupes(cfg.businessHours, 'businessHours');
      dupes(cfg.territories, 'territories');
      dupes(cfg.queues, 'queues');
      dupes(cfg.agents, 'agents');
      dupes(cfg.rules, 'rules');
      dupes(cfg.slaPolicies, 'slaPolicies');
      if (cfg.webForm?.types) dupes(cfg.webForm.types, ['webForm', 'types']);
      if (cfg.webForm?.products) dupes(cfg.webForm.products, ['webForm', 'products']);
      dupes(cfg.pods, 'pods');

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
      cfg.pods.forEach((p, i) => {
        ref(agents.has(p.lead), ['pods', i, 'lead'], `unknown agent ${p.lead}`);
        p.members.forEach((m, j) => ref(agents.has(m), ['pods', i, 'members', j], `unknown agent ${m}`));
      });
      if (cfg.slack?.swarms === 'thread' && !cfg.slack.channel) {
        ctx.addIssue({ code: 'custom', path: ['slack', 'channel'], message: 'is required when swarms are threads (swarms: "thread")' });
      }
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
        const calendar = cfg.businessHours.find((b) => b.id === p.businessHours);
        if (calendar) checkSlaCalendar(p, calendar, ['slaPolicies', i], ctx);
        for (const level of [...Object.keys(p.firstResponse), ...Object.keys(p.resolution)]) {
          ref(priorities.has(level), ['slaPolicies', i], `unknown priority ${level}`);
        }
      });
    });

  return {
    BusinessHoursSchema,
    TerritorySchema,
    QueueSchema,
    AgentSchema,
    ConditionNodeSchema,
    RuleSchema,
    SlaPolicySchema,
    SweepsSchema,
    PodSchema,
    SlackSettingsSchema,
    EmailSettingsSchema,
    WebFormSettingsSchema,
    RoutingConfigSchema,
    skillRequirement,
  };
}

/** The configuration's schemas as buildConfigSchemas returns them. */
export type ConfigSchemas = ReturnType<typeof buildConfigSchemas>;

/** The configuration's schemas, built on the first call and kept (docs/costs.md#cold-start). */
export const configSchemas: () => ConfigSchemas = once(buildConfigSchemas);

export type BusinessHours = z.infer<ConfigSchemas['BusinessHoursSchema']>;
export type Territory = z.infer<ConfigSchemas['TerritorySchema']>;
export type Queue = z.infer<ConfigSchemas['QueueSchema']>;
export type Agent = z.infer<ConfigSchemas['AgentSchema']>;
export type Rule = z.infer<ConfigSchemas['RuleSchema']>;
export type SlaPolicy = z.infer<ConfigSchemas['SlaPolicySchema']>;
export type Pod = z.infer<ConfigSchemas['PodSchema']>;
export type SlackSettings = z.infer<ConfigSchemas['SlackSettingsSchema']>;
export type EmailSettings = z.infer<ConfigSchemas['EmailSettingsSchema']>;
export type WebFormSettings = z.infer<ConfigSchemas['WebFormSettingsSchema']>;

export type RoutingConfig = z.infer<ConfigSchemas['RoutingConfigSchema']>;
export type SkillRequirement = z.infer<ConfigSchemas['skillRequirement']>;

/** Open time in a calendar's week, in milliseconds (overlapping intervals counted once). */
function weeklyOpenMs(calendar: BusinessHours): number {
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  let total = 0;
  for (const intervals of Object.values(calendar.weekly)) {
    let reached = 0;
    for (const [start, end] of (intervals ?? []).map((x) => [minutes(x.start), minutes(x.end)] as const).sort((a, b) => a[0] - b[0])) {
      const from = Math.max(start, reached);
      if (end > from) total += end - from;
      reached = Math.max(reached, end);
    }
  }
  return total * 60_000;
}

/**
 * How many weeks of a calendar's open hours an SLA target (with its escalation steps) may span.
 * Business-time arithmetic searches three years of calendar days; two years of weeks leaves room
 * for holidays and short DST days.
 */
const SLA_CALENDAR_WEEKS = 104;

/**
 * An SLA clock on a calendar must be able to reach its targets: a calendar that never opens, or one
 * open so little that a target needs years of it, would make every due date impossible to compute.
 */
function checkSlaCalendar(policy: SlaPolicy, calendar: BusinessHours, path: (string | number)[], ctx: z.RefinementCtx): void {
  const open = weeklyOpenMs(calendar);
  if (open === 0) {
    ctx.addIssue({ code: 'custom', path: [...path, 'businessHours'], message: `calendar ${calendar.id} is never open, so an SLA clock on it would never run` });
    return;
  }
  const longestStep = Math.max(0, ...policy.escalation.map((step) => durationMs(step.after)));
  for (const milestone of ['firstResponse', 'resolution'] as const) {
    for (const [level, target] of Object.entries(policy[milestone])) {
      if (durationMs(target) + longestStep > open * SLA_CALENDAR_WEEKS) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, milestone, level],
          message: `${target}${longestStep ? ' and the escalation steps after it need' : ' needs'} more than two years of calendar ${calendar.id}'s open hours`,
        });
      }
    }
  }
}

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
      if (typeof v !== 'string') {
        fail('matches takes a pattern (RE2 syntax) as a string');
        break;
      }
      try {
        compilePattern(v);
      } catch (error) {
        if (!(error instanceof PatternError)) throw error;
        fail(`the pattern ${error.message}`);
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
export type RoutingConfigInput = z.input<ConfigSchemas['RoutingConfigSchema']>;

/** Parses and validates a configuration document; errors name the JSON path at fault. */
export function parseRoutingConfig(input: unknown): RoutingConfig {
  const { RoutingConfigSchema, QueueSchema } = configSchemas();
  const result = RoutingConfigSchema.safeParse(input);
  if (result.success) {
    const cfg = result.data;
    // The review queue always exists, so a case that needs a person never points at nothing.
    if (!cfg.queues.some((q) => q.id === cfg.reviewQueue)) {
      cfg.queues.push(QueueSchema.parse({ id: cfg.reviewQueue, name: 'Manual review' }));
    }
    return cfg;
  }
  throw new ValidationError(fieldIssues(result.error, { root: '(root)' }));
}

/** Rank of a priority level: 0 is the most urgent. Unknown levels sort last. The one ordering of priorities (queues, reports, prioritisation). */
export function priorityRank(config: { readonly priorities: readonly string[] }, priority: string): number {
  const index = config.priorities.indexOf(priority);
  return index === -1 ? config.priorities.length : index;
}

export function findAgent(config: RoutingConfig, agentId: string): Agent | undefined {
  return config.agents.find((a) => a.id === agentId);
}

export function findQueue(config: RoutingConfig, queueId: string): Queue | undefined {
  return config.queues.find((q) => q.id === queueId);
}

/** The pods an agent is in: as a listed member or as the lead. */
export function podsOf(config: Pick<RoutingConfig, 'pods'>, agentId: string): Pod[] {
  return config.pods.filter((p) => p.lead === agentId || p.members.includes(agentId));
}

/** A business-hours calendar by id; no id (or an unknown one) ▶ undefined, which every caller reads as 24×7. */
export function findCalendar(config: Pick<RoutingConfig, 'businessHours'>, calendarId: string | undefined): BusinessHours | undefined {
  return calendarId ? config.businessHours.find((b) => b.id === calendarId) : undefined;
}
