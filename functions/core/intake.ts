import { z } from 'zod';
import type { CaseMessage, CaseRecord } from './case.js';
import type { Channel, RoutingConfig } from './config.js';
import { priorityRank } from './config.js';
import { parseOrThrow } from './field-issues.js';
import type { IdGenerator } from './ports/clock.js';

/**
 * What a customer submits through the web form. One schema serves the JSON API, the HTML form
 * post and the OpenAPI document. Strings are trimmed; empty optional fields count as absent.
 */
const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v), z.string().max(max).optional());

export const WEB_HONEYPOT_FIELD = 'website';

export const WebSubmissionSchema = z.object({
  name: optionalText(200),
  // Internationalised addresses (user@пример.рф) are real customers; a dot in the domain is still required.
  email: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string()
      // abort: an empty address is missing, not also malformed (one message per field).
      .min(1, { error: 'is required', abort: true })
      .max(254, { error: 'is too long (at most 254 characters)', abort: true })
      .refine((e) => z.regexes.unicodeEmail.test(e) && /@[^@]+\.[^@.]+$/u.test(e), 'must be an email address'),
  ),
  phone: optionalText(40),
  company: optionalText(200),
  country: optionalText(100),
  region: optionalText(100),
  postalCode: optionalText(20),
  subject: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string().min(1, 'is required').max(300)),
  description: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string().min(1, 'is required').max(20_000)),
  product: optionalText(100),
  type: optionalText(100),
  severity: optionalText(40),
  language: optionalText(20),
  idempotencyKey: optionalText(128),
  /** Honeypot: hidden from people, filled in by bots. */
  [WEB_HONEYPOT_FIELD]: optionalText(2000),
});
export type WebSubmission = z.infer<typeof WebSubmissionSchema>;

/** Validates a submission, naming every invalid field at once, each with one message. */
export function parseWebSubmission(input: unknown): WebSubmission {
  return parseOrThrow(WebSubmissionSchema, input, { root: '(body)', requiredWhenMissing: true });
}

export interface NewCaseInput {
  channel: Channel;
  subject: string;
  description: string;
  contact: CaseRecord['contact'];
  account?: CaseRecord['account'];
  location?: CaseRecord['location'];
  product?: string;
  type?: string;
  severity?: string;
  language?: string;
}

/** A new case as intake writes it: status `new`, not yet stamped, prioritised or routed. */
export function newCase(
  input: NewCaseInput,
  deps: { ids: IdGenerator; caseNumber: string; at: string; config: Pick<RoutingConfig, 'priorities' | 'defaultPriority'> },
): CaseRecord {
  const priority = deps.config.defaultPriority;
  return {
    caseId: deps.ids.next(),
    caseNumber: deps.caseNumber,
    channel: input.channel,
    status: 'new',
    priority,
    priorityRank: priorityRank(deps.config, priority),
    subject: input.subject,
    description: input.description,
    contact: { ...input.contact, email: input.contact.email.trim().toLowerCase() },
    ...(input.account ? { account: input.account } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.product ? { product: input.product } : {}),
    ...(input.type ? { type: input.type } : {}),
    ...(input.severity ? { severity: input.severity } : {}),
    ...(input.language ? { language: input.language } : {}),
    routing: { excludedAgents: [], attempts: 0 },
    createdAt: deps.at,
    updatedAt: deps.at,
    version: 1,
  };
}

export function webSubmissionToCase(s: WebSubmission): NewCaseInput {
  const location = { country: s.country, region: s.region, postalCode: s.postalCode };
  const hasLocation = Object.values(location).some((v) => v !== undefined);
  return {
    channel: 'web',
    subject: s.subject,
    description: s.description,
    contact: { email: s.email, ...(s.name ? { name: s.name } : {}), ...(s.phone ? { phone: s.phone } : {}) },
    ...(s.company ? { account: { name: s.company } } : {}),
    ...(hasLocation ? { location: Object.fromEntries(Object.entries(location).filter(([, v]) => v !== undefined)) } : {}),
    product: s.product,
    type: s.type,
    severity: s.severity,
    language: s.language,
  };
}

/** The customer's words as the first message of the case. */
export function firstMessage(c: CaseRecord, messageId: string): CaseMessage {
  return {
    messageId,
    caseId: c.caseId,
    direction: 'inbound',
    from: c.contact.email,
    subject: c.subject,
    text: c.description,
    at: c.createdAt,
    attachments: [],
    channel: c.channel,
  };
}
