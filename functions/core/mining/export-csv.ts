import type { CaseEvent } from '../events.js';
import { miningEventsFromCaseEvents } from './case-events.js';
import { groupTraces, type MiningEvent } from './event-log.js';

/**
 * A flat event log as RFC 4180 CSV: CRLF line ends, a field is quoted when it holds a quote, a
 * separator or a line break, and quotes inside are doubled. Disco, Celonis, PM4Py and bupaR all
 * import it with case id / activity / timestamp / resource mapped by column name.
 */

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}

export interface CsvExportOptions {
  /** Header of the group column (`queue` for our cases, `team` elsewhere). */
  groupColumn?: string;
}

/** One row per event, grouped by case and ordered by time; attribute columns in order of first appearance. */
export function eventsToCsv(events: readonly MiningEvent[], options: CsvExportOptions = {}): string {
  const ordered = groupTraces(events).flatMap((t) => t.events);
  const attributeColumns: string[] = [];
  const known = new Set<string>();
  for (const e of ordered) {
    for (const key of Object.keys(e.attributes)) {
      if (!known.has(key)) {
        known.add(key);
        attributeColumns.push(key);
      }
    }
  }
  const header = ['case_id', 'activity', 'timestamp', 'resource', options.groupColumn ?? 'group', ...attributeColumns];
  const lines = [csvLine(header)];
  for (const e of ordered) {
    lines.push(
      csvLine([
        e.caseId,
        e.activity,
        new Date(e.timestamp).toISOString(),
        e.resource ?? '',
        e.group ?? '',
        ...attributeColumns.map((c) => e.attributes[c] ?? ''),
      ]),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function caseEventsToCsv(events: readonly CaseEvent[]): string {
  return eventsToCsv(miningEventsFromCaseEvents(events), { groupColumn: 'queue' });
}
