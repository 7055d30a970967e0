import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { CaseMessage, CaseRecord } from '../core/case.js';
import type { CaseEvent } from '../core/events.js';
import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.js';
import type { CaseWithHistory, StoredDecision } from '../core/ports/repositories.js';
import { assertAdmin } from '../core/authz.js';
import { parseOrThrow } from '../core/field-issues.js';
import { UNMATCHABLE_VERSION } from '../core/versions.js';
import type { AppDeps } from '../composition/deps.js';
import { makeUseCases } from '../composition/use-cases.js';
import { awsApiDeps } from '../composition/lambda.js';
import { API_MAX_BODY_BYTES, CONFIG_MAX_BODY_BYTES, REPLY_MAX_BODY_BYTES } from './api/limits.js';
import {
  ClassificationBody,
  CreateCaseBody,
  DeclineBody,
  ListCasesQuery,
  NoteBody,
  PresenceBody,
  PriorityBody,
  ReassignBody,
  ReplyBody,
  SearchCasesQuery,
  StatusBody,
  StatusMessageBody,
  SwarmBody,
  UploadBody,
} from './api/schemas.js';
import { errorHeaders } from '../http/errors.js';
import { buildOpenApiDocument } from './api/openapi.js';
import type { HttpEvent, HttpResult } from '../http/api-gateway.js';
import { assertWellFormedText, bodyBytes, bodyText, header, httpHandler, json, principalOf } from '../http/api-gateway.js';
import { lazy } from '../runtime/lambda.js';
import { logger } from '../runtime/observability.js';
import type { RouteKey, RouteOf } from '../http/routes.js';
import { findRoute, routeKey, routesOf } from '../http/routes.js';

/**
 * The agent/admin API: every route of functions/http/routes.ts whose target is `api`. Each route
 * is an adapter: parse the request (zod), call one use case, map the result to the API contract
 * (docs/architecture.md#the-case-contract). Authentication happened before the event got here (API Gateway's JWT authorizer,
 * or the local gateway that mimics it); authorisation is the use cases' business.
 */

export { API_MAX_BODY_BYTES, CONFIG_MAX_BODY_BYTES } from './api/limits.js';

const API_ROUTES = routesOf('api');

/** `GET /cases/{id}`, ...: the routes this handler serves (functions/http/routes.ts). */
type ApiRouteKey = RouteKey<RouteOf<'api'>>;

/** Case fields that are bookkeeping for the store and the router, not part of the API contract. */
const INTERNAL_CASE_FIELDS = ['priorityRank', 'routing', 'historyRevision'] as const;

// ---------------------------------------------------------------------------------------------
// Requests (the schemas live in functions/handlers/api/schemas.ts, shared with the OpenAPI document)

/**
 * The ETags this API issues (strong): the version as a decimal without leading zeros, then for a
 * case whose history moved since its item was last written, a dot and that count (`"7"`, `"7.2"`).
 */
const ISSUED_ETAG = /^"(0|[1-9][0-9]{0,15})(?:\.[1-9][0-9]{0,15})?"$/;

/**
 * `If-Match` as the use cases take it: absent, empty or `*` ▶ undefined (unconditional); an ETag
 * this API issued (`"7"`, `"7.2"`) ▶ its version (a write is conditional on the case item's
 * version: history others added since, such as a customer's message, does not conflict); anything else (`""`, `"0x10"`, `"1e3"`, `W/"7"`, a list)
 * ▶ a version nothing has, so the write fails with 412 after authorisation, as RFC 9110 wants for a
 * condition that cannot match, never with 400 before it.
 */
export function parseIfMatch(value: string | undefined): number | undefined {
  // Only HTTP's optional whitespace (space, tab) surrounds a field value.
  const trimmed = value?.replace(/^[ \t]+|[ \t]+$/g, '');
  if (!trimmed || trimmed === '*') return undefined;
  const digits = ISSUED_ETAG.exec(trimmed)?.[1];
  const version = digits === undefined ? Number.NaN : Number(digits);
  return Number.isSafeInteger(version) ? version : UNMATCHABLE_VERSION;
}

const ifMatchVersion = (event: HttpEvent) => parseIfMatch(header(event, 'if-match'));

/** An optional JSON body: absent or empty is an empty object. */
function optionalJsonBody(event: HttpEvent): unknown {
  return bodyText(event).trim() === '' ? {} : jsonBody(event);
}

/** Path ids are configuration ids or ULIDs; anything else cannot name a stored item. */
const PATH_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function parseWith<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  // The whole input is the `body` (queries are always objects, so only a body can be of the wrong type).
  return parseOrThrow(schema, input, { root: 'body', requiredWhenMissing: true, rootTypeMessage: 'must be a JSON object' });
}

/** A JSON request body: size, media type and syntax are checked before the schema sees it. */
function jsonBody(event: HttpEvent, maxBytes = API_MAX_BODY_BYTES): unknown {
  if (bodyBytes(event) > maxBytes) {
    throw new PayloadTooLargeError(`the request body exceeds ${maxBytes / 1024} KB`);
  }
  const contentType = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType && contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`send the body as application/json (got ${contentType})`);
  }
  const text = bodyText(event);
  if (text.trim() === '') throw new ValidationError([{ field: 'body', message: 'is required (a JSON object)' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: 'body', message: 'is not valid JSON' }]);
  }
  assertWellFormedText(parsed, text);
  return parsed;
}

/** The object without its undefined fields (exactOptionalPropertyTypes-friendly). */
function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** A status-page token's shape (functions/core/status-link.ts); anything else is the same 404 as a bad signature. */
const STATUS_TOKEN = /^[A-Za-z0-9_.-]{1,120}$/;
/** An attachment's place among its message's attachments. */
const ATTACHMENT_INDEX = /^(0|[1-9][0-9]{0,3})$/;

/** The customer's status page answers: never cached, and the token in the URL never leaves in a Referer. */
const STATUS_HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

function statusToken(params: Record<string, string>): string {
  const token = params.token ?? '';
  if (!STATUS_TOKEN.test(token)) throw new NotFoundError('this link is not valid or has expired');
  return token;
}

/** Standard base64 ▶ bytes; the schema has checked the alphabet and padding. */
function decodeBase64(content: string): Uint8Array {
  return new Uint8Array(Buffer.from(content, 'base64'));
}

function pathId(params: Record<string, string>, name: string, what: string): string {
  const value = params[name] ?? '';
  if (!PATH_ID.test(value)) throw new NotFoundError(`${what} ${JSON.stringify(value.slice(0, 80))} does not exist`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Response mapping: the API contract (docs/architecture.md#the-case-contract)

/** The contract's fields first, in the order docs/architecture.md#the-case-contract lists them, then any others: readable output. */
const CASE_FIELD_ORDER = [
  'caseId',
  'caseNumber',
  'channel',
  'status',
  'priority',
  'subject',
  'description',
  'contact',
  'account',
  'location',
  'product',
  'type',
  'severity',
  'language',
  'territory',
  'queue',
  'owner',
  'sla',
  'createdAt',
  'updatedAt',
  'version',
] as const;

/** `value` without `omit`, with the `order` fields first and then any others (stable, readable output). */
function ordered(value: object, order: readonly string[], omit: readonly string[] = []): Record<string, unknown> {
  const source = Object.fromEntries(Object.entries(value).filter(([k, v]) => v !== undefined && !omit.includes(k)));
  const out: Record<string, unknown> = {};
  for (const field of order) if (field in source) out[field] = source[field];
  for (const [field, v] of Object.entries(source)) if (!(field in out)) out[field] = v;
  return out;
}

export function toApiCase(c: CaseRecord): Record<string, unknown> {
  return ordered(c, CASE_FIELD_ORDER, INTERNAL_CASE_FIELDS);
}

const MESSAGE_FIELD_ORDER = ['messageId', 'direction', 'channel', 'from', 'subject', 'text', 'at', 'attachments'];
const EVENT_FIELD_ORDER = ['eventId', 'activity', 'at', 'actor', 'details'];
const DECISION_FIELD_ORDER = ['decisionId', 'kind', 'at', 'outcome', 'details'];

/** Where a message's bytes are stored (S3 keys, local paths): the store's business, not the caller's. */
const STORAGE_REFERENCES = ['caseId', 'rawRef', 'htmlRef', 'textRef'];

export function toApiMessage(m: CaseMessage): Record<string, unknown> {
  return ordered({ ...m, attachments: m.attachments.map(({ ref: _ref, ...a }) => a) }, MESSAGE_FIELD_ORDER, STORAGE_REFERENCES);
}

const toApiEvent = (e: CaseEvent) => ordered(e, EVENT_FIELD_ORDER, ['caseId']);
const toApiDecision = (d: StoredDecision) => ordered(d, DECISION_FIELD_ORDER, ['caseId']);

export function toApiCaseWithHistory(found: CaseWithHistory): Record<string, unknown> {
  return {
    ...toApiCase(found.case),
    messages: found.messages.map(toApiMessage),
    events: found.events.map(toApiEvent),
    decisions: found.decisions.map(toApiDecision),
  };
}

/** A strong validator from an optimistic-concurrency version: it changes on every write (ISSUED_ETAG). */
export const versionEtag = (version: number) => `"${version}"`;

/**
 * A case's strong validator, from the case item alone: its version, and the count of history writes
 * since the item was last written (a customer's message, an event): whatever the case's answer
 * shows changes one or the other (docs/console.md#polling-and-etags).
 */
export const etagOf = (c: Pick<CaseRecord, 'version' | 'historyRevision'>) =>
  c.historyRevision ? `"${c.version}.${c.historyRevision}"` : versionEtag(c.version);

function ifNoneMatchHits(event: HttpEvent, etag: string): boolean {
  const value = header(event, 'if-none-match');
  if (!value) return false;
  return value.trim() === '*' || value.split(',').some((v) => v.trim().replace(/^W\//, '') === etag);
}

/**
 * A list's strong validator: a digest of the exact JSON answered (the page's content), so two answers
 * share an ETag only when they are byte for byte the same. Distinct from the case ETags (never digits only).
 */
export const contentEtag = (body: string) => `"l${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/**
 * A list the console polls (`GET /cases`, `GET /agents`, `GET /agents/me`): 200 with its content's
 * ETag, or 304 with no body when If-None-Match names it (docs/console.md#polling-and-etags). The
 * list is still read; what a 304 saves is the body on the wire and the console's work.
 */
function listAnswer(event: HttpEvent, body: unknown): HttpResult {
  const answer = json(200, body);
  const etag = contentEtag(String(answer.body));
  if (ifNoneMatchHits(event, etag)) return { statusCode: 304, headers: { etag, 'cache-control': 'no-store' } };
  return { ...answer, headers: { ...answer.headers, etag, 'cache-control': 'no-store' } };
}

// ---------------------------------------------------------------------------------------------
// The router

/** findRoute, with a malformed percent-escape in the path (`/cases/%E0%A4`) treated as no route. */
function matchRoute(method: string, path: string): ReturnType<typeof findRoute<RouteOf<'api'>>> {
  try {
    return findRoute(API_ROUTES, method, path);
  } catch (error) {
    if (error instanceof URIError) return { route: undefined, allowed: [] };
    throw error;
  }
}

interface RouteRequest {
  event: HttpEvent;
  params: Record<string, string>;
}

type RouteHandler = (request: RouteRequest) => Promise<HttpResult>;

export function createHandler(deps: AppDeps) {
  const {
    getCase,
    getCaseItem,
    listCases,
    getMe,
    setPresence,
    workCase,
    dispatchToAgent,
    applyConfig,
    validateConfig,
    createAgentCase,
    caseUpdates,
    replyToCustomer,
    startSwarm,
    swarmMembership,
    changeClassification,
    listAgents,
    searchCases,
    attachmentLink,
    requestUpload,
    customerStatus,
  } = makeUseCases(deps);
  const openApiDocuments = new Map<string, string>();

  const presence = async (event: HttpEvent, agentId: string) => {
    const principal = principalOf(event);
    const body = parseWith(PresenceBody, jsonBody(event));
    const result = await setPresence(principal, agentId, body.status);
    return json(200, { state: result.state, dispatched: result.dispatched });
  };

  // Keyed by the route union: a route of the table without a handler here, or a handler for no route, does not compile.
  const handlers: Record<ApiRouteKey, RouteHandler> = {
    'GET /health': async () => {
      // One GetItem of the configuration's version proves the table answers and says whether a routing
      // configuration is in place (without one nothing can be routed: degraded, but up), without
      // reading or parsing the configuration itself. Public: it names no case or agent.
      let current;
      try {
        current = await deps.configs.currentVersion();
      } catch (error) {
        logger.error('health check failed', { error: error as Error });
        // An unreachable store says when to look again (Retry-After), as every other route does.
        return json(503, { status: 'unavailable', checks: { table: 'error' }, time: deps.clock.now().toISOString() }, errorHeaders(error));
      }
      return json(200, {
        status: current ? 'ok' : 'degraded',
        checks: { table: 'ok', configuration: current ? 'applied' : 'missing' },
        time: deps.clock.now().toISOString(),
      });
    },

    'GET /cases': async ({ event }) => {
      const principal = principalOf(event);
      const query = parseWith(ListCasesQuery, event.queryStringParameters ?? {});
      const page = await listCases(principal, {
        queue: query.queue,
        owner: query.owner,
        statuses: query.status,
        priorities: query.priority,
        channels: query.channel,
        limit: query.limit,
        cursor: query.cursor,
      });
      return listAnswer(event, { items: page.items.map(toApiCase), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },

    'GET /cases/search': async ({ event }) => {
      const query = parseWith(SearchCasesQuery, event.queryStringParameters ?? {});
      const found = await searchCases(principalOf(event), query.q, query.limit, query.cursor);
      return json(200, { items: found.items.map(toApiCase), ...(found.cursor ? { cursor: found.cursor } : {}) });
    },

    'GET /cases/{id}': async ({ event, params }) => {
      const principal = principalOf(event);
      const id = pathId(params, 'id', 'case');
      // A conditional read: the case item alone (one GetItem) decides 304, without reading the history.
      if (header(event, 'if-none-match')) {
        const etag = etagOf(await getCaseItem(principal, id));
        if (ifNoneMatchHits(event, etag)) return { statusCode: 304, headers: { etag, 'cache-control': 'no-store' } };
      }
      const found = await getCase(principal, id);
      return json(200, toApiCaseWithHistory(found), { etag: etagOf(found.case) });
    },

    'GET /cases/{id}/messages/{messageId}/attachments/{index}': async ({ event, params }) => {
      const index = params.index ?? '';
      if (!ATTACHMENT_INDEX.test(index)) throw new NotFoundError(`attachment ${JSON.stringify(index.slice(0, 20))} does not exist`);
      const link = await attachmentLink(principalOf(event), pathId(params, 'id', 'case'), pathId(params, 'messageId', 'message'), Number(index));
      return json(200, link, { 'cache-control': 'no-store' });
    },

    'GET /status/{token}': async ({ params }) => json(200, await customerStatus.read(statusToken(params)), STATUS_HEADERS),

    'POST /status/{token}/messages': async ({ event, params }) => {
      const token = statusToken(params);
      const body = parseWith(StatusMessageBody, jsonBody(event));
      const view = await customerStatus.addMessage(token, body.text, { clientIp: event.requestContext?.http?.sourceIp || 'unknown' });
      return json(201, view, STATUS_HEADERS);
    },

    'PATCH /cases/{id}': async ({ event, params }) => {
      const body = parseWith(ClassificationBody, jsonBody(event));
      const updated = await changeClassification(principalOf(event), pathId(params, 'id', 'case'), {
        ...definedOnly(body),
        expectedVersion: ifMatchVersion(event),
      });
      return json(200, toApiCase(updated), { etag: etagOf(updated) });
    },

    'GET /agents': async ({ event }) => listAnswer(event, await listAgents(principalOf(event))),

    'GET /agents/me': async ({ event }) => listAnswer(event, await getMe(principalOf(event))),

    'PUT /agents/me/presence': async ({ event }) => presence(event, principalOf(event).agentId),

    'PUT /agents/{id}/presence': async ({ event, params }) => presence(event, pathId(params, 'id', 'agent')),

    'POST /agents/me/next': async ({ event }) => {
      // Pull one case now: the highest-priority, oldest queued case this agent qualifies for.
      const principal = principalOf(event);
      const [caseId] = await dispatchToAgent(principal.agentId, { reason: 'asked for the next case', max: 1 });
      if (!caseId) return json(200, { case: null, message: 'nothing you can take is waiting' });
      const found = await getCase(principal, caseId);
      return json(200, { case: toApiCaseWithHistory(found) }, { etag: etagOf(found.case) });
    },

    'POST /cases/{id}/accept': async ({ event, params }) => {
      const updated = await workCase.accept(principalOf(event), pathId(params, 'id', 'case'), ifMatchVersion(event));
      return json(200, toApiCase(updated), { etag: etagOf(updated) });
    },

    'POST /cases/{id}/decline': async ({ event, params }) => {
      const body = parseWith(DeclineBody, optionalJsonBody(event));
      const result = await workCase.decline(principalOf(event), pathId(params, 'id', 'case'), body.reason, ifMatchVersion(event));
      return json(200, { status: result.status, owner: result.owner ?? null });
    },

    'POST /cases/{id}/status': async ({ event, params }) => {
      const body = parseWith(StatusBody, jsonBody(event));
      const updated = await workCase.changeStatus(principalOf(event), pathId(params, 'id', 'case'), { ...body, expectedVersion: ifMatchVersion(event) });
      return json(200, toApiCase(updated), { etag: etagOf(updated) });
    },

    'GET /openapi.json': async ({ event }) => {
      // Public, like /health: it describes the API, never its data. `servers` is the caller's origin.
      const host = header(event, 'host') ?? event.requestContext?.domainName;
      const proto = header(event, 'x-forwarded-proto')?.split(',')[0]?.trim() || 'https';
      const serverUrl = host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? `${proto === 'http' ? 'http' : 'https'}://${host}` : '';
      let document = openApiDocuments.get(serverUrl);
      if (!document) {
        document = JSON.stringify(buildOpenApiDocument(serverUrl ? { serverUrl } : {}));
        if (openApiDocuments.size < 16) openApiDocuments.set(serverUrl, document);
      }
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=300' },
        body: document,
      };
    },

    'POST /cases': async ({ event }) => {
      const body = parseWith(CreateCaseBody, jsonBody(event));
      const { contact, account, location, channel: _channel, ...rest } = body;
      const result = await createAgentCase(principalOf(event), {
        ...definedOnly(rest),
        contact: { email: contact.email ?? '', ...definedOnly({ name: contact.name, phone: contact.phone }) },
        ...(account && Object.keys(definedOnly(account)).length ? { account: definedOnly(account) } : {}),
        ...(location && Object.keys(definedOnly(location)).length ? { location: definedOnly(location) } : {}),
      } as Parameters<typeof createAgentCase>[1]);
      return json(result.created ? 201 : 200, toApiCase(result.case), { etag: etagOf(result.case), location: `/cases/${result.case.caseId}` });
    },

    'POST /cases/{id}/priority': async ({ event, params }) => {
      const body = parseWith(PriorityBody, jsonBody(event));
      const updated = await caseUpdates.changePriority(principalOf(event), pathId(params, 'id', 'case'), { ...body, expectedVersion: ifMatchVersion(event) });
      return json(200, toApiCase(updated), { etag: etagOf(updated) });
    },

    'POST /cases/{id}/notes': async ({ event, params }) => {
      const body = parseWith(NoteBody, jsonBody(event));
      const result = await caseUpdates.addNote(principalOf(event), pathId(params, 'id', 'case'), { ...body, expectedVersion: ifMatchVersion(event) });
      return json(201, { case: toApiCase(result.case), note: toApiMessage(result.message) }, { etag: etagOf(result.case) });
    },

    'POST /cases/{id}/reassign': async ({ event, params }) => {
      const body = parseWith(ReassignBody, jsonBody(event));
      const updated = await caseUpdates.reassign(principalOf(event), pathId(params, 'id', 'case'), {
        ...definedOnly({ agent: body.agent, queue: body.queue }),
        reason: body.reason,
        expectedVersion: ifMatchVersion(event),
      });
      return json(200, toApiCase(updated), { etag: etagOf(updated) });
    },

    'POST /cases/{id}/replies': async ({ event, params }) => {
      const body = parseWith(ReplyBody, jsonBody(event, REPLY_MAX_BODY_BYTES));
      const result = await replyToCustomer(principalOf(event), pathId(params, 'id', 'case'), {
        text: body.text,
        ...(body.subject ? { subject: body.subject } : {}),
        ...(body.cc?.length ? { cc: body.cc } : {}),
        ...(body.attachments?.length
          ? { attachments: body.attachments.map((f) => ({ name: f.name, contentType: f.contentType, content: decodeBase64(f.content) })) }
          : {}),
        ...(body.uploads?.length ? { uploads: body.uploads } : {}),
        expectedVersion: ifMatchVersion(event),
      });
      return json(201, { case: toApiCase(result.case), message: toApiMessage(result.message) }, { etag: etagOf(result.case) });
    },

    'POST /cases/{id}/uploads': async ({ event, params }) => {
      const body = parseWith(UploadBody, jsonBody(event));
      const grant = await requestUpload(principalOf(event), pathId(params, 'id', 'case'), body);
      return json(201, grant, { 'cache-control': 'no-store' });
    },

    'POST /cases/{id}/swarm': async ({ event, params }) => {
      const body = parseWith(SwarmBody, optionalJsonBody(event));
      const result = await startSwarm(principalOf(event), pathId(params, 'id', 'case'), {
        ...definedOnly({ limit: body.limit, question: body.question, note: body.note }),
        ...(body.skills ? { skills: body.skills.map((s) => ({ skill: s.skill, ...(s.minLevel !== undefined ? { minLevel: s.minLevel } : {}) })) } : {}),
        expectedVersion: ifMatchVersion(event),
      });
      return json(
        200,
        {
          case: toApiCase(result.case),
          swarm: result.swarm ?? null,
          invited: result.invited,
          experts: [...result.search.experts, ...result.search.runnersUp],
          excluded: result.search.excluded,
          skills: result.search.skills,
          skillsFrom: result.search.skillsFrom,
          homePods: result.search.homePods,
          podLeads: result.podLeads,
          reasons: result.search.reasons,
          notification: result.notification,
          ...(result.chat ? { chat: result.chat } : {}),
        },
        { etag: etagOf(result.case) },
      );
    },

    'POST /cases/{id}/swarm/join': async ({ event, params }) => {
      const result = await swarmMembership.join(principalOf(event), pathId(params, 'id', 'case'), { via: 'api', expectedVersion: ifMatchVersion(event) });
      return json(200, { case: toApiCase(result.case), swarm: result.case.swarm ?? null, changed: result.joined }, { etag: etagOf(result.case) });
    },

    'POST /cases/{id}/swarm/leave': async ({ event, params }) => {
      const result = await swarmMembership.leave(principalOf(event), pathId(params, 'id', 'case'), { via: 'api', expectedVersion: ifMatchVersion(event) });
      return json(200, { case: toApiCase(result.case), swarm: result.case.swarm ?? null, changed: result.left }, { etag: etagOf(result.case) });
    },

    'GET /admin/config': async ({ event }) => {
      assertAdmin(principalOf(event));
      const current = await deps.configs.getCurrent();
      if (!current) throw new NotFoundError('no routing configuration has been applied yet');
      return json(200, current, { etag: versionEtag(current.version) });
    },

    'POST /admin/config/validate': async ({ event }) => {
      // A dry run of PUT /admin/config: the same checks, the same errors, and what would change; nothing is written.
      const principal = principalOf(event);
      assertAdmin(principal);
      const result = await validateConfig(principal, jsonBody(event, CONFIG_MAX_BODY_BYTES));
      return json(200, { valid: true, currentVersion: result.currentVersion, changes: result.changes }, { 'cache-control': 'no-store' });
    },

    'PUT /admin/config': async ({ event }) => {
      const principal = principalOf(event);
      assertAdmin(principal);
      const result = await applyConfig(principal, jsonBody(event, CONFIG_MAX_BODY_BYTES), ifMatchVersion(event));
      return json(
        200,
        { version: result.stored.version, appliedAt: result.stored.appliedAt, reconciled: result.reconciled },
        { etag: versionEtag(result.stored.version) },
      );
    },
  };

  return httpHandler(async (event) => {
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    const match = matchRoute(method, path);
    if (!match.route) {
      if (match.allowed.length > 0) {
        const allow = [...new Set(match.allowed)].join(', ');
        return json(405, { error: 'MethodNotAllowed', message: `${method} is not allowed on ${path}; use ${allow}` }, { allow });
      }
      throw new NotFoundError(`no route for ${method} ${path}`);
    }
    return handlers[routeKey(match.route)]({ event, params: match.params });
  });
}

/** The Lambda entry point: dependencies from the environment, built on the first request. */
export const handler = lazy(() => createHandler(awsApiDeps()));
