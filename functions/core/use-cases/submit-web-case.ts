import { createHash } from 'node:crypto';
import type { CaseRecord, CaseStatus } from '../case.js';
import type { RoutingConfig } from '../config.js';
import { decideWebAcknowledgement, emailSettingsOf } from '../email-ack.js';
import { ConflictError, RateLimitedError, ValidationError } from '../errors.js';
import type { FieldIssue } from '../errors.js';
import { webFormChoices } from '../web-form-text.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import type { WebSubmission } from '../intake.js';
import { WEB_HONEYPOT_FIELD, firstMessage, newCase, webSubmissionToCase } from '../intake.js';
import type { Clock, IdGenerator, Sleep } from '../ports/clock.js';
import type { EmailStore } from '../ports/email-intake.js';
import type { CaseRepository } from '../ports/repositories.js';
import type { RateLimiter, SubmissionClaim, SubmissionClaims } from '../ports/submissions.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import type { makeAcknowledge } from './acknowledge.js';
import { loadConfig, type ConfigSource } from './load-config.js';

/**
 * When the configuration names the form's request types or products (`webForm`), a submission names
 * one of them or none (docs/web-form.md#types-and-products); otherwise they are free text.
 */
export function assertConfiguredChoices(submission: Pick<WebSubmission, 'type' | 'product'>, config: RoutingConfig): void {
  const choices = webFormChoices(config, 'en');
  const issues: FieldIssue[] = [];
  const check = (field: 'type' | 'product', list: readonly { value: string }[] | undefined) => {
    const value = submission[field];
    if (value && list && !list.some((c) => c.value === value)) {
      issues.push({ field, message: `must be one of ${list.map((c) => c.value).join(', ')}` });
    }
  };
  if (choices.restrictTypes) check('type', choices.types);
  if (choices.restrictProducts) check('product', choices.products);
  if (issues.length) throw new ValidationError(issues);
}

export interface WebIntakeLimits {
  perIp: number;
  perEmail: number;
  windowSeconds: number;
}

export interface SubmitWebCaseDeps {
  cases: CaseRepository;
  claims: SubmissionClaims;
  configs: ConfigSource;
  workflow: WorkflowStarter;
  rateLimiter: RateLimiter;
  clock: Clock;
  ids: IdGenerator;
  sleep: Sleep;
  limits: WebIntakeLimits;
  /**
   * Acknowledgements of web-form cases, as for email cases (the same templates, languages and loop
   * protection); absent where no mail can be sent.
   */
  acknowledgements?: {
    acknowledge: ReturnType<typeof makeAcknowledge>;
    contacts: Pick<EmailStore, 'getContact' | 'appendEvents'>;
    /** Sender when the configuration names none (EMAIL_FROM_ADDRESS in AWS). */
    defaultFromAddress?: string;
  };
}

export interface SubmitWebCaseResult {
  /**
   * `created`: a new case. `duplicate`: the same submission again (its key, or the same words within
   * the dedupe window), answered with what the first one got. `honeypot`: a bot filled the hidden
   * field; it is answered exactly as if a case had been created, and nothing but the answer is kept.
   */
  outcome: 'created' | 'duplicate' | 'honeypot';
  caseId: string;
  caseNumber: string;
  /**
   * Always `new`: the answer says what became of the submission when it was taken, not where the
   * case is now (a replay must not tell anyone holding the key how the case is being worked, and a
   * honeypot answer could not).
   */
  status: CaseStatus;
  /** An acknowledgement email went out for this submission (only ever for `created`). */
  acknowledged: boolean;
}

const MINUTE_MS = 60_000;
/** Idempotency keys outlive any sensible retry by a browser or an integration. */
const IDEMPOTENCY_HOLD_MS = 7 * 24 * 60 * MINUTE_MS;
/** Without a key, the same person sending the same words within this time of the first is one case. */
export const CONTENT_DEDUPE_WINDOW_MS = 10 * MINUTE_MS;
/** How long a claim holds its key while its attempt runs; a crashed attempt frees it after this. */
const CLAIM_LEASE_MS = 15_000;
/** A rate-limited key answers 429 on its own for at most this long, then asks the limiter again. */
const REFUSAL_HOLD_MS = MINUTE_MS;
/** Twins wait for the attempt holding their key this long at most (well inside the function's timeout). */
const MAX_WAIT_MS = 5_000;
/** Real submissions whose timing a honeypot answer copies, and the guess before there are any. */
const TIMING_SAMPLES = 32;
const DEFAULT_DECOY_MS = 40;

interface SubmissionKey {
  scope: string;
  key: string;
  /** How long a settled key answers replays. */
  holdMs: number;
}

const epochSeconds = (ms: number) => Math.ceil(ms / 1000);

/**
 * One web submission: rate limits, idempotency and content dedupe, the honeypot, the case.
 *
 * The submission's key (its idempotencyKey, else a hash of who sent which words) is claimed first
 * (SubmissionClaims). A key already settled is a replay: the same answer, and no rate-limit budget
 * spent. A key held by a concurrent twin is waited for, so any number of simultaneous first posts
 * settle to one case and replays. Only the attempt holding the claim spends budget.
 *
 * A honeypot submission goes the same way as a real one, through the same claim, limits and
 * number counter, so it gets the next case number, its replays answer 200 with that number, and its
 * answer takes about as long as a real one's (it waits out a duration drawn from recent real
 * submissions). Only no case, message, event or workflow is written: nothing a bot can observe
 * tells it that it was caught.
 */
export function makeSubmitWebCase(deps: SubmitWebCaseDeps) {
  /** How long recent real submissions took to write their case and start its workflow (ms). */
  const recent: number[] = [];
  /** How late this process's timers have woken lately (ms, a moving average). */
  let lateness = 0;

  const elapsedSince = (startMs: number) => Math.max(0, deps.clock.now().getTime() - startMs);

  async function replay(done: Extract<SubmissionClaim, { state: 'done' }>): Promise<SubmitWebCaseResult> {
    // Read the case for a decoy too, so that its replay costs what a real one does.
    const existing = await deps.cases.get(done.caseId);
    if (!existing && !done.decoy) throw new Error(`idempotency record points at missing case ${done.caseId}`);
    // The first request may have died between writing the case and starting its workflow;
    // starting again is harmless because executions are named after the case.
    if (existing?.status === 'new') await deps.workflow.startCase(existing.caseId);
    const caseNumber = existing?.caseNumber ?? done.caseNumber;
    if (!caseNumber) throw new Error(`idempotency record for ${done.caseId} has no case number`);
    return { outcome: 'duplicate', caseId: done.caseId, caseNumber, status: 'new', acknowledged: false };
  }

  /** Takes the key for this attempt, or answers as the attempt that holds it did. */
  async function acquire(key: SubmissionKey, token: string): Promise<SubmitWebCaseResult | undefined> {
    let waited = 0;
    for (let pause = 50; ; pause = Math.min(pause * 2, 400)) {
      const now = deps.clock.now();
      const held = await deps.claims.claim(key.scope, key.key, {
        token,
        now,
        leaseMs: CLAIM_LEASE_MS,
        expiresAt: epochSeconds(now.getTime() + key.holdMs),
      });
      if (held.state === 'claimed') return undefined;
      if (held.state === 'done') return replay(held);
      if (held.state === 'refused') {
        throw new RateLimitedError('too many submissions; try again later', Math.max(1, Math.ceil((held.retryAt - now.getTime()) / 1000)));
      }
      if (waited >= MAX_WAIT_MS) throw new ConflictError('the same submission is still being taken; send it again in a moment');
      await deps.sleep(pause);
      waited += pause;
    }
  }

  async function chargeLimits(key: SubmissionKey, token: string, email: string, clientIp: string, now: Date): Promise<void> {
    for (const [scope, who, limit] of [
      ['web-ip', clientIp, deps.limits.perIp],
      ['web-email', email, deps.limits.perEmail],
    ] as const) {
      const verdict = await deps.rateLimiter.hit(scope, who, limit, deps.limits.windowSeconds, now);
      if (!verdict.allowed) {
        const retryAt = now.getTime() + verdict.retryAfterSeconds * 1000;
        const holdUntil = Math.min(retryAt, now.getTime() + REFUSAL_HOLD_MS);
        await deps.claims.refuse(key.scope, key.key, token, { retryAt, holdUntil, expiresAt: epochSeconds(holdUntil) });
        throw new RateLimitedError(`too many submissions from this ${scope === 'web-ip' ? 'address' : 'email'}; try again later`, verdict.retryAfterSeconds);
      }
    }
  }

  return async function submitWebCase(submission: WebSubmission, meta: { clientIp: string }): Promise<SubmitWebCaseResult> {
    const email = submission.email.toLowerCase();
    const key: SubmissionKey = submission.idempotencyKey
      ? { scope: 'web', key: `${email}#${submission.idempotencyKey}`, holdMs: IDEMPOTENCY_HOLD_MS }
      : { scope: 'web-content', key: contentKey(submission, email), holdMs: CONTENT_DEDUPE_WINDOW_MS };
    const token = deps.ids.next();

    const answered = await acquire(key, token);
    if (answered) return answered;

    // This attempt holds the key: it settles it (a case, a decoy, a refusal) or frees it on failure.
    let settled = false;
    try {
      const now = deps.clock.now();
      const at = now.toISOString();
      const holdUntil = now.getTime() + key.holdMs;
      const expiresAt = epochSeconds(holdUntil);
      try {
        await chargeLimits(key, token, email, meta.clientIp, now);
      } catch (error) {
        settled = error instanceof RateLimitedError;
        throw error;
      }
      const config = await loadConfig(deps.configs);
      assertConfiguredChoices(submission, config);
      const caseNumber = await deps.cases.allocateCaseNumber();

      if (submission[WEB_HONEYPOT_FIELD]) {
        const decoyId = deps.ids.next();
        const started = deps.clock.now().getTime();
        await deps.claims.settleDecoy(key.scope, key.key, token, { caseId: decoyId, caseNumber, holdUntil, expiresAt });
        settled = true;
        await waitOut(decoyDuration(decoyId) - elapsedSince(started));
        return { outcome: 'honeypot', caseId: decoyId, caseNumber, status: 'new', acknowledged: false };
      }

      const c = newCase(webSubmissionToCase(submission), { ids: deps.ids, caseNumber, at, config });
      const actor = { kind: 'customer' as const, id: c.contact.email };
      const started = deps.clock.now().getTime();
      const result = await deps.cases.create({
        case: c,
        messages: [firstMessage(c, deps.ids.next())],
        events: [makeEvent(deps.ids, c.caseId, ACTIVITIES.created, at, actor, { channel: 'web', caseNumber })],
        idempotency: { scope: key.scope, key: key.key, expiresAt, claimToken: token, holdUntil },
      });
      settled = true;
      if (!result.created) return replay({ state: 'done', caseId: result.existingCaseId, decoy: false });

      await deps.workflow.startCase(c.caseId);
      const acknowledged = await acknowledge(c, config);
      // The acknowledgement's time counts too: a honeypot answer copies the whole of it.
      remember(elapsedSince(started));
      return { outcome: 'created', caseId: c.caseId, caseNumber: c.caseNumber, status: 'new', acknowledged };
    } finally {
      if (!settled) await deps.claims.release(key.scope, key.key, token).catch(() => undefined);
    }
  };

  /**
   * A new web-form case is acknowledged as an email case is (decideWebAcknowledgement, then the
   * shared acknowledge step with its hourly limit per address). The case is taken whatever happens
   * here: a refusal or a failed send is an event on the case, never a failed submission.
   */
  async function acknowledge(c: CaseRecord, config: RoutingConfig): Promise<boolean> {
    const ack = deps.acknowledgements;
    if (!ack) return false;
    const at = deps.clock.now().toISOString();
    const skipped = (reasons: string[]) =>
      ack.contacts.appendEvents([makeEvent(deps.ids, c.caseId, ACTIVITIES.acknowledgementSkipped, at, SYSTEM, { reasons })]);
    try {
      const settings = emailSettingsOf(config, ack.defaultFromAddress);
      const suppressed = (await ack.contacts.getContact(c.contact.email))?.suppressed;
      const decision = decideWebAcknowledgement({
        enabled: settings.acknowledgement.enabled,
        recipient: c.contact.email,
        ourAddresses: settings.ourAddresses,
        ...(suppressed ? { suppressed: { reason: suppressed.reason } } : {}),
      });
      if (!decision.send) {
        await skipped(decision.reasons);
        return false;
      }
      return await ack.acknowledge(c, settings);
    } catch (error) {
      await skipped([`the acknowledgement could not be sent: ${(error as Error)?.message ?? String(error)}`.slice(0, 500)]).catch(() => undefined);
      return false;
    }
  }

  /**
   * Waits `ms`, less what timers have lately overslept: a busy process wakes late, and a decoy that
   * overslept on top of copying a real duration would be slower than the real thing.
   */
  async function waitOut(ms: number): Promise<void> {
    const wanted = Math.max(0, ms - lateness);
    const before = deps.clock.now().getTime();
    await deps.sleep(wanted);
    lateness = Math.max(0, 0.8 * lateness + 0.2 * (elapsedSince(before) - wanted));
  }

  function remember(ms: number): void {
    recent.push(ms);
    if (recent.length > TIMING_SAMPLES) recent.shift();
  }

  /** A duration a real submission took lately, chosen by the decoy's (random) id. */
  function decoyDuration(decoyId: string): number {
    if (recent.length === 0) return DEFAULT_DECOY_MS;
    const pick = createHash('sha256').update(decoyId).digest().readUInt32BE(0) % recent.length;
    return recent[pick]!;
  }
}

/** The same person and the same words, whatever the whitespace around them (the schema trims). */
function contentKey(s: WebSubmission, email: string): string {
  return createHash('sha256')
    .update(JSON.stringify([email, s.subject, s.description]))
    .digest('hex');
}
