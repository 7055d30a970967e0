import type { CaseRecord } from '../case.js';
import { formatCaseNumber } from '../case.js';
import type { Channel, RoutingConfig } from '../config.js';
import { CHANNELS, priorityRank } from '../config.js';
import { normaliseCase } from '../normalise/index.js';
import * as place from '../normalise/place.js';
import { computePriority } from '../priority.js';
import { decideTerritory } from '../territory.js';
import type { Arrival } from './arrivals.js';
import { iso } from './clock.js';

/**
 * A simulated case from its arrival to routing: built as intake writes a case, then stamped with
 * the decisions `stampCase` makes (normalisation, priority, territory and queue).
 */

/** A case as the intake would write it: `new`, with the arrival's fields. */
export function buildCase(arrival: Arrival, index: number, now: number, config: RoutingConfig): CaseRecord {
  const f = arrival.fields;
  const at = iso(now);
  const rec: CaseRecord = {
    caseId: `sim-${String(index).padStart(8, '0')}`,
    caseNumber: formatCaseNumber(index + 1),
    channel: f.channel ?? defaultChannel(config),
    status: 'new',
    priority: config.defaultPriority,
    priorityRank: priorityRank(config, config.defaultPriority),
    subject: f.subject ?? '',
    description: '',
    contact: { email: f.contact?.email ?? '', ...(f.contact?.name ? { name: f.contact.name } : {}), ...(f.contact?.phone ? { phone: f.contact.phone } : {}) },
    routing: { excludedAgents: [], attempts: 0 },
    createdAt: at,
    updatedAt: at,
    version: 0,
  };
  if (f.account) rec.account = { ...f.account };
  if (f.location) rec.location = { ...f.location };
  if (f.product) rec.product = f.product;
  if (f.type) rec.type = f.type;
  if (f.severity) rec.severity = f.severity;
  if (f.language) rec.language = f.language;
  return rec;
}

const channelCache = new WeakMap<RoutingConfig, Channel>();
/** Without a channel in the arrivals: the channel most capacity is configured for. */
export function defaultChannel(config: RoutingConfig): Channel {
  let c = channelCache.get(config);
  if (!c) {
    const totals = CHANNELS.map((ch) => config.agents.reduce((s, a) => s + a.capacity[ch], 0));
    c = CHANNELS[totals.indexOf(Math.max(...totals))] ?? 'email';
    channelCache.set(config, c);
  }
  return c;
}

/**
 * `stampCase`'s decisions, without the store: normalised, prioritised, given a territory and its
 * queue; outside every territory ▶ needs_review in the review queue.
 */
function stampCase(c: CaseRecord, config: RoutingConfig): CaseRecord {
  const normalised = normaliseCase(c, { place }).case;
  const priority = computePriority(normalised, config.prioritisation, config);
  const prepared: CaseRecord = { ...normalised, priority: priority.priority, priorityRank: priority.rank };
  const territory = decideTerritory(config.territories, prepared);
  if (!territory.winner) return { ...prepared, status: 'needs_review', queue: config.reviewQueue, reviewReason: 'no territory matches this case' };
  return { ...prepared, territory: territory.winner.territoryId, queue: territory.winner.queue };
}

type Stamped = Pick<CaseRecord, 'contact' | 'location' | 'language' | 'priority' | 'priorityRank' | 'territory' | 'queue' | 'status' | 'reviewReason'>;
const stampMemo = new WeakMap<RoutingConfig, Map<string, Stamped>>();
const fieldsMemo = new WeakMap<RoutingConfig, WeakMap<object, Stamped>>();

/**
 * Stamping reads only a case's attributes and text (normalisation, priority factors, territory
 * criteria); simulated cases carry no text and repeat a few combinations of attributes, so each
 * combination is stamped once per configuration and the decisions reused.
 */
export function stamp(c: CaseRecord, config: RoutingConfig, fields: object): CaseRecord {
  if (c.subject || c.description) return stampCase(c, config);
  let memo = stampMemo.get(config);
  if (!memo) stampMemo.set(config, (memo = new Map()));
  let byFields = fieldsMemo.get(config);
  if (!byFields) fieldsMemo.set(config, (byFields = new WeakMap()));
  let hit = byFields.get(fields);
  const key = hit ? '' : JSON.stringify([c.channel, c.location, c.contact, c.language, c.severity, c.account, c.type, c.product]);
  hit ??= memo.get(key);
  if (!hit) {
    const full = stampCase(c, config);
    hit = {
      contact: full.contact,
      location: full.location,
      language: full.language,
      priority: full.priority,
      priorityRank: full.priorityRank,
      territory: full.territory,
      queue: full.queue,
      status: full.status,
      reviewReason: full.reviewReason,
    };
    if (memo.size > 50_000) memo.clear();
    memo.set(key, hit);
  }
  byFields.set(fields, hit);
  const out: CaseRecord = { ...c };
  for (const [k, v] of Object.entries(hit) as [keyof Stamped, unknown][]) {
    if (v === undefined) delete (out as unknown as Record<string, unknown>)[k];
    else (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}
