/**
 * The OpenAPI document (functions/handlers/api/openapi.ts): valid OpenAPI 3.1 by the official schema
 * (@seriousme/openapi-schema-validator), every route of ROUTES documented and nothing else, security
 * exactly on the JWT routes, error responses wired, and request schemas that agree with the zod
 * schemas the handler parses with.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { slackSwarmMessage } from '../../functions/adapters/slack-webhook.js';
import { CreateCaseBody, ReassignBody } from '../../functions/handlers/api/schemas.js';
import { OPERATIONS, buildOpenApiDocument } from '../../functions/handlers/api/openapi.js';
import type { RouteDefinition } from '../../functions/http/routes.js';
import { ROUTES } from '../../functions/http/routes.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document under test
const doc = buildOpenApiDocument({ serverUrl: 'https://api.example.com' }) as any;
const routes = ROUTES as readonly RouteDefinition[];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 by the official schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('documents every route of ROUTES, and no route that does not exist', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const declared = routes.map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual([...declared].sort());
    expect(Object.keys(OPERATIONS).sort()).toEqual([...declared].sort());
  });

  it('asks for the bearer token exactly on the JWT routes', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    for (const route of routes) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      if (route.auth === 'public') expect(op.security, `${route.method} ${route.path}`).toEqual([]);
      else {
        expect(op.security, `${route.method} ${route.path}`).toBeUndefined();
        expect(op.responses['401'], `${route.method} ${route.path}`).toEqual({ $ref: '#/components/responses/Unauthorized' });
      }
    }
  });

  it('resolves every $ref, has unique operation ids, and documents If-Match on every case write', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const raw of new Set(refs)) {
      const target = raw.slice(8, -1);
      expect(target.startsWith('#/'), target).toBe(true);
      const resolved = target
        .slice(2)
        .split('/')
        .reduce((node: unknown, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(resolved, target).toBeDefined();
    }
    const ids = routes.map((r) => doc.paths[r.path][r.method.toLowerCase()].operationId);
    expect(new Set(ids).size).toBe(ids.length);
    // Every POST under a case writes it, except asking for an upload (nothing on the case changes).
    const caseWrites = routes.filter((r) => r.method === 'POST' && r.path.startsWith('/cases/{id}/') && r.path !== '/cases/{id}/uploads');
    expect(doc.paths['/cases/{id}/uploads'].post.responses['412']).toBeUndefined();
    for (const route of caseWrites) {
      const op = doc.paths[route.path].post;
      expect(op.parameters, route.path).toContainEqual({ $ref: '#/components/parameters/IfMatch' });
      expect(op.responses['412'], route.path).toEqual({ $ref: '#/components/responses/PreconditionFailed' });
      expect(op.responses['400'], route.path).toEqual({ $ref: '#/components/responses/BadRequest' });
    }
  });

  it('describes request bodies as the handler parses them', () => {
    const create = doc.components.schemas.CreateCaseRequest;
    expect(create.required).toEqual(expect.arrayContaining(['subject', 'description', 'contact']));
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.channel).toEqual({ type: 'string', const: 'phone' });
    // What the schema says is required, zod requires too.
    const parsed = CreateCaseBody.safeParse({});
    expect(parsed.success).toBe(false);
    expect(new Set(parsed.error!.issues.map((i) => i.path[0]))).toEqual(new Set(create.required));
    expect(ReassignBody.safeParse({ agent: 'a', reason: 'r' }).success).toBe(true);
    expect(doc.paths['/cases/{id}/replies'].post.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ReplyRequest' } } },
    });
    expect(doc.paths['/cases/{id}/swarm'].post.requestBody.required).toBe(false);
    const list = doc.paths['/cases'].get.parameters.map((p: { name?: string; $ref?: string }) => p.name ?? p.$ref);
    expect(list).toEqual(['queue', 'status', 'owner', 'priority', 'channel', 'limit', 'cursor', '#/components/parameters/IfNoneMatch']);
  });

  it('describes responses: the case contract (docs/architecture.md#the-case-contract), and the error body', () => {
    const c = doc.components.schemas.Case;
    for (const field of ['caseId', 'caseNumber', 'channel', 'status', 'priority', 'subject', 'description', 'contact', 'createdAt', 'updatedAt']) {
      expect(c.required, field).toContain(field);
    }
    for (const field of ['account', 'location', 'product', 'type', 'language', 'territory', 'queue', 'owner', 'sla', 'swarm'])
      expect(c.properties, field).toHaveProperty(field);
    expect(c.additionalProperties).toEqual({}); // fields may be added, never renamed
    expect(doc.components.schemas.CaseDetail.required).toEqual(expect.arrayContaining(['messages', 'events', 'decisions']));
    expect(doc.components.schemas.Error.required).toEqual(['error', 'message']);
    expect(doc.components.responses.Unauthorized.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/GatewayError' });
    expect(doc.paths['/cases/{id}'].get.responses['200'].headers.ETag).toBeDefined();
  });
});

describe('the Slack message of a swarm', () => {
  it("has the case summary, the experts with their reasons and a link, with Slack's control characters escaped", () => {
    const message = slackSwarmMessage({
      caseId: '01J',
      caseNumber: '00001024',
      subject: 'Lamp <flickers> & hums',
      status: 'in_progress',
      priority: 'high',
      product: 'lamps',
      customer: 'Acme',
      owner: { agentId: 'luke', name: 'Luke Skywalker' },
      startedBy: 'mace',
      note: 'Ballast or starter?',
      experts: [{ agentId: 'obiwan', name: 'Obi-Wan Kenobi', score: 57, reasons: ['lamps level 4: +40', 'online: +4'] }],
      link: 'https://support.example.com/cases/01J',
    });
    expect(message.text).toBe('Swarm on case 00001024: Lamp <flickers> & hums (priority high). Experts: Obi-Wan Kenobi');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'divider', 'section', 'actions', 'context']);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('*<https://support.example.com/cases/01J|Lamp &lt;flickers&gt; &amp; hums>*');
    expect(json).toContain('1. *Obi-Wan Kenobi* (obiwan), score 57: lamps level 4: +40; online: +4');
    expect(message.blocks[4]).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Open case 00001024' }, url: 'https://support.example.com/cases/01J', action_id: 'open_case' },
      ],
    });
  });
});
