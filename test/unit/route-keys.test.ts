/**
 * The handlers' route tables are keyed by the route union of functions/http/routes.ts. The
 * `@ts-expect-error` lines are checked by `tsc --noEmit` (in `npm test`).
 */
import { describe, expect, it } from 'vitest';
import type { RouteKey, RouteOf } from '../../functions/http/routes.js';
import { ROUTES, routeKey, routesOf } from '../../functions/http/routes.js';

describe('route keys', () => {
  it("split the table by function: each route is in exactly one function's keys", () => {
    const api = routesOf('api').map(routeKey);
    const reports = routesOf('reports').map(routeKey);
    const web = routesOf('web-to-case').map(routeKey);
    expect(api).toContain('GET /cases/{id}');
    expect(reports).toEqual(['GET /reports', 'GET /reports/{name}', 'GET /exports/events']);
    expect(web).toEqual(['GET /web-to-case', 'POST /web-to-case', 'GET /web-to-case/options']);
    const targets = [...new Set(ROUTES.map((r) => r.target))];
    expect(targets.flatMap((t) => routesOf(t).map(routeKey)).sort()).toEqual(ROUTES.map(routeKey).sort());
    expect(new Set(ROUTES.map(routeKey)).size).toBe(ROUTES.length);
  });

  it('make a handler table with a missing or an extra route fail to compile', () => {
    type Reports = Record<RouteKey<RouteOf<'reports'>>, number>;
    const complete: Reports = { 'GET /reports': 1, 'GET /reports/{name}': 2, 'GET /exports/events': 3 };
    // @ts-expect-error: GET /exports/events has no entry
    const missing: Reports = { 'GET /reports': 1, 'GET /reports/{name}': 2 };
    // @ts-expect-error: GET /cases is the api function's route, not the reports function's
    const extra: Reports = { ...complete, 'GET /cases': 4 };
    // @ts-expect-error: no such route
    const key: RouteKey = 'GET /case/{id}';
    expect([Object.keys(complete).length, Object.keys(missing).length, Object.keys(extra).length, key]).toEqual([3, 2, 4, 'GET /case/{id}']);
  });
});
