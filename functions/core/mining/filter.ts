import type { Trace } from './event-log.js';

/**
 * Case filters, named after what an analyst asks for. The endpoint filter (Disco's "Endpoints",
 * PM4Py's start/end-activity filters) keeps completed cases only: logs extracted for a time window
 * cut cases that began before it or were still open at its end, and those half cases distort
 * variants and durations. The helpdesk analysis keeps cases that start with "Assign seriousness"
 * or "Insert ticket" and end with "Closed".
 */
export interface TraceFilter {
  /** Keep cases whose first activity is one of these. */
  startActivities?: readonly string[];
  /** Keep cases whose last activity is one of these. */
  endActivities?: readonly string[];
  /** Keep cases in which at least one of these activities occurs. */
  containsAny?: readonly string[];
  /** Drop cases in which any of these activities occurs. */
  containsNone?: readonly string[];
}

export function isEmptyFilter(filter: TraceFilter): boolean {
  return !filter.startActivities && !filter.endActivities && !filter.containsAny && !filter.containsNone;
}

export function filterTraces(traces: readonly Trace[], filter: TraceFilter): Trace[] {
  const starts = filter.startActivities ? new Set(filter.startActivities) : undefined;
  const ends = filter.endActivities ? new Set(filter.endActivities) : undefined;
  const any = filter.containsAny ? new Set(filter.containsAny) : undefined;
  const none = filter.containsNone ? new Set(filter.containsNone) : undefined;
  return traces.filter((t) => {
    const first = t.events[0];
    const last = t.events[t.events.length - 1];
    if (!first || !last) return false;
    if (starts && !starts.has(first.activity)) return false;
    if (ends && !ends.has(last.activity)) return false;
    if (any && !t.events.some((e) => any.has(e.activity))) return false;
    if (none && t.events.some((e) => none.has(e.activity))) return false;
    return true;
  });
}

/**
 * Reads the CLI's filter expressions: `start=A|B`, `end=C`, `contains=D|E`, `lacks=F`. Several
 * expressions combine with AND; `|` separates alternatives because activity names contain spaces
 * and commas but, in every log we know, no pipe.
 */
export function parseFilterExpressions(expressions: readonly string[]): TraceFilter {
  const filter: TraceFilter = {};
  for (const expression of expressions) {
    const eq = expression.indexOf('=');
    if (eq < 0) throw new FilterSyntaxError(expression);
    const key = expression.slice(0, eq).trim().toLowerCase();
    const values = expression
      .slice(eq + 1)
      .split('|')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    if (values.length === 0) throw new FilterSyntaxError(expression);
    switch (key) {
      case 'start':
        filter.startActivities = [...(filter.startActivities ?? []), ...values];
        break;
      case 'end':
        filter.endActivities = [...(filter.endActivities ?? []), ...values];
        break;
      case 'contains':
        filter.containsAny = [...(filter.containsAny ?? []), ...values];
        break;
      case 'lacks':
        filter.containsNone = [...(filter.containsNone ?? []), ...values];
        break;
      default:
        throw new FilterSyntaxError(expression);
    }
  }
  return filter;
}

export function describeFilter(filter: TraceFilter): string {
  const parts: string[] = [];
  if (filter.startActivities) parts.push(`starts with ${filter.startActivities.join(' | ')}`);
  if (filter.endActivities) parts.push(`ends with ${filter.endActivities.join(' | ')}`);
  if (filter.containsAny) parts.push(`contains ${filter.containsAny.join(' | ')}`);
  if (filter.containsNone) parts.push(`lacks ${filter.containsNone.join(' | ')}`);
  return parts.length ? parts.join(' AND ') : 'none';
}

export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
  constructor(expression: string) {
    super(`cannot read filter "${expression}": use start=A|B, end=C, contains=D or lacks=E`);
  }
}
