import { z } from 'zod';
import { API_MAX_BODY_KB, CONFIG_MAX_BODY_KB } from './limits.js';
import { ListCasesQuery, REQUEST_COMPONENTS, type ResponseSchemas, SearchCasesQuery, responseSchemas } from './schemas.js';
import type { RouteDefinition } from '../../http/routes.js';
import { ROUTES } from '../../http/routes.js';
import { ExportQuery, type ReportResponseSchemas, ReportQuery, reportResponseSchemas } from '../reports/schemas.js';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas the handlers parse with
 * (functions/handlers/api/schemas.ts) by zod's own `z.toJSONSchema` (JSON Schema 2020-12, which is
 * OpenAPI 3.1's schema dialect), and from ROUTES (functions/http/routes.ts) for the paths and
 * their security. Every route must have an entry in OPERATIONS: the type below makes a missing one
 * a compile error, and test/unit/openapi.test.ts checks the document both ways.
 */

type Route = (typeof ROUTES)[number];
/** `GET /cases/{id}`, for each route (distributed over the union, not its cross product). */
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
export type RouteKey = KeyOf<Route>;
type RequestComponent = keyof typeof REQUEST_COMPONENTS;
type ResponseComponent = keyof ResponseSchemas['RESPONSE_COMPONENTS'] | keyof ReportResponseSchemas['REPORT_RESPONSE_COMPONENTS'];

/** Error responses, described once in components.responses. */
const ERROR_RESPONSES = {
  400: { name: 'BadRequest', description: 'Validation failed: `fields` names each field at fault.' },
  401: { name: 'Unauthorized', description: 'No valid bearer token (answered by API Gateway\'s JWT authorizer: `{"message":"Unauthorized"}`).', gateway: true },
  403: { name: 'Forbidden', description: 'The token is valid but its roles or relation to the case do not allow this.' },
  404: { name: 'NotFound', description: 'No such case, agent or route.' },
  405: { name: 'MethodNotAllowed', description: 'The path exists but not with this method; `Allow` lists the methods.', gateway: true },
  409: {
    name: 'Conflict',
    description: 'The case is not in a state that allows this (a transition the status machine forbids, a closed case, an agent who cannot take it now).',
  },
  412: {
    name: 'PreconditionFailed',
    description: '`If-Match` names a version that is no longer current, or is not an ETag this API issued: read the case again, then retry.',
  },
  413: { name: 'PayloadTooLarge', description: `The body is over the limit (${API_MAX_BODY_KB} KB; the configuration ${CONFIG_MAX_BODY_KB} KB).` },
  415: { name: 'UnsupportedMediaType', description: 'Send the body as `application/json`.' },
  429: { name: 'TooManyRequests', description: 'Rate limited; `Retry-After` says when to try again.' },
  500: { name: 'InternalError', description: 'Something failed on our side; the body never carries internal details.' },
  503: {
    name: 'ServiceUnavailable',
    description:
      'A dependency is missing (no routing configuration applied yet, email not set up), or the case store cannot be reached for a moment (`StoreUnavailableError`): `Retry-After` says when to try again.',
  },
} as const;
type ErrorStatus = keyof typeof ERROR_RESPONSES;

interface OperationDoc {
  summary: string;
  description?: string;
  tag: 'Cases' | 'Working a case' | 'Agents' | 'Admin' | 'Reports' | 'Public';
  query?: z.ZodType;
  body?: RequestComponent;
  /** The body may be left out (an empty body counts as `{}`). */
  bodyOptional?: boolean;
  /** Also accepts an HTML form post (web-to-case). */
  formBody?: boolean;
  /** Takes If-Match (optimistic concurrency). */
  ifMatch?: boolean;
  /** Takes If-None-Match and may answer 304. */
  ifNoneMatch?: boolean;
  responses: Partial<
    Record<200 | 201 | 303 | 304, { description: string; schema?: ResponseComponent; html?: boolean; etag?: boolean | string; location?: boolean }>
  >;
  errors: ErrorStatus[];
  /** Answers without reading the case store; every other route answers 503 + Retry-After while the store is unreachable. */
  storeFree?: boolean;
}

const CASE_ERRORS: ErrorStatus[] = [400, 401, 403, 404, 500];

/** The ETag of the lists the console polls (functions/handlers/api.ts contentEtag). */
const LIST_ETAG =
  'A strong validator of this exact answer (a digest of its JSON): send it back as If-None-Match to get 304 with no body while nothing on it changed.';
const WRITE_ERRORS: ErrorStatus[] = [400, 401, 403, 404, 409, 412, 413, 415, 500];

export const OPERATIONS: Record<RouteKey, OperationDoc> = {
  'GET /health': {
    summary: 'Health check',
    description: 'Public. One read of the table; `degraded` until a routing configuration is applied.',
    tag: 'Public',
    responses: { 200: { description: 'Up (ok or degraded).', schema: 'Health' } },
    errors: [503],
  },
  'GET /openapi.json': {
    summary: 'This document',
    description: 'Public. The OpenAPI 3.1 description of every route.',
    tag: 'Public',
    responses: { 200: { description: 'The OpenAPI document.', schema: 'OpenApiDocument' } },
    errors: [],
    storeFree: true,
  },
  'GET /web-to-case': {
    summary: 'The customer contact form',
    tag: 'Public',
    responses: { 200: { description: 'The form page.', html: true } },
    errors: [],
    storeFree: true,
  },
  'POST /web-to-case': {
    summary: 'Submit the contact form',
    description:
      'Public. JSON answers JSON; a form post answers with a page (or a 303 to the configured return URL). Rate limited per IP and per email (a token bucket); a repeat of a submission (its idempotencyKey, or the same words within 10 minutes) answers 200 with the same case and spends no rate-limit budget. 409: the same submission is still being taken by a concurrent request; send it again.',
    tag: 'Public',
    body: 'WebSubmission',
    formBody: true,
    responses: {
      200: { description: 'The same submission again (idempotent): the existing case.', schema: 'WebToCaseResult' },
      201: { description: 'A case was created.', schema: 'WebToCaseResult' },
      303: { description: 'Form post: redirected to the configured return URL.' },
    },
    errors: [400, 409, 413, 415, 429, 500],
  },
  'GET /web-to-case/options': {
    summary: "The web form's languages and choices",
    description:
      "Public. The languages the form speaks (those of the acknowledgement templates) and the request types and products it offers, labelled in the language chosen by `?lang=`, else Accept-Language, else the default: for customers' own front ends.",
    tag: 'Public',
    responses: { 200: { description: 'Languages and choices.', schema: 'WebFormOptions' } },
    errors: [500],
  },
  'GET /status/{token}': {
    summary: 'A case as its customer sees it',
    description:
      'Public: the signed, expiring link from the acknowledgement is the key. Case number, subject, status in words and the conversation (what the customer wrote and what we sent them), never internal notes, events, decisions, owner or queue. An altered, expired or unknown link: the same 404, whatever the reason. `Cache-Control: no-store`, `Referrer-Policy: no-referrer`.',
    tag: 'Public',
    responses: { 200: { description: 'The case.', schema: 'StatusView' } },
    errors: [404, 500],
  },
  'POST /status/{token}/messages': {
    summary: 'Add a message to the case (the customer)',
    description:
      "Public, with the status link. The text joins the case as the customer's message (channel `web`), as an emailed reply does: the case's version moves, and a resolved or closed case reopens within the reopen window (409 after it: send a new request). Rate limited per link and per IP.",
    tag: 'Public',
    body: 'StatusMessageRequest',
    responses: { 201: { description: 'Added: the case as the customer now sees it.', schema: 'StatusView' } },
    errors: [400, 404, 409, 413, 415, 429, 500],
  },
  'GET /cases': {
    summary: 'List cases',
    description:
      "Agents see their own cases and their queues' cases (all their queues when no queue is named); managers and admins may list any queue, any owner, or everything by status. Filters combine; results are paged with an opaque cursor.",
    tag: 'Cases',
    query: ListCasesQuery,
    ifNoneMatch: true,
    responses: {
      200: { description: 'A page of cases: newest first, or dispatch order (priority, then age) for a queue.', schema: 'CaseList', etag: LIST_ETAG },
      304: { description: '`If-None-Match` matched: the page is unchanged since.' },
    },
    errors: CASE_ERRORS,
  },
  'POST /cases': {
    summary: 'Open a phone or walk-in case',
    description: 'Agents, managers and admins. The case (channel `phone`) goes through the same workflow as every other case: stamped, prioritised and routed.',
    tag: 'Cases',
    body: 'CreateCaseRequest',
    responses: {
      200: { description: 'The same idempotencyKey again: the case the first request created.', schema: 'Case', etag: true, location: true },
      201: { description: 'The case was created (status `new`; routing follows at once).', schema: 'Case', etag: true, location: true },
    },
    errors: [400, 401, 403, 413, 415, 500, 503],
  },
  'GET /cases/search': {
    summary: 'Find cases by number, customer email or words of the subject',
    description:
      'Any signed-in caller; only cases the caller may read are returned. A case number (`1024`, `#00001024`) finds that case; an email address finds the customer\'s cases, newest first; anything else is words of the subject (folded: case and accents do not matter), every word required, the last one also as the start of a word (`paper jam prin`), newest first within a word, with a `cursor` when there may be more. 400 naming `q` when nothing searchable is left (only words such as "the").',
    tag: 'Cases',
    query: SearchCasesQuery,
    responses: { 200: { description: 'The cases found; `cursor` continues a word search.', schema: 'CaseList' } },
    errors: [400, 401, 500, 503],
  },
  'GET /cases/{id}': {
    summary: 'Get a case',
    description:
      'With its messages, event history and decision records. Owner, queue members, swarm members (while the swarm is open), managers and admins. `{id}` may be the case number a customer quotes (`1024` or `00001024`: 1 to 8 digits), found through the number pointer and answered the same way.',
    tag: 'Cases',
    ifNoneMatch: true,
    responses: {
      200: { description: 'The case.', schema: 'CaseDetail', etag: true },
      304: { description: '`If-None-Match` matched: unchanged since. Answered from the case item alone (one read), without reading the history.' },
    },
    errors: CASE_ERRORS,
  },
  'GET /cases/{id}/messages/{messageId}/attachments/{index}': {
    summary: 'Download an attachment',
    description:
      "Whoever may read the case (as `GET /cases/{id}`). Answers a link that works for five minutes without a token (a pre-signed S3 GET in AWS, a signed route locally), served as an attachment; types a browser would run (HTML, SVG, XML, script) come as application/octet-stream. `index` counts the message's attachments from 0.",
    tag: 'Cases',
    responses: { 200: { description: 'The download link.', schema: 'AttachmentLink' } },
    errors: CASE_ERRORS,
  },
  'POST /cases/{id}/accept': {
    summary: 'Accept an offered case',
    description: 'The agent the case was offered to: `assigned` ▶ `in_progress`.',
    tag: 'Working a case',
    ifMatch: true,
    responses: { 200: { description: 'Accepted.', schema: 'Case', etag: true } },
    errors: WRITE_ERRORS,
  },
  'POST /cases/{id}/decline': {
    summary: 'Decline an offered case',
    description: 'The agent the case was offered to. They are never offered it again; it is routed anew.',
    tag: 'Working a case',
    body: 'DeclineRequest',
    bodyOptional: true,
    ifMatch: true,
    responses: { 200: { description: 'Declined; where the case went.', schema: 'DeclineResult' } },
    errors: WRITE_ERRORS,
  },
  'POST /cases/{id}/status': {
    summary: 'Change the status',
    description:
      "Owner, managers, admins. Transitions follow the status machine (docs/architecture.md#statuses; 409 otherwise): `closed_unresolved` needs a `comment`, `on_hold` a `reason` (and may take `until`). Closing frees the owner's capacity and closes the swarm; reopening gives the case back to its owner when they can take it.",
    tag: 'Working a case',
    body: 'StatusChangeRequest',
    ifMatch: true,
    responses: { 200: { description: 'The case after the change.', schema: 'Case', etag: true } },
    errors: WRITE_ERRORS,
  },
  'PATCH /cases/{id}': {
    summary: 'Set the type or product',
    description:
      'Owner, managers, admins; open or closed cases. Recorded as `classification_changed`; changing a value automatic triage filled is also a `triage_corrected` event, which the next training learns from and counts. Does not re-route the case.',
    tag: 'Working a case',
    body: 'ClassificationRequest',
    ifMatch: true,
    responses: { 200: { description: 'The case after the change.', schema: 'Case', etag: true } },
    errors: WRITE_ERRORS,
  },
  'POST /cases/{id}/priority': {
    summary: 'Change the priority',
    description: "Owner, managers, admins; open cases. The case moves in its queue's order, and its SLA targets are re-read for the new level.",
    tag: 'Working a case',
    body: 'PriorityChangeRequest',
    ifMatch: true,
    responses: { 200: { description: 'The case after the change.', schema: 'Case', etag: true } },
    errors: WRITE_ERRORS,
  },
  'POST /cases/{id}/notes': {
    summary: 'Add an internal note',
    description: 'Anyone who may read the case, swarm members included. Customers never see notes.',
    tag: 'Working a case',
    body: 'NoteRequest',
    ifMatch: true,
    responses: { 201: { description: 'The note and the case.', schema: 'NoteResult', etag: true } },
    errors: WRITE_ERRORS,
  },
  'POST /cases/{id}/reassign': {
    summary: 'Reassign to an agent or a queue',
    description:
      'Owner, managers, admins; open cases. To an agent: one transaction moves the case and the capacity (the new owner must be online with room; they get it as an offer). To a queue: the case is pinned there and routed anew, without its previous owner.',
    tag: 'Working a case',
    body: 'ReassignRequest',
    ifMatch: true,
    responses: { 200: { description: 'The case after the move (and routing).', schema: 'Case', etag: true } },
    errors: WRITE_ERRORS,
  },
  'POST /cases/{id}/replies': {
    summary: 'Reply to the customer by email',
    description:
      'Owner, managers, admins; open cases with a deliverable contact address. Sent through SES (the outbox locally) with the signed case token in the subject and In-Reply-To/References for threading; recorded as an outbound message. `cc` (up to 10 addresses, never ours), `attachments` (inline: 4 MB in total, base64; the body may then be up to 5.5 MB) and `uploads` (files uploaded beforehand with `POST /cases/{id}/uploads`, by key: each must be an upload of this case that holds a file, else 400 naming `uploads.N.key`) go out with it (up to 10 files); the files are kept on the case and downloadable like inbound ones. The first reply moves `assigned` ▶ `in_progress` and completes the first-response milestone.',
    tag: 'Working a case',
    body: 'ReplyRequest',
    ifMatch: true,
    responses: { 201: { description: 'Sent and recorded.', schema: 'ReplyResult', etag: true } },
    errors: [...WRITE_ERRORS, 503],
  },
  'POST /cases/{id}/uploads': {
    summary: 'Upload a large file for a reply',
    description:
      "Who may reply (owner, managers, admins; open cases). Answers a short-lived upload of one file (five minutes): send a multipart/form-data POST of `fields`, then the file as `file`, to `url` (a pre-signed S3 POST in AWS whose policy bounds the key, the size declared and the content type; a signed route of the local stack locally). Then name its `key` in the reply's `uploads`. Up to 25 MB a file, 28 MB for all of a reply's files (SES sends at most 40 MB of MIME).",
    tag: 'Working a case',
    body: 'UploadRequest',
    responses: { 201: { description: 'Where and how to upload the file.', schema: 'UploadGrant' } },
    errors: [400, 401, 403, 404, 409, 413, 415, 500],
  },
  'POST /cases/{id}/swarm': {
    summary: 'Swarm: invite experts',
    description:
      "Owner, managers, admins; open cases. The expert finder ranks agents by the skills the request names (with minimum levels) or, without them, the skills the case calls for (its product and type, the required skills of the rule that routed it), presence, spare capacity, language and the similar cases they resolved lately, never the owner. It prefers the owner's pod, reaches into pods that hold the skills, and tells those pods' leads. The best are invited (they may read the case and add notes until it closes) and Slack is told: with the Slack app, a channel or thread for the swarm with the experts in it. Again while the swarm is open: more experts. docs/slack.md.",
    tag: 'Working a case',
    body: 'SwarmRequest',
    bodyOptional: true,
    ifMatch: true,
    responses: { 200: { description: 'The experts, the swarm, and whether Slack was told.', schema: 'SwarmResult', etag: true } },
    errors: WRITE_ERRORS,
  },
  'POST /cases/{id}/swarm/join': {
    summary: 'Join the swarm',
    description:
      "While the swarm and the case are open: an agent who may read the case, has one of the skills the swarm asks for, or manages; never the owner. The swarm's Slack conversation hears it (and the agent is brought into it). Joining twice changes nothing.",
    tag: 'Working a case',
    ifMatch: true,
    responses: { 200: { description: 'The case and its swarm.', schema: 'SwarmMembershipResult', etag: true } },
    errors: [400, 401, 403, 404, 409, 412, 500],
  },
  'POST /cases/{id}/swarm/leave': {
    summary: 'Leave the swarm',
    description: "A member of the open swarm; they lose the access the swarm gave them. The swarm's Slack conversation hears it.",
    tag: 'Working a case',
    ifMatch: true,
    responses: { 200: { description: 'The case and its swarm.', schema: 'SwarmMembershipResult', etag: true } },
    errors: [400, 401, 403, 404, 409, 412, 500],
  },
  'GET /agents': {
    summary: 'The team',
    description:
      "Managers and admins: every agent with presence, load per channel against capacity, roles and queues, and every queue. Agents: their queues' members (themselves included) with presence only, and those queues.",
    tag: 'Agents',
    ifNoneMatch: true,
    responses: {
      200: { description: 'Agents and queues the caller may see.', schema: 'AgentList', etag: LIST_ETAG },
      304: { description: '`If-None-Match` matched: unchanged since.' },
    },
    errors: [401, 500, 503],
  },
  'GET /agents/me': {
    summary: 'The calling agent',
    description: 'Profile from the configuration, queues, live state and roles.',
    tag: 'Agents',
    ifNoneMatch: true,
    responses: {
      200: { description: 'The agent.', schema: 'AgentMe', etag: LIST_ETAG },
      304: { description: '`If-None-Match` matched: unchanged since.' },
    },
    errors: [401, 404, 500],
  },
  'PUT /agents/me/presence': {
    summary: 'Set my presence',
    description: 'Coming online dispatches queued work the agent can take.',
    tag: 'Agents',
    body: 'PresenceRequest',
    responses: { 200: { description: 'The new state and what was dispatched.', schema: 'PresenceResult' } },
    errors: [400, 401, 404, 413, 415, 500],
  },
  'PUT /agents/{id}/presence': {
    summary: "Set an agent's presence",
    description: 'Managers and admins (anyone for themselves).',
    tag: 'Agents',
    body: 'PresenceRequest',
    responses: { 200: { description: 'The new state and what was dispatched.', schema: 'PresenceResult' } },
    errors: [400, 401, 403, 404, 413, 415, 500],
  },
  'POST /agents/me/next': {
    summary: 'Pull the next case',
    description: 'The highest-priority, oldest queued case the agent qualifies for, assigned now.',
    tag: 'Agents',
    responses: { 200: { description: 'The case, or `case: null` when nothing is waiting.', schema: 'NextCase', etag: true } },
    errors: [401, 500],
  },
  'GET /admin/config': {
    summary: 'The current routing configuration',
    tag: 'Admin',
    responses: { 200: { description: 'The stored configuration and its version.', schema: 'StoredConfiguration', etag: true } },
    errors: [401, 403, 404, 500],
  },
  'PUT /admin/config': {
    summary: 'Apply a routing configuration',
    description: 'Admins. Validated in full (errors name the JSON path), stored as a new version, and applied without losing or stranding a case.',
    tag: 'Admin',
    body: 'RoutingConfiguration',
    ifMatch: true,
    responses: { 200: { description: 'Applied.', schema: 'ConfigurationApplied', etag: true } },
    errors: [400, 401, 403, 409, 412, 413, 415, 500],
  },
  'POST /admin/config/validate': {
    summary: 'Check a routing configuration without applying it',
    description:
      'Admins. A dry run of `PUT /admin/config`: the same validation in full (the schema and every cross-reference: unknown agents, queues, calendars, territories, priorities, patterns; the triage model stored), answered with the same errors naming the JSON path, and when valid what applying it would add, remove or change by id. Writes nothing.',
    tag: 'Admin',
    body: 'RoutingConfiguration',
    responses: { 200: { description: 'Valid: what applying it would change.', schema: 'ConfigurationDryRun' } },
    errors: [400, 401, 403, 413, 415, 500],
  },
  // Reports (functions/handlers/reports.ts; docs/reports-and-mining.md)
  'GET /reports': {
    summary: 'The reports there are',
    description: 'Managers and admins. Names, paths and parameters of the reports, and the export formats.',
    tag: 'Reports',
    responses: { 200: { description: 'The report catalogue.' } },
    errors: [401, 403, 500],
    storeFree: true,
  },
  'GET /reports/{name}': {
    summary: 'A report for a period',
    description:
      "Managers and admins. `summary`, `volume`, `response-times`, `sla`, `first-contact-resolution`, `reassignments`, `on-hold`, `agents` or `backlog`, for the UTC days `from`…`to` (at most 366), filtered by queue, territory, channel, priority and type. Times are in business time of each case's SLA calendar. Every figure is defined in docs/reports-and-mining.md.",
    tag: 'Reports',
    query: ReportQuery,
    responses: {
      200: {
        description:
          'The report: its period (days and instants), `asOf`, the filters and `casesWithActivity`, then the sections asked for. Period figures count within the period; point-in-time figures carry their instant (`backlog.openNow` with `backlog.asOf`, `onHold.ongoingAtEnd` with its `at`).',
        schema: 'Report',
      },
    },
    errors: [400, 401, 403, 404, 500, 503],
  },
  'GET /exports/events': {
    summary: 'The event log of a period',
    description:
      'Managers and admins. Every case event of the UTC days `from`…`to` as CSV (`text/csv`), XES (`application/xml`) or OCEL 2.0 JSON, as a download; gzip-encoded when the request accepts it. 413 when the export is too big for one response: export a shorter period.',
    tag: 'Reports',
    query: ExportQuery,
    responses: { 200: { description: 'The event log file.' } },
    errors: [400, 401, 403, 413, 500],
  },
  // Slack's request URLs (functions/handlers/slack.ts; docs/slack.md)
  'POST /slack/events': {
    summary: 'Slack Events API',
    description:
      "Slack only: every request must carry a valid `X-Slack-Signature` (v0 HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's signing secret) and an `X-Slack-Request-Timestamp` within five minutes; a signature seen before is refused (401). Answers the URL verification challenge; messages in a swarm's channel or thread become internal notes by their author's agent. A retried event (`X-Slack-Retry-Num`) is recognised by its `event_id` and acknowledged without acting twice.",
    tag: 'Public',
    responses: { 200: { description: 'Acknowledged (empty), or `{"challenge": ...}` for URL verification.' } },
    errors: [400, 401, 413, 500],
  },
  'POST /slack/interactions': {
    summary: 'Slack interactivity',
    description:
      'Slack only, signed as above (`payload=<JSON>`, form-encoded). Swarm buttons (join, leave, note, reply, resolve, close) and the forms they open, acted on as the Slack user’s agent with the same rules as the API; anyone else is told politely that nothing changed.',
    tag: 'Public',
    responses: { 200: { description: 'Acknowledged (empty), or `{"response_action": "errors", ...}` to keep a form open with its errors.' } },
    errors: [400, 401, 413, 500],
  },
  'POST /slack/commands': {
    summary: 'Slack slash command /case',
    description: 'Slack only, signed as above. `/case 00001234` shows the case, only to the user, if their agent may read it.',
    tag: 'Public',
    responses: { 200: { description: 'An ephemeral message (`response_type: ephemeral`).' } },
    errors: [400, 401, 413, 500],
  },
};

// ---------------------------------------------------------------------------------------------
// The document

type JsonObject = Record<string, unknown>;

const ref = (kind: 'schemas' | 'responses' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

function components(registry: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonObject> {
  const reg = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(registry)) reg.add(schema, { id });
  const generated = z.toJSONSchema(reg, {
    target: 'draft-2020-12',
    io,
    // Transforms (comma lists, trimming) accept any string on input; say so rather than fail.
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonObject> };
  // In an OpenAPI document a component's `$id` would rebase its references, and `$schema` is the
  // document's dialect already (jsonSchemaDialect): both are left out.
  return Object.fromEntries(Object.entries(generated.schemas).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema]));
}

/** Query parameters from a zod object schema, each with its own JSON schema and description. */
function queryParameters(schema: z.ZodType): JsonObject[] {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, { description, ...s }]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    ...(description ? { description } : {}),
    schema: s,
  }));
}

const PATH_PARAMETERS: Record<string, { description: string; pattern: string }> = {
  token: { description: 'The signed status link from the acknowledgement.', pattern: '^[A-Za-z0-9_.-]{1,120}$' },
  messageId: { description: 'The message (its `messageId`).', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
  index: { description: "The attachment's place among the message's attachments, from 0.", pattern: '^(0|[1-9][0-9]{0,3})$' },
};

function pathParameters(path: string): JsonObject[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description:
      PATH_PARAMETERS[name!]?.description ??
      (name === 'id' && path.startsWith('/cases') ? 'The case id (a ULID), or its number (1 to 8 digits).' : name === 'id' ? 'The agent id.' : undefined),
    schema: { type: 'string', pattern: PATH_PARAMETERS[name!]?.pattern ?? '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
  }));
}

function operationId(route: RouteDefinition): string {
  const words = [
    route.method.toLowerCase(),
    ...route.path
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => (w === 'id' ? 'ById' : w)),
  ];
  return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

/** The case's ETag (functions/handlers/api.ts etagOf). */
const CASE_ETAG =
  'The case\'s strong validator, from the case item alone: the version in double quotes (`"7"`), with the count of history writes since the case was last written when there are any (`"7.2"`: a customer\'s message, an event). Send it back as If-Match (matched on the version) or If-None-Match.';

function operation(route: RouteDefinition, doc: OperationDoc): JsonObject {
  const parameters = [
    ...pathParameters(route.path),
    ...(doc.query ? queryParameters(doc.query) : []),
    ...(doc.ifMatch ? [ref('parameters', 'IfMatch')] : []),
    ...(doc.ifNoneMatch ? [ref('parameters', 'IfNoneMatch')] : []),
  ];
  const responses: JsonObject = {};
  for (const [status, r] of Object.entries(doc.responses)) {
    const headers: JsonObject = {
      ...(r.etag ? { ETag: { description: typeof r.etag === 'string' ? r.etag : CASE_ETAG, schema: { type: 'string' } } } : {}),
      ...(r.location ? { Location: { description: 'Where the case is: `/cases/{id}`.', schema: { type: 'string' } } } : {}),
    };
    responses[status] = {
      description: r.description,
      ...(Object.keys(headers).length ? { headers } : {}),
      ...(r.schema ? { content: { 'application/json': { schema: ref('schemas', r.schema) } } } : {}),
      ...(r.html ? { content: { 'text/html': { schema: { type: 'string' } } } } : {}),
    };
  }
  for (const status of new Set<ErrorStatus>([...doc.errors, ...(doc.storeFree ? [] : [503 as const])])) {
    responses[String(status)] = ref('responses', ERROR_RESPONSES[status].name);
  }
  return {
    operationId: operationId(route),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    ...(route.auth === 'jwt' ? {} : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: !doc.bodyOptional,
            content: {
              'application/json': { schema: ref('schemas', doc.body) },
              ...(doc.formBody ? { 'application/x-www-form-urlencoded': { schema: ref('schemas', doc.body) } } : {}),
            },
          },
        }
      : {}),
    responses,
  };
}

export interface OpenApiOptions {
  /** The API's base URL for `servers` (the request's own origin when served). */
  serverUrl?: string;
}

/** Builds the whole document (cheap enough, but api.ts keeps the result per server URL). */
export function buildOpenApiDocument(options: OpenApiOptions = {}): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of ROUTES as readonly RouteDefinition[]) {
    const key = `${route.method} ${route.path}` as RouteKey;
    const doc = OPERATIONS[key];
    if (!doc) throw new Error(`route ${key} has no entry in OPERATIONS (functions/handlers/api/openapi.ts)`);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, doc) };
  }
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } } };
  const errorResponses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, e]) => [
      e.name,
      {
        description: e.description,
        ...(status === '429' || status === '503' ? { headers: retryAfter } : {}),
        content: { 'application/json': { schema: ref('schemas', 'gateway' in e ? 'GatewayError' : 'Error') } },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'caseflow API',
      version: '1.0.0',
      description:
        'Case management and routing: the agent/admin API (bearer JWT from Cognito; locally `npm run -s token -- <agent>`), the public web form and the health check. Writes take `If-Match` with the case ETag and answer 412 when it is stale. A walkthrough, who may do what and the errors: docs/api.md.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'Cases', description: 'Finding, reading and opening cases.' },
      { name: 'Working a case', description: 'Status, priority, notes, reassignment, replies and swarms.' },
      { name: 'Agents', description: 'The calling agent, presence, the next case.' },
      { name: 'Admin', description: 'The routing configuration (admins).' },
      { name: 'Reports', description: 'Reports and the event-log export (managers and admins).' },
      { name: 'Public', description: 'No token needed.' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito ID or access token; roles come from `cognito:groups` (agent, manager, admin).',
        },
      },
      parameters: {
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description:
            'The ETag you read (`"7"`: the version in double quotes; `"7.2"` when history arrived since the case was last written), or `*`. The write happens only if the case is still at that version (history others added since, such as a customer\'s message, does not conflict); otherwise 412. A value that is not an ETag this API issues (`W/"7"`, `"07"`, `"0x10"`, a list) never matches: 412 as well.',
          schema: { type: 'string', pattern: '^(\\*|"(0|[1-9][0-9]*)(\\.[1-9][0-9]*)?")$' },
        },
        IfNoneMatch: { name: 'If-None-Match', in: 'header', required: false, description: 'An ETag you hold: 304 when unchanged.', schema: { type: 'string' } },
      },
      responses: errorResponses,
      schemas: {
        ...components({ ...responseSchemas().RESPONSE_COMPONENTS, ...reportResponseSchemas().REPORT_RESPONSE_COMPONENTS }, 'output'),
        ...components(REQUEST_COMPONENTS, 'input'),
      },
    },
  };
}
