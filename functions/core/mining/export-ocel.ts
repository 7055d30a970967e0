import type { CaseMessage, CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';
import { activityOf, orderCaseEvents } from './case-events.js';

/**
 * OCEL 2.0 (object-centric event log) in its JSON serialisation: `objectTypes`, `eventTypes`,
 * `objects`, `events`. A case event touches several objects at once (the case, the agent who acted
 * or now owns it, the queue, the message it was about); a case-centric XES export flattens that
 * away, OCEL keeps it, so "which queues does work bounce between" is a query, not a re-export.
 *
 * Object ids are prefixed with their type (`case:…`, `agent:…`) because OCEL ids are global and an
 * agent may well be called like a queue. Event ids are our event ids.
 */

export type OcelAttributeType = 'string' | 'time' | 'integer' | 'float' | 'boolean';
export type OcelValue = string | number | boolean;

export interface OcelType {
  name: string;
  attributes: { name: string; type: OcelAttributeType }[];
}

export interface OcelRelationship {
  objectId: string;
  qualifier: string;
}

export interface OcelObject {
  id: string;
  type: string;
  /** Object attributes are time-stamped: the value holds from `time` on. */
  attributes: { name: string; time: string; value: OcelValue }[];
  relationships: OcelRelationship[];
}

export interface OcelEvent {
  id: string;
  type: string;
  time: string;
  attributes: { name: string; value: OcelValue }[];
  relationships: OcelRelationship[];
}

export interface OcelLog {
  objectTypes: OcelType[];
  eventTypes: OcelType[];
  objects: OcelObject[];
  events: OcelEvent[];
}

export const OCEL_OBJECT_TYPES = ['case', 'agent', 'queue', 'message'] as const;
type ObjectTypeName = (typeof OCEL_OBJECT_TYPES)[number];

export interface OcelInput {
  events: readonly CaseEvent[];
  /** Cases to describe (number, channel, priority, ...); cases only referenced by events get an id and nothing else. */
  cases?: readonly CaseRecord[];
  messages?: readonly CaseMessage[];
}

/** OCEL's convention for a value that holds from the beginning (a static attribute). */
const BEGINNING = '1970-01-01T00:00:00.000Z';

const objectId = (type: ObjectTypeName, id: string) => `${type}:${id}`;

function typeOf(value: OcelValue): OcelAttributeType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return 'string';
}

/** Detail keys that name objects become relationships, not attributes. */
const RELATION_DETAILS: Record<string, { type: ObjectTypeName; qualifier: string }> = {
  owner: { type: 'agent', qualifier: 'owner' },
  agentId: { type: 'agent', qualifier: 'agent' },
  queue: { type: 'queue', qualifier: 'queue' },
  messageId: { type: 'message', qualifier: 'message' },
};

export function caseEventsToOcel(input: OcelInput): OcelLog {
  const objects = new Map<string, OcelObject>();
  const ensure = (type: ObjectTypeName, id: string): OcelObject => {
    const key = objectId(type, id);
    let o = objects.get(key);
    if (!o) {
      o = { id: key, type, attributes: [], relationships: [] };
      objects.set(key, o);
    }
    return o;
  };
  const relate = (from: OcelObject, to: string, qualifier: string) => {
    if (!from.relationships.some((r) => r.objectId === to && r.qualifier === qualifier)) from.relationships.push({ objectId: to, qualifier });
  };

  const objectAttributeTypes = new Map<ObjectTypeName, Map<string, OcelAttributeType>>();
  const setAttr = (o: OcelObject, name: string, value: OcelValue | undefined, time: string) => {
    if (value === undefined || value === '') return;
    o.attributes.push({ name, time, value });
    const types = objectAttributeTypes.get(o.type as ObjectTypeName) ?? new Map<string, OcelAttributeType>();
    objectAttributeTypes.set(o.type as ObjectTypeName, types);
    const t = typeOf(value);
    types.set(name, types.has(name) && types.get(name) !== t ? 'string' : t);
  };

  for (const c of input.cases ?? []) {
    const o = ensure('case', c.caseId);
    setAttr(o, 'caseNumber', c.caseNumber, BEGINNING);
    setAttr(o, 'channel', c.channel, BEGINNING);
    setAttr(o, 'priority', c.priority, c.updatedAt);
    setAttr(o, 'status', c.status, c.updatedAt);
    setAttr(o, 'product', c.product, BEGINNING);
    setAttr(o, 'type', c.type, BEGINNING);
    setAttr(o, 'language', c.language, BEGINNING);
    setAttr(o, 'territory', c.territory, c.updatedAt);
    if (c.queue) relate(o, ensure('queue', c.queue).id, 'queue');
    if (c.owner) relate(o, ensure('agent', c.owner).id, 'owner');
  }
  for (const m of input.messages ?? []) {
    const o = ensure('message', m.messageId);
    setAttr(o, 'direction', m.direction, BEGINNING);
    setAttr(o, 'channel', m.channel, BEGINNING);
    setAttr(o, 'attachments', m.attachments.length, BEGINNING);
    relate(o, ensure('case', m.caseId).id, 'case');
  }

  const eventAttributeTypes = new Map<string, Map<string, OcelAttributeType>>();
  const events: OcelEvent[] = [];
  for (const e of orderCaseEvents(input.events)) {
    const type = activityOf(e);
    const caseObject = ensure('case', e.caseId);
    const relationships: OcelRelationship[] = [{ objectId: caseObject.id, qualifier: 'case' }];
    const addRelationship = (id: string, qualifier: string) => {
      if (!relationships.some((r) => r.objectId === id && r.qualifier === qualifier)) relationships.push({ objectId: id, qualifier });
    };
    if (e.actor.kind === 'agent') addRelationship(ensure('agent', e.actor.id).id, 'actor');
    const attributes: OcelEvent['attributes'] = [{ name: 'actorKind', value: e.actor.kind }];
    for (const [key, value] of Object.entries(e.details)) {
      const relation = RELATION_DETAILS[key];
      if (relation && typeof value === 'string' && value) {
        addRelationship(ensure(relation.type, value).id, relation.qualifier);
        continue;
      }
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes.push({ name: key, value });
    }
    const types = eventAttributeTypes.get(type) ?? new Map<string, OcelAttributeType>();
    eventAttributeTypes.set(type, types);
    for (const a of attributes) {
      const t = typeOf(a.value);
      types.set(a.name, types.has(a.name) && types.get(a.name) !== t ? 'string' : t);
    }
    events.push({ id: e.eventId, type, time: new Date(Date.parse(e.at)).toISOString(), attributes, relationships });
  }

  // A name declared as string after mixed values: write every value of it as a string too.
  const conform = (declared: Map<string, OcelAttributeType> | undefined, name: string, value: OcelValue): OcelValue =>
    declared?.get(name) === 'string' ? String(value) : value;
  for (const o of objects.values()) {
    const declared = objectAttributeTypes.get(o.type as ObjectTypeName);
    for (const a of o.attributes) a.value = conform(declared, a.name, a.value);
  }
  for (const ev of events) {
    const declared = eventAttributeTypes.get(ev.type);
    for (const a of ev.attributes) a.value = conform(declared, a.name, a.value);
  }

  const declare = (types: Map<string, OcelAttributeType> | undefined) =>
    [...(types ?? new Map<string, OcelAttributeType>())].map(([name, type]) => ({ name, type })).sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    objectTypes: OCEL_OBJECT_TYPES.map((name) => ({ name, attributes: declare(objectAttributeTypes.get(name)) })),
    eventTypes: [...eventAttributeTypes.keys()].sort().map((name) => ({ name, attributes: declare(eventAttributeTypes.get(name)) })),
    objects: [...objects.values()],
    events,
  };
}

export function caseEventsToOcelJson(input: OcelInput): string {
  return `${JSON.stringify(caseEventsToOcel(input), null, 2)}\n`;
}

/**
 * Checks a parsed document against the OCEL 2.0 JSON schema's shape and its referential rules:
 * the four top-level arrays, declared types for every event and object, declared attribute names
 * with values of the declared type, unique ids, relationships to existing objects, ISO 8601 times.
 * Returns the problems found (none ▶ valid).
 */
export function ocelProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(doc)) return ['the document is not a JSON object'];
  for (const key of ['objectTypes', 'eventTypes', 'objects', 'events']) {
    if (!Array.isArray(doc[key])) problems.push(`"${key}" must be an array`);
  }
  if (problems.length) return problems;
  const isTime = (v: unknown) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));
  const valueMatches = (type: string, v: unknown) =>
    type === 'string'
      ? typeof v === 'string'
      : type === 'integer'
        ? Number.isInteger(v)
        : type === 'float'
          ? typeof v === 'number'
          : type === 'boolean'
            ? typeof v === 'boolean'
            : type === 'time'
              ? isTime(v)
              : false;

  const readTypes = (key: 'objectTypes' | 'eventTypes') => {
    const types = new Map<string, Map<string, string>>();
    for (const t of doc[key] as unknown[]) {
      if (!isObject(t) || typeof t.name !== 'string' || !Array.isArray(t.attributes)) {
        problems.push(`${key}: every type needs a "name" and an "attributes" array`);
        continue;
      }
      if (types.has(t.name)) problems.push(`${key}: "${t.name}" is declared twice`);
      const attrs = new Map<string, string>();
      for (const a of t.attributes as unknown[]) {
        if (!isObject(a) || typeof a.name !== 'string' || !['string', 'time', 'integer', 'float', 'boolean'].includes(String(a.type))) {
          problems.push(`${key} "${t.name}": attribute declarations need a name and a type of string|time|integer|float|boolean`);
          continue;
        }
        attrs.set(a.name, String(a.type));
      }
      types.set(t.name, attrs);
    }
    return types;
  };
  const objectTypes = readTypes('objectTypes');
  const eventTypes = readTypes('eventTypes');

  const objectIds = new Set<string>();
  for (const o of doc.objects as unknown[]) {
    if (!isObject(o) || typeof o.id !== 'string' || typeof o.type !== 'string') {
      problems.push('objects: every object needs a string "id" and "type"');
      continue;
    }
    if (objectIds.has(o.id)) problems.push(`objects: duplicate id "${o.id}"`);
    objectIds.add(o.id);
    const declared = objectTypes.get(o.type);
    if (!declared) problems.push(`object "${o.id}": undeclared type "${o.type}"`);
    for (const a of (o.attributes as unknown[] | undefined) ?? []) {
      if (!isObject(a) || typeof a.name !== 'string' || !isTime(a.time)) {
        problems.push(`object "${o.id}": attributes need a name, a value and an ISO 8601 time`);
        continue;
      }
      const type = declared?.get(a.name);
      if (declared && !type) problems.push(`object "${o.id}": attribute "${a.name}" is not declared for type "${o.type}"`);
      else if (type && !valueMatches(type, a.value)) problems.push(`object "${o.id}": attribute "${a.name}" is not a ${type}`);
    }
  }
  const checkRelationships = (owner: string, rels: unknown) => {
    for (const r of (rels as unknown[] | undefined) ?? []) {
      if (!isObject(r) || typeof r.objectId !== 'string' || typeof r.qualifier !== 'string') {
        problems.push(`${owner}: relationships need an "objectId" and a "qualifier"`);
      } else if (!objectIds.has(r.objectId)) {
        problems.push(`${owner}: relationship to unknown object "${r.objectId}"`);
      }
    }
  };
  for (const o of doc.objects as Record<string, unknown>[]) if (isObject(o)) checkRelationships(`object "${String(o.id)}"`, o.relationships);

  const eventIds = new Set<string>();
  for (const e of doc.events as unknown[]) {
    if (!isObject(e) || typeof e.id !== 'string' || typeof e.type !== 'string' || !isTime(e.time)) {
      problems.push('events: every event needs a string "id", a "type" and an ISO 8601 "time"');
      continue;
    }
    if (eventIds.has(e.id)) problems.push(`events: duplicate id "${e.id}"`);
    eventIds.add(e.id);
    const declared = eventTypes.get(e.type);
    if (!declared) problems.push(`event "${e.id}": undeclared type "${e.type}"`);
    for (const a of (e.attributes as unknown[] | undefined) ?? []) {
      if (!isObject(a) || typeof a.name !== 'string') {
        problems.push(`event "${e.id}": attributes need a name and a value`);
        continue;
      }
      const type = declared?.get(a.name);
      if (declared && !type) problems.push(`event "${e.id}": attribute "${a.name}" is not declared for type "${e.type}"`);
      else if (type && !valueMatches(type, a.value)) problems.push(`event "${e.id}": attribute "${a.name}" is not a ${type}`);
    }
    checkRelationships(`event "${e.id}"`, e.relationships);
  }
  return problems;
}
