import { createHash } from 'node:crypto';
import type { CaseStatus } from '../case.js';
import { ACTIVITIES, makeEvent } from '../events.js';
import { RateLimitedError } from '../errors.js';
import type { WebSubmission } from '../intake.js';
import { WEB_HONEYPOT_FIELD, firstMessage, newCase, webSubmissionToCase } from '../intake.js';
import type { CaseRepository, Clock, IdGenerator, RateLimiter, WorkflowStarter } from '../ports.js';
import { loadConfig, type ConfigSource } from './load-config.js';

export interface WebIntakeLimits {
  perIp: number;
  perEmail: number;
  windowSeconds: number;
}

export interface SubmitWebCaseDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  workflow: WorkflowStarter;
  rateLimiter: RateLimiter;
  clock: Clock;
  ids: IdGenerator;
  limits: WebIntakeLimits;
}

export interface SubmitWebCaseResult {
  /** `honeypot`: a bot filled the hidden field; it is told "created" and nothing is written. */
  outcome: 'created' | 'duplicate' | 'honeypot';
  caseId: string;
  caseNumber: string;
  status: CaseStatus;
}

/** Idempotency records outlive any sensible retry by a browser or an integration. */
const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;
/** Without a key, the same person sending the same words within this window is one case. */
const CONTENT_DEDUPE_WINDOW_SECONDS = 10 * 60;

export function makeSubmitWebCase(deps: SubmitWebCaseDeps) {
  async function replay(caseId: string): Promise<SubmitWebCaseResult> {
    const existing = await deps.cases.get(caseId);
    if (!existing) throw new Error(`idempotency record points at missing case ${caseId}`);
    // The first request may have died between writing the case and starting its workflow;
    // starting again is harmless because executions are named after the case.
    if (existing.status === 'new') await deps.workflow.startCase(existing.caseId);
    return { outcome: 'duplicate', caseId: existing.caseId, caseNumber: existing.caseNumber, status: existing.status };
  }

  return async function submitWebCase(submission: WebSubmission, meta: { clientIp: string }): Promise<SubmitWebCaseResult> {
    const now = deps.clock.now();
    const at = now.toISOString();
    const email = submission.email.toLowerCase();

    for (const [scope, key, limit] of [
      ['web-ip', meta.clientIp, deps.limits.perIp],
      ['web-email', email, deps.limits.perEmail],
    ] as const) {
      const verdict = await deps.rateLimiter.hit(scope, key, limit, deps.limits.windowSeconds, now);
      if (!verdict.allowed) {
        throw new RateLimitedError(`too many submissions from this ${scope === 'web-ip' ? 'address' : 'email'}; try again later`, verdict.retryAfterSeconds);
      }
    }

    if (submission[WEB_HONEYPOT_FIELD]) {
      const fake = deps.ids.next();
      return { outcome: 'honeypot', caseId: fake, caseNumber: plausibleNumber(fake), status: 'new' };
    }

    const config = await loadConfig(deps.configs);
    const idempotency = submission.idempotencyKey
      ? { scope: 'web', key: `${email}#${submission.idempotencyKey}` }
      : { scope: 'web-content', key: contentKey(submission, email, now) };

    // A replay that arrives after the first request finished is answered without spending a
    // case number; only truly concurrent twins race in the transaction below.
    const earlier = await deps.cases.findIdempotent(idempotency.scope, idempotency.key);
    if (earlier) return replay(earlier);

    const caseNumber = await deps.cases.allocateCaseNumber();
    const c = newCase(webSubmissionToCase(submission), { ids: deps.ids, caseNumber, at, config });
    const actor = { kind: 'customer' as const, id: c.contact.email };
    const result = await deps.cases.create({
      case: c,
      messages: [firstMessage(c, deps.ids.next())],
      events: [makeEvent(deps.ids, c.caseId, ACTIVITIES.created, at, actor, { channel: 'web', caseNumber })],
      idempotency: { ...idempotency, expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS },
    });

    if (!result.created) return replay(result.existingCaseId);

    await deps.workflow.startCase(c.caseId);
    return { outcome: 'created', caseId: c.caseId, caseNumber: c.caseNumber, status: c.status };
  };
}

function contentKey(s: WebSubmission, email: string, now: Date): string {
  const bucket = Math.floor(now.getTime() / 1000 / CONTENT_DEDUPE_WINDOW_SECONDS);
  return createHash('sha256')
    .update(JSON.stringify([email, s.subject, s.description, bucket]))
    .digest('hex');
}

function plausibleNumber(seed: string): string {
  const digits = createHash('sha256').update(seed).digest().readUInt32BE(0) % 9_000_000;
  return String(1_000_000 + digits).padStart(8, '0');
}
