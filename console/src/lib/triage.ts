/**
 * What automatic triage did to a case, in words an agent reads: on the case (the fields it filled and
 * any correction since) and on the `triaged` event (every prediction, filled or not, and why).
 * docs/triage.md#in-the-workflow describes the records.
 */
import type { components } from '../api/schema';

type Marks = NonNullable<components['schemas']['Case']['triage']>;

const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${Math.round(x * 100)} %` : '?');

/** The fields triage filled on this case: "type billing (97 % sure) · corrected to delivery by mia". */
export function triageMarks(marks: Marks): string[] {
  return Object.entries(marks.fields).map(([field, mark]) => {
    const corrected =
      typeof mark.correctedTo === 'string' ? ` · corrected to ${mark.correctedTo}${typeof mark.correctedBy === 'string' ? ` by ${mark.correctedBy}` : ''}` : '';
    return `${field} ${mark.value} (${pct(mark.confidence)} sure, model ${marks.modelVersion})${corrected}`;
  });
}

interface Verdict {
  prediction?: unknown;
  confidence?: unknown;
  threshold?: unknown;
  applied?: unknown;
  reason?: unknown;
  words?: unknown;
}

/** The `triaged` event's details, one line per field predicted, then a review or a skip if any. */
export function triagedLines(details: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const fields = details.fields && typeof details.fields === 'object' ? (details.fields as Record<string, Verdict>) : {};
  for (const [field, v] of Object.entries(fields)) {
    if (!v || typeof v !== 'object') continue;
    const words = Array.isArray(v.words)
      ? v.words
          .slice(0, 3)
          .map((w) => (w && typeof w === 'object' && 'word' in w ? String((w as { word: unknown }).word) : ''))
          .filter(Boolean)
      : [];
    const needed = typeof v.threshold === 'number' ? `, needs ${pct(v.threshold)}` : '';
    const outcome = v.applied === true ? 'filled' : 'not filled';
    const reason = typeof v.reason === 'string' ? `: ${v.reason}` : '';
    const cue = words.length ? ` (words: ${words.join(', ')})` : '';
    lines.push(`${field}: ${String(v.prediction)} at ${pct(v.confidence)}${needed}, ${outcome}${reason}${cue}`);
  }
  if (typeof details.review === 'string') lines.push(`sent to review: ${details.review}`);
  if (typeof details.skipped === 'string') lines.push(`skipped: ${details.skipped}`);
  return lines;
}
