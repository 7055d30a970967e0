import type { CaseEvent } from '../events.js';
import { miningEventsFromCaseEvents } from './case-events.js';
import { groupTraces, type MiningEvent } from './event-log.js';
import { escapeXml } from './xml.js';

/**
 * IEEE 1849-2016 XES: one `<trace>` per case, one `<event>` per event, with the standard
 * extensions' keys (concept:name, time:timestamp, org:resource, org:group, lifecycle:transition).
 * Our events are instants, so every event is a `complete` transition. Other attributes are strings.
 */

const EXTENSIONS = [
  ['Concept', 'concept', 'http://www.xes-standard.org/concept.xesext'],
  ['Time', 'time', 'http://www.xes-standard.org/time.xesext'],
  ['Organizational', 'org', 'http://www.xes-standard.org/org.xesext'],
  ['Lifecycle', 'lifecycle', 'http://www.xes-standard.org/lifecycle.xesext'],
] as const;

const TRACE_PREFIX = 'case:';
/** Written from the event's own fields; an attribute of the same key would make a duplicate key. */
const STANDARD_EVENT_KEYS = new Set(['concept:name', 'time:timestamp', 'lifecycle:transition', 'org:resource', 'org:group']);

const attr = (type: string, key: string, value: string) => `<${type} key="${escapeXml(key)}" value="${escapeXml(value)}"/>`;

export interface XesExportOptions {
  /** The log's concept:name. */
  logName?: string;
}

export function eventsToXes(events: readonly MiningEvent[], options: XesExportOptions = {}): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">',
    ...EXTENSIONS.map(([name, prefix, uri]) => `  <extension name="${name}" prefix="${prefix}" uri="${uri}"/>`),
    '  <global scope="trace">',
    `    ${attr('string', 'concept:name', '__INVALID__')}`,
    '  </global>',
    '  <global scope="event">',
    `    ${attr('string', 'concept:name', '__INVALID__')}`,
    `    ${attr('date', 'time:timestamp', '1970-01-01T00:00:00.000Z')}`,
    `    ${attr('string', 'lifecycle:transition', 'complete')}`,
    '  </global>',
    '  <classifier name="Activity" keys="concept:name"/>',
    '  <classifier name="Resource" keys="org:resource"/>',
    `  ${attr('string', 'concept:name', options.logName ?? 'caseflow')}`,
  ];
  for (const trace of groupTraces(events)) {
    out.push('  <trace>', `    ${attr('string', 'concept:name', trace.caseId)}`);
    // Flattened logs carry trace attributes on every event as `case:<key>` (PM4Py's convention): put them back on the trace.
    for (const [key, value] of Object.entries(trace.events[0]?.attributes ?? {})) {
      if (key.startsWith(TRACE_PREFIX) && key !== `${TRACE_PREFIX}concept:name`) out.push(`    ${attr('string', key.slice(TRACE_PREFIX.length), value)}`);
    }
    for (const e of trace.events) {
      out.push('    <event>');
      out.push(`      ${attr('string', 'concept:name', e.activity)}`);
      out.push(`      ${attr('date', 'time:timestamp', new Date(e.timestamp).toISOString())}`);
      out.push(`      ${attr('string', 'lifecycle:transition', 'complete')}`);
      if (e.resource !== undefined) out.push(`      ${attr('string', 'org:resource', e.resource)}`);
      if (e.group !== undefined) out.push(`      ${attr('string', 'org:group', e.group)}`);
      for (const [key, value] of Object.entries(e.attributes)) {
        if (key.startsWith(TRACE_PREFIX) || STANDARD_EVENT_KEYS.has(key)) continue;
        out.push(`      ${attr('string', key, value)}`);
      }
      out.push('    </event>');
    }
    out.push('  </trace>');
  }
  out.push('</log>', '');
  return out.join('\n');
}

export function caseEventsToXes(events: readonly CaseEvent[], options: XesExportOptions = {}): string {
  return eventsToXes(miningEventsFromCaseEvents(events), options);
}
