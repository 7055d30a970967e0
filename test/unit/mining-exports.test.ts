import { parse as parseCsv } from 'csv-parse/sync';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { elkLayout } from '../../bin/mine/layout-elk.js';
import { renderProcessMap } from '../../bin/mine/process-map.js';
import type { CaseMessage, CaseRecord } from '../../functions/core/case.js';
import type { CaseEvent } from '../../functions/core/events.js';
import { type StoredEvent, storedEvent } from '../support/fixtures.js';
import { analyseTraces } from '../../functions/core/mining/analysis.js';
import { miningEventsFromCaseEvents } from '../../functions/core/mining/case-events.js';
import { groupTraces } from '../../functions/core/mining/event-log.js';
import { caseEventsToCsv, csvField } from '../../functions/core/mining/export-csv.js';
import { type caseEventsToOcel, caseEventsToOcelJson, ocelProblems } from '../../functions/core/mining/export-ocel.js';
import { caseEventsToXes } from '../../functions/core/mining/export-xes.js';
import { escapeXml } from '../../functions/core/mining/xml.js';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses XML strictly (saxes rejects anything not well-formed) into a small element tree. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false });
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.on('opentag', (node) => {
    const el: XmlElement = { name: node.name, attributes: node.attributes as Record<string, string>, children: [], text: '' };
    stack[stack.length - 1]!.children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1]!.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('error', (e) => {
    throw e;
  });
  parser.write(xml).close();
  return root.children[0]!;
}

const all = (el: XmlElement, name: string): XmlElement[] => [...el.children.filter((c) => c.name === name), ...el.children.flatMap((c) => all(c, name))];
const attr = (el: XmlElement, key: string) => el.children.find((c) => c.attributes.key === key)?.attributes.value;

const agent = (id: string) => ({ kind: 'agent' as const, id });
const SYSTEM = { kind: 'system' as const, id: 'caseflow' };
const CUSTOMER = { kind: 'customer' as const, id: 'ann@example.com' };

/** Two cases' histories, with the awkward characters a real subject or reason can carry. */
/** Stored events, some as older versions wrote them (fewer or other details than today's writers). */
const STORED: StoredEvent[] = [
  {
    eventId: 'e1',
    caseId: 'c1',
    activity: 'case_created',
    at: '2026-11-23T10:00:00.000Z',
    actor: CUSTOMER,
    details: { channel: 'web', caseNumber: '00001000' },
  },
  {
    eventId: 'e2',
    caseId: 'c1',
    activity: 'territory_stamped',
    at: '2026-11-23T10:00:01.000Z',
    actor: SYSTEM,
    details: { territory: 'emea', queue: 'support' },
  },
  {
    eventId: 'e3',
    caseId: 'c1',
    activity: 'assigned',
    at: '2026-11-23T10:00:02.000Z',
    actor: SYSTEM,
    details: { owner: 'luke', queue: 'support', method: 'least_busy', reasons: ['a', 'b'], racesLost: 0 },
  },
  {
    eventId: 'e4',
    caseId: 'c1',
    activity: 'status_changed',
    at: '2026-11-23T10:05:00.000Z',
    actor: agent('luke'),
    details: { from: 'assigned', to: 'in_progress' },
  },
  {
    eventId: 'e5',
    caseId: 'c1',
    activity: 'status_changed',
    at: '2026-11-23T11:00:00.000Z',
    actor: agent('luke'),
    details: { from: 'in_progress', to: 'resolved', comment: 'Fixed, "quoted",\r\nnext line & <tag> \u0007bell' },
  },
  { eventId: 'e6', caseId: 'c2', activity: 'case_created', at: '2026-11-23T09:00:00.000Z', actor: CUSTOMER, details: { channel: 'email', messageId: 'm1' } },
  {
    eventId: 'e7',
    caseId: 'c2',
    activity: 'sent_to_review',
    at: '2026-11-23T09:00:05.000Z',
    actor: SYSTEM,
    details: { reason: 'no_territory', queue: 'review' },
  },
];
const EVENTS: CaseEvent[] = STORED.map(storedEvent);

describe('CaseEvent ▶ mining events', () => {
  it('names status changes by their target, hides customer addresses and carries the queue forward', () => {
    const events = miningEventsFromCaseEvents(EVENTS);
    expect(events.map((e) => e.activity)).toEqual([
      'case_created',
      'territory_stamped',
      'assigned',
      'status_changed:in_progress',
      'status_changed:resolved',
      'case_created',
      'sent_to_review',
    ]);
    expect(events.map((e) => e.resource)).toEqual(['customer', 'caseflow', 'caseflow', 'luke', 'luke', 'customer', 'caseflow']);
    expect(events.map((e) => e.group)).toEqual([undefined, 'support', 'support', 'support', 'support', undefined, 'review']);
    expect(JSON.stringify(events)).not.toContain('ann@example.com');
    expect(events[2]!.attributes).toEqual({ event_id: 'e3', actor_kind: 'system', owner: 'luke', method: 'least_busy', racesLost: '0' });
  });
});

describe('CSV export', () => {
  it('quotes by RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('round-trips through a CSV parser', () => {
    const csv = caseEventsToCsv(EVENTS);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(EVENTS.length);
    expect(Object.keys(rows[0]!).slice(0, 5)).toEqual(['case_id', 'activity', 'timestamp', 'resource', 'queue']);
    const resolved = rows.find((r) => r.event_id === 'e5')!;
    expect(resolved.comment).toBe('Fixed, "quoted",\r\nnext line & <tag> \u0007bell');
    expect(resolved.activity).toBe('status_changed:resolved');
    expect(resolved.timestamp).toBe('2026-11-23T11:00:00.000Z');
    expect(rows.map((r) => r.case_id)).toEqual(['c1', 'c1', 'c1', 'c1', 'c1', 'c2', 'c2']);
  });
});

describe('XES export', () => {
  const xes = caseEventsToXes(EVENTS, { logName: 'test & <log>' });
  const log = parseXml(xes);

  it('is well-formed IEEE 1849 XML with one trace per case and one event per event', () => {
    expect(log.name).toBe('log');
    expect(log.attributes['xes.version']).toBe('1849-2016');
    expect(all(log, 'extension').map((e) => e.attributes.prefix)).toEqual(['concept', 'time', 'org', 'lifecycle']);
    const traces = all(log, 'trace');
    expect(traces.map((t) => attr(t, 'concept:name'))).toEqual(['c1', 'c2']);
    expect(traces.map((t) => all(t, 'event').length)).toEqual([5, 2]);
    expect(all(log, 'event')).toHaveLength(EVENTS.length);
    expect(attr(log, 'concept:name')).toBe('test & <log>');
  });

  it('writes the standard keys with proper types and escaping', () => {
    const events = all(log, 'event');
    const resolved = events.find((e) => attr(e, 'event_id') === 'e5')!;
    expect(attr(resolved, 'concept:name')).toBe('status_changed:resolved');
    expect(resolved.children.find((c) => c.attributes.key === 'time:timestamp')!.name).toBe('date');
    expect(attr(resolved, 'time:timestamp')).toBe('2026-11-23T11:00:00.000Z');
    expect(attr(resolved, 'org:resource')).toBe('luke');
    expect(attr(resolved, 'org:group')).toBe('support');
    expect(attr(resolved, 'lifecycle:transition')).toBe('complete');
    // The bell is not allowed in XML 1.0: replaced, everything else survives exactly.
    expect(attr(resolved, 'comment')).toBe('Fixed, "quoted",\r\nnext line & <tag> \uFFFDbell');
  });

  it('escapes every character XML gives a meaning to', () => {
    expect(escapeXml(`<a href="x">'&'</a>\t\n`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#9;&#10;');
    expect(escapeXml('\uD800 lone surrogate, \uD83D\uDE00 pair')).toBe('\uFFFD lone surrogate, \uD83D\uDE00 pair');
  });
});

describe('OCEL 2.0 export', () => {
  const cases = [
    {
      caseId: 'c1',
      caseNumber: '00001000',
      channel: 'web',
      status: 'resolved',
      priority: 'high',
      priorityRank: 1,
      subject: 's',
      description: 'd',
      contact: { email: 'ann@example.com' },
      queue: 'support',
      owner: 'luke',
      routing: { excludedAgents: [], attempts: 1 },
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T11:00:00.000Z',
      version: 5,
    },
  ] as CaseRecord[];
  const messages: CaseMessage[] = [
    {
      messageId: 'm1',
      caseId: 'c2',
      direction: 'inbound',
      from: 'bob@example.com',
      subject: 'Help',
      text: 'x',
      at: '2026-11-23T09:00:00.000Z',
      attachments: [],
      channel: 'email',
    },
  ];
  const json = caseEventsToOcelJson({ events: EVENTS, cases, messages });
  const doc = JSON.parse(json) as ReturnType<typeof caseEventsToOcel>;

  it('has the four top-level collections and passes the shape and reference checks', () => {
    expect(Object.keys(doc).sort()).toEqual(['eventTypes', 'events', 'objectTypes', 'objects']);
    expect(ocelProblems(doc)).toEqual([]);
    expect(doc.objectTypes.map((t) => t.name)).toEqual(['case', 'agent', 'queue', 'message']);
    expect(doc.eventTypes.map((t) => t.name)).toEqual([
      'assigned',
      'case_created',
      'sent_to_review',
      'status_changed:in_progress',
      'status_changed:resolved',
      'territory_stamped',
    ]);
    expect(doc.events).toHaveLength(EVENTS.length);
  });

  it('relates each event to its case, the acting agent, the owner, the queue and the message', () => {
    const objectIds = new Set(doc.objects.map((o) => o.id));
    for (const e of doc.events) {
      expect(e.relationships.some((r) => r.qualifier === 'case')).toBe(true);
      for (const r of e.relationships) expect(objectIds.has(r.objectId)).toBe(true);
    }
    const assigned = doc.events.find((e) => e.id === 'e3')!;
    expect(assigned.relationships).toEqual([
      { objectId: 'case:c1', qualifier: 'case' },
      { objectId: 'agent:luke', qualifier: 'owner' },
      { objectId: 'queue:support', qualifier: 'queue' },
    ]);
    expect(doc.events.find((e) => e.id === 'e4')!.relationships).toContainEqual({ objectId: 'agent:luke', qualifier: 'actor' });
    expect(doc.events.find((e) => e.id === 'e6')!.relationships).toContainEqual({ objectId: 'message:m1', qualifier: 'message' });
    expect(doc.objects.find((o) => o.id === 'message:m1')!.relationships).toEqual([{ objectId: 'case:c2', qualifier: 'case' }]);
    expect(doc.objects.find((o) => o.id === 'case:c1')!.attributes).toContainEqual({ name: 'status', time: '2026-11-23T11:00:00.000Z', value: 'resolved' });
    expect(json).not.toContain('ann@example.com');
  });

  it('types attributes and keeps each value to its declared type', () => {
    const assignedType = doc.eventTypes.find((t) => t.name === 'assigned')!;
    expect(assignedType.attributes).toEqual([
      { name: 'actorKind', type: 'string' },
      { name: 'method', type: 'string' },
      { name: 'racesLost', type: 'integer' },
    ]);
    expect(doc.events.find((e) => e.id === 'e3')!.attributes).toContainEqual({ name: 'racesLost', value: 0 });
  });

  it('catches broken documents (the check can fail)', () => {
    const broken = structuredClone(doc);
    broken.events[0]!.relationships.push({ objectId: 'case:nope', qualifier: 'case' });
    broken.events[1]!.type = 'undeclared';
    broken.objects.push({ ...broken.objects[0]! });
    const problems = ocelProblems(broken);
    expect(problems).toContain('event "e1": relationship to unknown object "case:nope"');
    expect(problems.some((p) => p.includes('undeclared type "undeclared"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('objects: duplicate id'))).toBe(true);
    expect(ocelProblems({ objectTypes: [], eventTypes: [] })).toEqual(['"objects" must be an array', '"events" must be an array']);
  });
});

describe('process map', async () => {
  const analysis = analyseTraces(groupTraces(miningEventsFromCaseEvents(EVENTS)));
  const svg = await renderProcessMap(analysis, { title: 'Our cases', subtitle: '2 cases' });
  const root = parseXml(svg);
  const texts = all(root, 'text').map((t) => t.text);

  it('is a well-formed SVG with every activity, start and end', () => {
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    for (const a of analysis.activities) expect(texts).toContain(a.activity);
    expect(all(root, 'title').map((t) => t.text)).toEqual(expect.arrayContaining(['start', 'end', 'Our cases']));
    expect(svg).not.toMatch(/href=|<script|<image/);
  });

  it('labels edges with frequency and median time, and hides rare edges on request', async () => {
    expect(svg).toContain('case_created → territory_stamped: 1 · median 1 s');
    const pruned = await renderProcessMap(analysis, { minEdgeCount: 2, title: 't' });
    expect(pruned).not.toContain('case_created → territory_stamped');
    expect(pruned).toContain('transitions below 2 hidden');
  });
});

describe('process-map layout', () => {
  it('lays out an empty graph', async () => {
    const layout = await elkLayout({ nodes: [], edges: [], startId: 'start', endId: 'end', margin: 20 });
    expect([...layout.edges.values()]).toEqual([]);
  });

  it('never overlaps two boxes and puts the start above and the end below everything', async () => {
    const ids = ['start', 'a', 'b', 'c', 'd', 'end'];
    const nodes = ids.map((id) => ({ id, width: id === 'start' || id === 'end' ? 30 : 120, height: 40 }));
    const pairs: [string, string, number][] = [
      ['start', 'a', 90],
      ['a', 'b', 80],
      ['b', 'c', 50],
      ['c', 'a', 20],
      ['b', 'd', 30],
      ['d', 'c', 25],
      ['a', 'd', 5],
      ['c', 'end', 90],
      ['d', 'b', 3],
    ];
    const edges = pairs.map(([from, to, weight], i) => ({ id: `e${i}`, from, to, weight, labelWidth: 60, labelHeight: 14, thickness: 3 }));
    const layout = await elkLayout({ nodes, edges, startId: 'start', endId: 'end', margin: 20 });
    const placed = ids.map((id) => ({ id, ...layout.nodes.get(id)!, w: nodes.find((n) => n.id === id)!.width, h: 40 }));
    for (const p of placed)
      for (const q of placed) {
        if (p.id >= q.id) continue;
        const apart = Math.abs(p.x - q.x) >= (p.w + q.w) / 2 || Math.abs(p.y - q.y) >= (p.h + q.h) / 2;
        expect(apart, `${p.id} and ${q.id} overlap`).toBe(true);
      }
    const start = layout.nodes.get('start')!;
    const end = layout.nodes.get('end')!;
    for (const p of placed) {
      if (p.id !== 'start') expect(p.y).toBeGreaterThan(start.y);
      if (p.id !== 'end') expect(p.y).toBeLessThan(end.y);
    }
    // The rare way back, c → a, is drawn climbing; the main flow a → b → c runs down.
    expect(layout.nodes.get('a')!.y).toBeLessThan(layout.nodes.get('b')!.y);
    expect(layout.nodes.get('b')!.y).toBeLessThan(layout.nodes.get('c')!.y);
    expect(layout.edges.size).toBe(edges.length);
  });
});
