/**
 * The typed API client: openapi-fetch over the paths generated from the API's own OpenAPI document
 * (schema.d.ts, `npm run console:codegen`), so a route or field the API does not have is a compile
 * error here. Every request carries the session's bearer token; a 401 ends the session.
 */
import createClient from 'openapi-fetch';
import type { Middleware } from 'openapi-fetch';
import { getSession, setSession } from '../auth/session';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Case = Schemas['Case'];
export type CaseDetail = Schemas['CaseDetail'];
export type Message = Schemas['Message'];
export type CaseEvent = Schemas['Event'];
export type Decision = Schemas['Decision'];
export type AgentMe = Schemas['AgentMe'];

export type ApiClient = ReturnType<typeof createClient<paths>>;

let client: ApiClient | undefined;
let base = '';

export function createApi(baseUrl: string): ApiClient {
  base = baseUrl;
  client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const session = getSession();
      if (session) request.headers.set('authorization', `Bearer ${session.token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) setSession(undefined);
      return response;
    },
  };
  client.use(auth);
  return client;
}

export function api(): ApiClient {
  if (!client) throw new Error('the API client is not set up');
  return client;
}

/** For the few calls outside the generated paths (downloads of files, routes the API gains later). */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const session = getSession();
  if (session) headers.set('authorization', `Bearer ${session.token}`);
  const res = await fetch(`${base}${path}`, { ...init, headers, cache: 'no-store' });
  if (res.status === 401) setSession(undefined);
  return res;
}

/** An API error body, as ErrorSchema describes it. */
export interface ApiError {
  status: number;
  error: string;
  message: string;
  fields?: { field: string; message: string }[];
}

export function toApiError(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as Partial<ApiError>;
  return { status, error: b.error ?? 'Error', message: b.message ?? `HTTP ${status}`, ...(b.fields ? { fields: b.fields } : {}) };
}

export class ApiFailure extends Error {
  constructor(readonly detail: ApiError) {
    super(detail.fields?.length ? `${detail.message}: ${detail.fields.map((f) => `${f.field} ${f.message}`).join('; ')}` : detail.message);
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiFailure carrying the status and fields. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  throw new ApiFailure(toApiError(result.response.status, result.error));
}

/**
 * An attachment: the API answers with a short-lived link (`AttachmentLink`: a pre-signed S3 URL in
 * AWS, a signed route of the local stack), which the browser then fetches itself (the bearer token
 * never rides in a URL).
 */
export async function downloadAttachment(caseId: string, messageId: string, index: number, name: string): Promise<void> {
  const body = unwrap(
    await api().GET('/cases/{id}/messages/{messageId}/attachments/{index}', { params: { path: { id: caseId, messageId, index: String(index) } } }),
  );
  const a = document.createElement('a');
  a.href = body.url;
  a.download = body.name ?? name;
  a.rel = 'noopener noreferrer';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Downloads a response body as a file (exports): the token cannot ride on a plain link. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await rawFetch(path);
  if (!res.ok) {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    throw new ApiFailure(toApiError(res.status, body));
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
