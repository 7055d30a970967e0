/**
 * The routes anyone may call without signing in, sorted: the web form, the customer's status page,
 * GET /health, GET /openapi.json and Slack's signed routes. The infra tests hold the synthesized API
 * (its unauthenticated routes, their throttling) and the route table to this one list.
 */
export const PUBLIC_ROUTES = [
  'GET /health',
  'GET /openapi.json',
  'GET /status/{token}',
  'GET /web-to-case',
  'GET /web-to-case/options',
  'POST /slack/commands',
  'POST /slack/events',
  'POST /slack/interactions',
  'POST /status/{token}/messages',
  'POST /web-to-case',
];
