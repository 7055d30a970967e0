/**
 * Email intake: an S3 event (the raw-mail bucket's notification in AWS; the same shape from the local
 * SMTP listener) ▶ makeReceiveEmail for each object ▶ a summary. An adapter only.
 *
 * A failure throws, so Lambda retries the event and then sends it to the DLQ (`npm run redrive`
 * replays it). The raw message is never touched on failure; a retry is safe because every write is
 * deduplicated by Message-ID and content hash.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { intakeFailure } from '../core/metrics.js';
import type { ReceiveEmailResult } from '../core/use-cases/receive-email.js';
import type { AppDeps } from '../composition/deps.js';
import { makeEmailIntake } from '../composition/email-intake.js';
import { awsEmailDeps } from '../composition/lambda.js';
import { lazy } from '../runtime/lambda.js';
import { logger } from '../runtime/observability.js';

/** The part of an S3 event notification intake reads (object-created records). */
export const S3EventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string().optional(),
        s3: z.object({
          bucket: z.object({ name: z.string().min(1) }),
          object: z.object({ key: z.string().min(1), size: z.number().optional() }),
        }),
      }),
    )
    .min(1),
});
export type S3ObjectEvent = z.infer<typeof S3EventSchema>;

/** S3 URL-encodes keys in notifications, with `+` for spaces. */
export function objectKeyOf(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** The event S3 sends for one new object; the local SMTP listener and redrive build the same. */
export function s3ObjectCreatedEvent(bucket: string, key: string, size?: number): S3ObjectEvent {
  return {
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: {
          bucket: { name: bucket },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), ...(size !== undefined ? { size } : {}) },
        },
      },
    ],
  };
}

export interface IntakeEmailResult {
  results: (ReceiveEmailResult & { key: string })[];
}

export function createHandler(deps: AppDeps) {
  const receiveEmail = makeEmailIntake(deps);

  return async function intakeEmail(event: unknown, _context?: Context): Promise<IntakeEmailResult> {
    const parsed = S3EventSchema.safeParse(event);
    if (!parsed.success) {
      // Not retryable: a malformed event will not improve. Logged for the operator and dropped.
      logger.error('not an S3 object event', { issues: parsed.error.issues.slice(0, 5) });
      return { results: [] };
    }
    const results: IntakeEmailResult['results'] = [];
    const failures: unknown[] = [];
    for (const record of parsed.data.Records) {
      const key = objectKeyOf(record.s3.object.key);
      try {
        const result = await receiveEmail(key);
        results.push({ key, ...result });
        logger.info('email processed', {
          key,
          outcome: result.outcome,
          caseId: result.caseId,
          caseNumber: result.caseNumber,
          acknowledged: result.acknowledged,
        });
      } catch (error) {
        logger.error('email intake failed; the raw message stays in place for the retry', { key, error: error as Error });
        failures.push(error);
        deps.metrics.record([intakeFailure('email')]);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} messages failed`);
    return { results };
  };
}

export const handler = lazy(() => createHandler(awsEmailDeps()));
