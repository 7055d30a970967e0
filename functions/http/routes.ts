/**
 * Every HTTP route, declared once. The CDK HTTP API creates exactly these routes (JWT authorizer
 * on every `auth: 'jwt'` route), the local gateway dispatches by this table, and the API
 * handler's router matches the same patterns, so a route cannot exist in one place and not another.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RouteTarget = 'api' | 'web-to-case' | 'reports' | 'slack';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway route syntax: `/cases/{id}` */
  readonly path: string;
  readonly target: RouteTarget;
  readonly auth: 'public' | 'jwt';
}

export const ROUTES = [
  { method: 'GET', path: '/health', target: 'api', auth: 'public' },
  { method: 'GET', path: '/openapi.json', target: 'api', auth: 'public' },
  { method: 'GET', path: '/web-to-case', target: 'web-to-case', auth: 'public' },
  { method: 'POST', path: '/web-to-case', target: 'web-to-case', auth: 'public' },
  { method: 'GET', path: '/web-to-case/options', target: 'web-to-case', auth: 'public' },
  // The customer's status page: the signed, expiring link is the key (functions/core/status-link.ts).
  { method: 'GET', path: '/status/{token}', target: 'api', auth: 'public' },
  { method: 'POST', path: '/status/{token}/messages', target: 'api', auth: 'public' },
  { method: 'GET', path: '/cases', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases', target: 'api', auth: 'jwt' },
  { method: 'GET', path: '/cases/search', target: 'api', auth: 'jwt' },
  { method: 'GET', path: '/cases/{id}', target: 'api', auth: 'jwt' },
  { method: 'PATCH', path: '/cases/{id}', target: 'api', auth: 'jwt' },
  { method: 'GET', path: '/cases/{id}/messages/{messageId}/attachments/{index}', target: 'api', auth: 'jwt' },
  { method: 'GET', path: '/agents', target: 'api', auth: 'jwt' },
  { method: 'GET', path: '/agents/me', target: 'api', auth: 'jwt' },
  { method: 'PUT', path: '/agents/me/presence', target: 'api', auth: 'jwt' },
  { method: 'PUT', path: '/agents/{id}/presence', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/agents/me/next', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/accept', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/decline', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/status', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/priority', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/notes', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/reassign', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/replies', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/uploads', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/swarm', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/swarm/join', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/cases/{id}/swarm/leave', target: 'api', auth: 'jwt' },
  { method: 'GET', path: '/admin/config', target: 'api', auth: 'jwt' },
  { method: 'PUT', path: '/admin/config', target: 'api', auth: 'jwt' },
  { method: 'POST', path: '/admin/config/validate', target: 'api', auth: 'jwt' },
  // Reports and the event-log export (managers, admins): a read-only function of their own.
  { method: 'GET', path: '/reports', target: 'reports', auth: 'jwt' },
  { method: 'GET', path: '/reports/{name}', target: 'reports', auth: 'jwt' },
  { method: 'GET', path: '/exports/events', target: 'reports', auth: 'jwt' },
  // Slack's request URLs (docs/slack.md): public, because Slack signs its requests instead of sending a
  // token; the handler verifies the signature before it reads anything.
  { method: 'POST', path: '/slack/events', target: 'slack', auth: 'public' },
  { method: 'POST', path: '/slack/interactions', target: 'slack', auth: 'public' },
  { method: 'POST', path: '/slack/commands', target: 'slack', auth: 'public' },
] as const satisfies readonly RouteDefinition[];

/** One route of the table, as its literal type. */
export type Route = (typeof ROUTES)[number];

/** The routes a function serves. */
export type RouteOf<T extends RouteTarget> = Extract<Route, { target: T }>;

/**
 * A route's key, `GET /cases/{id}`: the union of the keys of the routes given (all of them by
 * default). A handler table typed `Record<RouteKey<RouteOf<'api'>>, ...>` has exactly one entry per
 * route of its function: a missing or an extra one does not compile.
 */
export type RouteKey<R extends RouteDefinition = Route> = R extends RouteDefinition ? `${R['method']} ${R['path']}` : never;

export function routeKey<R extends RouteDefinition>(route: R): RouteKey<R> {
  return `${route.method} ${route.path}` as RouteKey<R>;
}

/** The routes of one function, typed as such. */
export function routesOf<T extends RouteTarget>(target: T): readonly RouteOf<T>[] {
  return ROUTES.filter((r): r is RouteOf<T> => r.target === target);
}

/** Matches a concrete path against a route pattern, returning the path parameters or undefined. */
export function matchRoutePath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith('{') && w.endsWith('}')) {
      params[w.slice(1, -1)] = decodeURIComponent(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** Finds the route for a method and path; distinguishes "no such path" (404) from "wrong method" (405). */
export function findRoute<R extends RouteDefinition>(
  routes: readonly R[],
  method: string,
  path: string,
): { route: R; params: Record<string, string> } | { route: undefined; allowed: HttpMethod[] } {
  const allowed: HttpMethod[] = [];
  // Literal segments win over parameters (`/agents/me/presence` before `/agents/{id}/presence`).
  const ordered = [...routes].sort((a, b) => paramCount(a.path) - paramCount(b.path));
  for (const route of ordered) {
    const params = matchRoutePath(route.path, path);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { route, params };
    allowed.push(route.method);
  }
  return { route: undefined, allowed };
}

function paramCount(path: string): number {
  return (path.match(/\{/g) ?? []).length;
}
