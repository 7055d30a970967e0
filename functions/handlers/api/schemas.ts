import { z } from 'zod';
import { PRESENCES } from '../../core/agent-state.js';
import { CASE_STATUSES } from '../../core/case.js';
import type { CaseStatus } from '../../core/case.js';
import { CHANNELS, ROLES } from '../../core/config.js';
import type { Channel } from '../../core/config.js';
import { MAX_SWARM_SIZE } from '../../core/expert-finder.js';
import { WebSubmissionSchema } from '../../core/intake.js';
import { once } from '../../core/once.js';

/**
 * The agent/admin API's request and response schemas, in one place: the api handler parses every
 * request with them, and the OpenAPI document (functions/handlers/api/openapi.ts) is generated from them,
 * so what is documented is what is enforced. Response schemas are open (`looseObject`): the case
 * contract lets the case grow fields, never rename them (docs/architecture.md#the-case-contract).
 */

// ---------------------------------------------------------------------------------------------
// Building blocks

const KNOWN_STATUSES = new Set<string>(CASE_STATUSES);
const KNOWN_CHANNELS = new Set<string>(CHANNELS);

const commaList = (what: string) =>
  z
    .string()
    .max(1000)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0, `name at least one ${what}`);

/** `status=queued,assigned`: one or more case statuses, comma-separated. */
const statusList = commaList('status')
  .superRefine((list, ctx) => {
    const unknown = list.filter((s) => !KNOWN_STATUSES.has(s));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a status' : 'are not statuses'}; use ${CASE_STATUSES.join(', ')}`,
      });
    }
  })
  .transform((list) => list as CaseStatus[]);

const channelList = commaList('channel')
  .superRefine((list, ctx) => {
    const unknown = list.filter((s) => !KNOWN_CHANNELS.has(s));
    if (unknown.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a channel' : 'are not channels'}; use ${CHANNELS.join(', ')}`,
      });
  })
  .transform((list) => list as Channel[]);

/** Configuration ids: agents, queues. */
const configId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a configured id (letters, digits, _ . -)');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => z.string().trim().min(1, 'must not be empty when given').max(max, `must be at most ${max} characters`).optional();
const instant = z.string().meta({ format: 'date-time' });

// ---------------------------------------------------------------------------------------------
// Requests

export const ListCasesQuery = z
  .object({
    queue: configId.optional().describe('Only cases in this queue (agents: one of their own).'),
    status: statusList
      .optional()
      .describe(`Comma-separated statuses (${CASE_STATUSES.join(', ')}). Default: every status for an owner or queue listing, the open ones otherwise.`),
    owner: z.string().min(1).max(64).optional().describe('An agent id, or `me`. Agents may only name themselves.'),
    priority: commaList('priority').optional().describe('Comma-separated priority levels of the configuration (e.g. `critical,high`).'),
    channel: channelList.optional().describe(`Comma-separated channels (${CHANNELS.join(', ')}).`),
    limit: z.coerce
      .number({ error: 'must be a whole number from 1 to 100' })
      .int('must be a whole number from 1 to 100')
      .min(1, 'must be at least 1')
      .max(100, 'must be at most 100')
      .default(25)
      .describe('Page size, 1 to 100.'),
    cursor: z.string().min(1).max(4096).optional().describe('The `cursor` of the previous page.'),
  })
  .strict();

export const SearchCasesQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .describe(
        'A case number (`1024`, `#00001024`), a customer email address, or words of the subject (every word must be there; the last one may be the start of a word: `paper jam prin`).',
      ),
    limit: z.coerce
      .number({ error: 'must be a whole number from 1 to 50' })
      .int('must be a whole number from 1 to 50')
      .min(1, 'must be at least 1')
      .max(50, 'must be at most 50')
      .default(20)
      .describe('At most this many cases, 1 to 50.'),
    cursor: z.string().max(2000).optional().describe('From the previous page of a word search: continues after it.'),
  })
  .strict();

export const DeclineBody = z.object({ reason: optionalText(1000) }).strict();

export const StatusBody = z
  .object({
    status: z.enum(CASE_STATUSES, { error: `must be one of ${CASE_STATUSES.join(', ')}` }),
    comment: optionalText(5000).describe('Required to close a case unresolved; recorded for any change.'),
    reason: optionalText(1000).describe('Required to put a case on hold.'),
    until: z.iso.datetime({ offset: true, error: 'must be an ISO timestamp' }).optional().describe('on_hold: when the case is expected to resume.'),
  })
  .strict();

export const PresenceBody = z.object({ status: z.enum(PRESENCES, { error: `must be one of ${PRESENCES.join(', ')}` }) }).strict();

const ContactInput = z
  .object({
    name: optionalText(200),
    email: z.email('must be an email address').max(254).optional(),
    phone: optionalText(40),
  })
  .strict()
  .refine((c) => c.email !== undefined || c.phone !== undefined, { message: 'give an email or a phone number', path: ['email'] });

export const CreateCaseBody = z
  .object({
    source: z.enum(['phone', 'walk_in']).default('phone').describe('How the customer reached us; both make a `phone` case.'),
    channel: z.literal('phone', { error: 'agents open phone cases only (email and web cases come from their own intake)' }).optional(),
    subject: text(300),
    description: text(20_000).describe("The customer's words, as the agent noted them."),
    contact: ContactInput,
    account: z
      .object({ id: optionalText(100), name: optionalText(200), tier: optionalText(40), segment: optionalText(100), group: optionalText(100) })
      .strict()
      .optional(),
    location: z
      .object({ country: optionalText(100), region: optionalText(100), postalCode: optionalText(20), city: optionalText(100) })
      .strict()
      .optional(),
    product: optionalText(100),
    type: optionalText(100),
    severity: optionalText(40),
    language: optionalText(20),
    idempotencyKey: optionalText(128).describe('A retry with the same key returns the case the first request created (200 instead of 201).'),
  })
  .strict();

export const PriorityBody = z
  .object({
    priority: text(40).describe('One of the configured priority levels.'),
    reason: text(1000),
  })
  .strict();

export const NoteBody = z.object({ text: text(20_000) }).strict();

export const ClassificationBody = z
  .object({
    type: optionalText(100).describe("The case's type; when automatic triage had filled it, the change is recorded as a correction."),
    product: optionalText(100).describe("The case's product; likewise."),
    reason: optionalText(1000),
  })
  .strict()
  .refine((b) => b.type !== undefined || b.product !== undefined, { message: 'give a type, a product or both', path: ['type'] });

export const ReassignBody = z
  .object({
    agent: configId.optional().describe('Give the case to this agent (online, with spare capacity); they get it as an offer to accept.'),
    queue: configId.optional().describe('Put the case in this queue and route it there anew.'),
    reason: text(1000),
  })
  .strict()
  .refine((b) => (b.agent === undefined) !== (b.queue === undefined), { message: 'name either an agent or a queue', path: ['agent'] });

/** A file in a JSON body: standard base64 (RFC 4648 §4), padded. */
const base64 = z
  .string()
  .max(6 * 1024 * 1024)
  .refine((s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s), 'is not base64 (standard alphabet, padded)');

const ReplyFileInput = z
  .object({
    name: text(255).describe('The file name the customer sees.'),
    contentType: z
      .string()
      .trim()
      .max(200)
      .regex(/^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?$/, 'must be a media type such as application/pdf')
      .default('application/octet-stream'),
    content: base64.describe('The file, base64-encoded.'),
  })
  .strict();

const ReplyUploadInput = z
  .object({
    key: z.string().min(1, 'is required').max(200, 'must be at most 200 characters').describe('The `key` that `POST /cases/{id}/uploads` answered.'),
    name: text(255).describe('The file name the customer sees.'),
  })
  .strict();

export const ReplyBody = z
  .object({
    text: text(50_000).describe('The reply, as plain text.'),
    subject: optionalText(250).describe('Default `Re: <case subject>`; the case token is always appended.'),
    cc: z
      .array(z.string().trim().min(1, 'must not be empty').max(254, 'must be at most 254 characters'))
      .max(10, 'at most 10 addresses')
      .optional()
      .describe('Copies: up to 10 addresses, never our own.'),
    attachments: z
      .array(ReplyFileInput)
      .max(10, 'at most 10 files')
      .optional()
      .describe('Files sent with the reply (at most 10, 4 MB in total once decoded) and kept on the case, downloadable like inbound attachments.'),
    uploads: z
      .array(ReplyUploadInput)
      .max(10, 'at most 10 files')
      .optional()
      .describe(
        'Files uploaded beforehand (`POST /cases/{id}/uploads`), by key: each at most 25 MB, all files of the reply (inline too) at most 28 MB together, at most 10 files.',
      ),
  })
  .strict();

export const UploadBody = z
  .object({
    contentType: z
      .string()
      .trim()
      .max(200)
      .regex(/^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/, 'must be a media type such as application/pdf')
      .describe('The Content-Type the file is uploaded with (the upload policy requires exactly this one).'),
    size: z.number().int('must be a whole number of bytes').min(1, 'must be at least 1 byte').describe('The file size in bytes; at most 25 MB (26214400).'),
  })
  .strict();

export const StatusMessageBody = z.object({ text: text(20_000).describe("The customer's message.") }).strict();
const SkillWanted = z
  .object({
    skill: text(64).describe("A skill, as agents' `skills` name it (compared without regard to case)."),
    minLevel: z.number().int().min(1).max(5).optional().describe('The lowest level that qualifies (default 1).'),
  })
  .strict();

export const SwarmBody = z
  .object({
    limit: z.number().int().min(1).max(MAX_SWARM_SIZE).optional().describe(`How many experts to invite (default 3, at most ${MAX_SWARM_SIZE}).`),
    skills: z
      .array(SkillWanted)
      .min(1, 'must name at least one skill when given')
      .max(10, 'must be at most 10 skills')
      .optional()
      .superRefine((skills, ctx) => {
        const seen = new Set<string>();
        skills?.forEach((s, i) => {
          const key = s.skill.trim().toLowerCase();
          if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'skill'], message: `names ${s.skill} twice` });
          seen.add(key);
        });
      })
      .describe("The skills wanted, with minimum levels; without them, what the case calls for (its product and type, the routing rule's required skills)."),
    question: optionalText(2000).describe('The question for the experts; shown in Slack.'),
    note: optionalText(1000).describe('The older name of `question`.'),
  })
  .strict();

/** The configuration document (docs/configuration.md); validated in full by functions/core/config.ts when applied. */
export const ConfigBody = z
  .looseObject({})
  .describe('The routing configuration (docs/configuration-reference.md), validated in full on apply; errors name the JSON path.');

export const WebToCaseBody = WebSubmissionSchema;

// ---------------------------------------------------------------------------------------------
// Responses

/**
 * The response schemas and the document's named components, built on first use (responseSchemas) rather
 * than at import: only the OpenAPI document and the tests read them, never a request, and building them
 * is part of the api function's cold start (docs/costs.md#cold-start). What they describe is not changed by
 * when they are built.
 */
function buildResponseSchemas() {
  const FieldErrorSchema = z.object({ field: z.string(), message: z.string() });

  const ErrorSchema = z
    .object({
      error: z.string().describe('The error class (ValidationError, NotFoundError, ...); InternalError for 5xx.'),
      message: z.string(),
      fields: z.array(FieldErrorSchema).optional().describe('ValidationError: each field at fault.'),
    })
    .describe('An error from the API function.');

  const GatewayErrorSchema = z.object({ message: z.string() }).describe('An error from API Gateway itself (no token, unknown route, body over 10 MB).');

  const ActorSchema = z.object({ kind: z.enum(['customer', 'agent', 'system']), id: z.string() });

  const SwarmMemberSchema = z.looseObject({
    agentId: z.string(),
    name: z.string(),
    score: z.number(),
    reasons: z.array(z.string()),
    invitedAt: instant,
    invitedBy: z.string(),
    via: z.enum(['finder', 'joined']).optional().describe('`finder`: proposed by the expert finder; `joined`: came on their own.'),
    pod: z.string().optional().describe('The pod the finder reached them through.'),
  });

  const SwarmSchema = z.looseObject({
    swarmId: z.string(),
    status: z.enum(['open', 'closed']),
    startedAt: instant,
    startedBy: z.string(),
    note: z.string().optional(),
    question: z.string().optional(),
    skills: z.array(z.looseObject({ skill: z.string(), minLevel: z.number() })),
    members: z.array(SwarmMemberSchema),
    chat: z
      .looseObject({
        kind: z.literal('slack'),
        mode: z.enum(['channel', 'thread']),
        channel: z.string(),
        threadTs: z.string().optional(),
        summaryTs: z.string(),
      })
      .optional()
      .describe('Where the swarm works in Slack (the Slack app).'),
    podLeads: z
      .array(z.looseObject({ podId: z.string(), leadId: z.string(), experts: z.array(z.string()), toldVia: z.enum(['chat', 'email', 'none']).optional() }))
      .optional(),
    closedAt: instant.optional(),
    closedReason: z.string().optional(),
  });

  const CaseSchema = z
    .looseObject({
      caseId: z.string(),
      caseNumber: z.string().describe('Human-friendly and sequential, e.g. 00001024.'),
      channel: z.enum(CHANNELS),
      status: z.enum(CASE_STATUSES),
      priority: z.string(),
      subject: z.string(),
      description: z.string(),
      contact: z.looseObject({ email: z.string(), name: z.string().optional(), phone: z.string().optional() }),
      account: z
        .looseObject({
          id: z.string().optional(),
          name: z.string().optional(),
          tier: z.string().optional(),
          segment: z.string().optional(),
          group: z.string().optional(),
        })
        .optional(),
      location: z
        .looseObject({ country: z.string().optional(), region: z.string().optional(), postalCode: z.string().optional(), city: z.string().optional() })
        .optional(),
      product: z.string().optional(),
      type: z.string().optional(),
      severity: z.string().optional(),
      language: z.string().optional(),
      territory: z.string().optional(),
      queue: z.string().optional(),
      owner: z.string().optional(),
      sla: z.looseObject({}).optional().describe('The SLA clock: policy and, per milestone, target, due instant, status.'),
      swarm: SwarmSchema.optional(),
      hold: z
        .looseObject({ since: instant, reason: z.string(), until: instant.optional() })
        .optional()
        .describe('The hold an agent put the case on: since when, why, and when it should resume (meaningful while `status` is `on_hold`).'),
      triage: z
        .looseObject({ modelVersion: z.string(), fields: z.record(z.string(), z.looseObject({ value: z.string(), confidence: z.number() })) })
        .optional()
        .describe(
          "Fields automatic triage filled: the predicted value, its confidence, the model version, and an agent's later correction. The `triaged` event has the full record.",
        ),
      createdAt: instant,
      updatedAt: instant,
      version: z.number().int().describe('Optimistic-concurrency version; the ETag is its quoted value.'),
    })
    .describe('A case (docs/architecture.md#the-case-contract). Fields may be added, never renamed.');

  const MessageSchema = z.looseObject({
    messageId: z.string(),
    direction: z.enum(['inbound', 'outbound', 'internal']),
    channel: z.enum(CHANNELS),
    from: z.string(),
    subject: z.string(),
    text: z.string(),
    at: instant,
    attachments: z.array(z.looseObject({ name: z.string(), contentType: z.string(), size: z.number(), contentId: z.string().optional() })),
  });

  const EventSchema = z.looseObject({
    eventId: z.string(),
    activity: z.string(),
    at: instant,
    actor: ActorSchema,
    details: z.record(z.string(), z.unknown()),
  });

  const DecisionSchema = z.looseObject({
    decisionId: z.string(),
    kind: z.string().describe('territory, priority, assignment or swarm'),
    at: instant,
    outcome: z.string(),
    details: z.record(z.string(), z.unknown()),
  });

  const CaseDetailSchema = CaseSchema.extend({
    messages: z.array(MessageSchema),
    events: z.array(EventSchema),
    decisions: z.array(DecisionSchema),
  }).describe('A case with its messages, event history and decision records.');

  const CaseListSchema = z.object({
    items: z.array(CaseSchema),
    cursor: z.string().optional().describe('Present when there may be more: pass it back as `cursor`.'),
  });

  const AgentStateSchema = z.looseObject({
    agentId: z.string(),
    presence: z.enum(PRESENCES),
    presenceSince: instant,
    load: z.record(z.string(), z.number()),
  });

  const AgentMeSchema = z.looseObject({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    roles: z.array(z.enum(ROLES)),
    capacity: z.record(z.string(), z.number()),
    skills: z.record(z.string(), z.number()),
    languages: z.array(z.string()),
    tier: z.number(),
    queues: z.array(z.string()),
    state: AgentStateSchema,
  });

  const AgentListSchema = z
    .object({
      agents: z.array(
        z.looseObject({
          id: z.string(),
          name: z.string(),
          queues: z.array(z.string()),
          email: z.string().optional().describe('Managers and admins only.'),
          roles: z.array(z.enum(ROLES)).optional().describe('Managers and admins only.'),
          capacity: z.record(z.string(), z.number()).optional().describe('Per channel; managers and admins only.'),
          tier: z.number().optional(),
          supervisor: z.string().optional(),
          state: z.looseObject({
            presence: z.enum(PRESENCES),
            presenceSince: instant,
            load: z.record(z.string(), z.number()).optional().describe('Open cases per channel; managers and admins only.'),
          }),
        }),
      ),
      queues: z.array(z.looseObject({ id: z.string(), name: z.string(), members: z.array(z.string()), routing: z.string() })),
      territories: z
        .array(z.looseObject({ id: z.string(), name: z.string(), queue: z.string() }))
        .optional()
        .describe('Managers and admins only.'),
      priorities: z.array(z.string()).describe('The priority levels, most urgent first.'),
    })
    .describe("The team: managers and admins see every agent with load and capacity; agents see their queues' members' presence.");

  const PresenceResultSchema = z.object({
    state: AgentStateSchema,
    dispatched: z.array(z.string()).describe('Cases assigned because the agent came online.'),
  });

  const NextCaseSchema = z.object({ case: CaseDetailSchema.nullable(), message: z.string().optional() });

  const DeclineResultSchema = z.object({ status: z.enum(CASE_STATUSES), owner: z.string().nullable() });

  const NoteResultSchema = z.object({ case: CaseSchema, note: MessageSchema });

  const ReplyResultSchema = z.object({
    case: CaseSchema,
    message: MessageSchema.describe('The outbound message as recorded, with the ids it is known by.'),
  });

  const ExpertSchema = z.looseObject({
    agentId: z.string(),
    name: z.string(),
    score: z.number(),
    reasons: z.array(z.string()),
    presence: z.enum(PRESENCES),
    spareCapacity: z.number(),
    skills: z.record(z.string(), z.number()),
    reach: z
      .enum(['own_pod', 'other_pod', 'no_pod'])
      .describe('`own_pod`: shares a pod with the owner; `other_pod`: in a pod holding a wanted skill or the product; `no_pod`: in none.'),
    pods: z.array(z.string()).describe('The pods they were reached through.'),
    similarResolved: z.number().int().describe('Similar cases (same product or type) they resolved lately.'),
  });

  const SwarmResultSchema = z.object({
    case: CaseSchema,
    swarm: SwarmSchema.nullable(),
    invited: z.array(SwarmMemberSchema).describe('Experts this call invited, best first.'),
    experts: z.array(ExpertSchema).describe('The ranked experts with every part of their score.'),
    excluded: z.array(z.object({ agentId: z.string(), reason: z.string() })),
    skills: z.array(z.looseObject({ skill: z.string(), minLevel: z.number() })).describe('The skills matched on.'),
    skillsFrom: z.enum(['request', 'case']).describe('Whether the skills came from the request or from the case.'),
    homePods: z.array(z.string()).describe("The owner's pods (the requester's when nobody owns the case): preferred."),
    podLeads: z
      .array(z.looseObject({ podId: z.string(), leadId: z.string(), experts: z.array(z.string()), toldVia: z.enum(['chat', 'email', 'none']).optional() }))
      .describe('The lead of each pod experts came from, and how they were told.'),
    reasons: z.array(z.string()),
    notification: z.object({ sent: z.boolean(), reason: z.string().optional() }),
    chat: z
      .looseObject({
        inChat: z.array(z.string()).optional(),
        notInChat: z.array(z.object({ agentId: z.string(), reason: z.string() })).optional(),
        leadsTold: z.array(z.string()).optional(),
      })
      .optional()
      .describe('What the Slack app did: who it brought into the conversation, who it could not find.'),
  });

  const SwarmMembershipResultSchema = z.object({
    case: CaseSchema,
    swarm: SwarmSchema.nullable(),
    changed: z.boolean().describe('false when the caller was already a member (join) — joining twice changes nothing.'),
  });

  const HealthSchema = z.looseObject({ status: z.enum(['ok', 'degraded', 'unavailable']), checks: z.record(z.string(), z.string()), time: instant });

  const StoredConfigSchema = z.looseObject({ version: z.number().int(), config: z.looseObject({}), appliedAt: instant, appliedBy: z.string() });

  const ConfigAppliedSchema = z.looseObject({ version: z.number().int(), appliedAt: instant, reconciled: z.unknown() });

  const SectionChangesSchema = z.object({
    added: z.array(z.string()).describe('Ids in the document that the current version lacks.'),
    removed: z.array(z.string()).describe('Ids of the current version that the document lacks.'),
    changed: z.array(z.string()).describe('Ids in both whose entries differ.'),
  });

  const ConfigDryRunSchema = z.object({
    valid: z.literal(true),
    currentVersion: z.number().int().describe('The version an apply would replace (0: none yet): send it as If-Match to apply what was checked.'),
    changes: z.object({
      sections: z.object({
        agents: SectionChangesSchema,
        queues: SectionChangesSchema,
        rules: SectionChangesSchema,
        territories: SectionChangesSchema,
        slaPolicies: SectionChangesSchema,
        businessHours: SectionChangesSchema,
        pods: SectionChangesSchema,
      }),
      settings: z.array(z.string()).describe('The other top-level settings (priorities, email, webForm, triage, ...) that differ.'),
    }),
  });

  const WebToCaseResultSchema = z.object({ caseId: z.string(), caseNumber: z.string(), status: z.enum(CASE_STATUSES) });

  const WebFormOptionsSchema = z
    .object({
      language: z.string().describe('The language chosen for this request (`?lang=`, then Accept-Language, then the default).'),
      defaultLanguage: z.string(),
      languages: z.array(z.object({ code: z.string(), name: z.string() })).describe('The languages of the acknowledgement templates: the form speaks them.'),
      types: z.array(z.object({ id: z.string(), label: z.string() })).describe('Request types, labelled in `language`.'),
      products: z
        .array(z.object({ id: z.string(), label: z.string() }))
        .optional()
        .describe('Products, when the configuration names them (else free text).'),
      typesRestricted: z.boolean().describe('A submission must name one of `types` (the configuration names them).'),
      productsRestricted: z.boolean(),
    })
    .describe("The web form's languages and choices, for customers' own front ends.");

  const StatusViewSchema = z
    .object({
      caseNumber: z.string(),
      subject: z.string(),
      status: z.enum(['received', 'in_progress', 'waiting', 'resolved', 'closed']).describe('Where the case is, in words for the customer.'),
      createdAt: instant,
      updatedAt: instant,
      linkExpiresAt: instant.describe('When this link stops working; the next email from us brings a fresh one.'),
      messages: z.array(
        z.object({
          direction: z.enum(['inbound', 'outbound']).describe('`inbound`: the customer wrote it; `outbound`: we did.'),
          from: z.string(),
          text: z.string(),
          at: instant,
          attachments: z.array(z.object({ name: z.string(), size: z.number() })),
        }),
      ),
    })
    .describe('A case as its customer sees it: never internal notes, events, decisions, owner or queue.');

  const UploadGrantSchema = z
    .object({
      key: z.string().describe('Name it in the reply (`uploads[].key`).'),
      method: z.literal('POST'),
      url: z
        .string()
        .describe(
          'Send a multipart/form-data POST here: every field of `fields`, then the file as `file`. A pre-signed S3 POST in AWS, a signed route of the local stack locally.',
        ),
      fields: z.record(z.string(), z.string()).describe('Form fields to send first, as they are (the signed policy among them).'),
      maxBytes: z.number().int().describe('The largest body the upload takes: the size declared.'),
      expiresAt: instant.describe('The upload must start before this (five minutes).'),
    })
    .describe('A short-lived upload of one file for a reply.');

  const AttachmentLinkSchema = z
    .object({
      url: z.string().describe('Works for a few minutes, without a token: a pre-signed S3 GET in AWS, a signed route of the local stack locally.'),
      name: z.string(),
      contentType: z.string().describe('As stored, except types a browser would run (HTML, SVG, XML, script), given as application/octet-stream.'),
      size: z.number(),
      expiresAt: instant,
    })
    .describe('A short-lived download link for one attachment.');

  const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });

  /** Named schemas of the document's components, read as output (REQUEST_COMPONENTS below are read as input). */
  const RESPONSE_COMPONENTS = {
    Error: ErrorSchema,
    FieldError: FieldErrorSchema,
    GatewayError: GatewayErrorSchema,
    Case: CaseSchema,
    CaseDetail: CaseDetailSchema,
    CaseList: CaseListSchema,
    Message: MessageSchema,
    Event: EventSchema,
    Decision: DecisionSchema,
    Swarm: SwarmSchema,
    SwarmMember: SwarmMemberSchema,
    SwarmMembershipResult: SwarmMembershipResultSchema,
    Expert: ExpertSchema,
    AgentState: AgentStateSchema,
    AgentMe: AgentMeSchema,
    AgentList: AgentListSchema,
    PresenceResult: PresenceResultSchema,
    NextCase: NextCaseSchema,
    DeclineResult: DeclineResultSchema,
    NoteResult: NoteResultSchema,
    ReplyResult: ReplyResultSchema,
    SwarmResult: SwarmResultSchema,
    Health: HealthSchema,
    WebFormOptions: WebFormOptionsSchema,
    StatusView: StatusViewSchema,
    AttachmentLink: AttachmentLinkSchema,
    UploadGrant: UploadGrantSchema,
    StoredConfiguration: StoredConfigSchema,
    ConfigurationApplied: ConfigAppliedSchema,
    ConfigurationDryRun: ConfigDryRunSchema,
    WebToCaseResult: WebToCaseResultSchema,
    OpenApiDocument: OpenApiDocumentSchema,
  } as const;

  return {
    FieldErrorSchema,
    ErrorSchema,
    GatewayErrorSchema,
    SwarmMemberSchema,
    SwarmSchema,
    CaseSchema,
    MessageSchema,
    EventSchema,
    DecisionSchema,
    CaseDetailSchema,
    CaseListSchema,
    AgentStateSchema,
    AgentMeSchema,
    AgentListSchema,
    PresenceResultSchema,
    NextCaseSchema,
    DeclineResultSchema,
    NoteResultSchema,
    ReplyResultSchema,
    ExpertSchema,
    SwarmResultSchema,
    SwarmMembershipResultSchema,
    HealthSchema,
    StoredConfigSchema,
    ConfigAppliedSchema,
    ConfigDryRunSchema,
    WebToCaseResultSchema,
    WebFormOptionsSchema,
    StatusViewSchema,
    AttachmentLinkSchema,
    UploadGrantSchema,
    OpenApiDocumentSchema,
    REQUEST_COMPONENTS,
    RESPONSE_COMPONENTS,
  };
}

/** The response schemas as buildResponseSchemas returns them. */
export type ResponseSchemas = ReturnType<typeof buildResponseSchemas>;

/** The response schemas and RESPONSE_COMPONENTS, built on the first call and kept (docs/costs.md#cold-start). */
export const responseSchemas: () => ResponseSchemas = once(buildResponseSchemas);

/** Named schemas of the document's components: request bodies are read as input, responses (responseSchemas) as output. */
export const REQUEST_COMPONENTS = {
  CreateCaseRequest: CreateCaseBody,
  StatusChangeRequest: StatusBody,
  PriorityChangeRequest: PriorityBody,
  ClassificationRequest: ClassificationBody,
  NoteRequest: NoteBody,
  ReassignRequest: ReassignBody,
  ReplyRequest: ReplyBody,
  SwarmRequest: SwarmBody,
  DeclineRequest: DeclineBody,
  PresenceRequest: PresenceBody,
  RoutingConfiguration: ConfigBody,
  WebSubmission: WebToCaseBody,
  StatusMessageRequest: StatusMessageBody,
  UploadRequest: UploadBody,
} as const;
