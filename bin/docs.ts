/**
 * `npm run docs`: writes the documentation pages that are generated from the code, so they cannot
 * drift from it.
 *
 *   docs/configuration-reference.md  every field of the routing configuration: from the zod schema
 *                                    (functions/core/config.ts) by zod's own z.toJSONSchema
 *   docs/openapi.json                the OpenAPI 3.1 document the API serves at GET /openapi.json
 *   docs/api-reference.md            that document as a readable list of endpoints
 *
 * `npm run docs -- --check` writes nothing and exits 1 when a committed page is stale;
 * test/unit/docs.test.ts does the same inside `npm test`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { configSchemas } from '../functions/core/config.js';
import { buildOpenApiDocument } from '../functions/handlers/api/openapi.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface GeneratedDoc {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

export function generatedDocs(): GeneratedDoc[] {
  const openApi = buildOpenApiDocument();
  return [
    { path: 'docs/configuration-reference.md', content: renderConfigurationReference() },
    { path: 'docs/openapi.json', content: `${JSON.stringify(openApi, null, 2)}\n` },
    { path: 'docs/api-reference.md', content: renderApiReference(openApi as unknown as OpenApi) },
  ];
}

// ---------------------------------------------------------------------------------------------
// The configuration reference, from the JSON Schema of RoutingConfigSchema
// ---------------------------------------------------------------------------------------------

/** The parts of a JSON Schema (2020-12, as zod emits it) this page reads. */
interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

interface Row {
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

/** zod writes a safe-integer range on every `.int()`: not a limit anyone chose, so not shown. */
const SAFE = Number.MAX_SAFE_INTEGER;

export function renderConfigurationReference(): string {
  const root = z.toJSONSchema(configSchemas().RoutingConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const defs = root.$defs ?? {};
  const resolve = (s: JsonSchema): JsonSchema => (s.$ref ? (defs[s.$ref.replace('#/$defs/', '')] ?? {}) : s);
  // The recursive condition tree (ConditionNodeSchema, titled `condition`) is described once, in its own section.
  const isCondition = (s: JsonSchema) => s.title === 'condition' || resolve(s).title === 'condition';
  const formats = new Map<string, JsonSchema>();
  const longDefaults: { path: string; value: unknown }[] = [];

  const typeOf = (schema: JsonSchema): string => {
    if (isCondition(schema)) return '[condition](#conditions)';
    const s = resolve(schema);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) return alternatives.map((alt) => (alt.properties ? `\`{ ${Object.keys(alt.properties).join(', ')} }\`` : typeOf(alt))).join(' or ');
    if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
    if (s.enum) return `one of ${s.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
    if (s.title) {
      if (!formats.has(s.title)) formats.set(s.title, s);
      return s.title;
    }
    switch (s.type) {
      case 'string':
        if (s.format === 'email') return 'email address';
        return `text${lengthOf(s)}`;
      case 'integer':
      case 'number':
        return `${s.type === 'integer' ? 'integer' : 'number'}${rangeOf(s)}`;
      case 'boolean':
        return 'true or false';
      case 'array':
        return `list${s.minItems ? ` (at least ${s.minItems})` : ''} of ${s.items ? typeOf(s.items) : 'anything'}`;
      case 'object': {
        if (s.properties) return 'object';
        const value = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
        const key = s.propertyNames?.enum ? s.propertyNames.enum.map((k) => `\`${String(k)}\``).join(' / ') : 'name';
        return `map of ${key} ▶ ${value ? typeOf(value) : 'anything'}`;
      }
      default:
        return 'anything';
    }
  };

  const rows = (schema: JsonSchema, path: string, required: boolean, out: Row[]): Row[] => {
    const s = resolve(schema);
    if (path) {
      const row: Row = { path, type: typeOf(schema), required, description: schema.description ?? s.description ?? '' };
      if (s.default !== undefined || schema.default !== undefined) row.default = schema.default ?? s.default;
      out.push(row);
    }
    if (isCondition(schema) && path) return out;
    if (s.properties) {
      for (const [name, child] of Object.entries(s.properties)) rows(child, path ? `${path}.${name}` : name, (s.required ?? []).includes(name), out);
    }
    // The fields of a list's elements and of a map's entries; the list or map itself has its row.
    const value = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    if (value && (resolve(value).properties || resolve(value).items?.properties)) {
      const start = out.length;
      rows(value, `${path}.<${keyName(s)}>`, true, out);
      out.splice(start, 1);
    }
    if (s.items && resolve(s.items).properties && !isCondition(s.items)) {
      const start = out.length;
      rows(s.items, `${path}[]`, true, out);
      out.splice(start, 1);
    }
    if (s.anyOf && !isCondition(s)) {
      for (const alt of s.anyOf) {
        for (const [name, child] of Object.entries(alt.properties ?? {})) rows(child, `${path}.${name}`, false, out);
      }
    }
    return out;
  };

  const sections = Object.entries(root.properties ?? {}).map(([name, schema]) => {
    const all = rows(schema, name, (root.required ?? []).includes(name), []);
    return { name, top: all[0]!, rows: all };
  });
  const condition = Object.values(defs).find((d) => d.anyOf?.some((alt) => alt.properties?.field && alt.properties.op));
  const conditionRows = condition ? conditionTable(condition, typeOf) : [];

  const defaultCell = (row: Row): string => {
    if (row.default === undefined) return row.required ? '**required**' : '';
    const json = JSON.stringify(row.default);
    if (json.length <= 60) return `\`${json}\``;
    longDefaults.push({ path: row.path, value: row.default });
    return `[see below](#${slug(`default of ${row.path}`)})`;
  };
  const table = (list: Row[]) => [
    '| field | type | default | description |',
    '| ----- | ---- | ------- | ----------- |',
    ...list.map((r) => `| \`${r.path}\` | ${cell(r.type)} | ${defaultCell(r)} | ${cell(r.description)} |`),
  ];

  const lines: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs` from functions/core/config.ts: do not edit by hand. npm test fails when this page is stale. -->',
    '',
    'Every field of the routing configuration, generated from the zod schema the configuration is parsed',
    'with ([`functions/core/config.ts`](../functions/core/config.ts)), so it says exactly what `PUT /admin/config`',
    'and `npm run config -- validate` accept. What the sections are for and how they work together:',
    '[configuration.md](configuration.md).',
    '',
    'Paths: `a.b` is a field of an object, `a[]` an element of a list, `a.<name>` an entry of a map whose',
    'names you choose. A default applies when the field is left out; **required** fields have none.',
    'Beyond the types, every reference must resolve (a queue, agent, calendar, territory or priority level',
    'named anywhere must exist), ids are unique within their list, and the whole document is checked on',
    'apply, never on use: errors name the JSON path at fault.',
    '',
    '## Top level',
    '',
    ...table(sections.map((s) => s.top)),
    '',
  ];
  for (const section of sections) {
    const nested = section.rows.slice(1);
    if (nested.length === 0) continue;
    lines.push(`## ${section.name}`, '', ...table(nested), '');
  }
  if (condition) {
    lines.push(
      '## Conditions',
      '',
      'Rules (`rules[].when`) and SLA policies (`slaPolicies[].when`) match cases with a condition, or with a group',
      'of them: an object with exactly one of `all`, `any`, `not`, holding a list of conditions or groups.',
      '',
      ...table(conditionRows),
      '',
    );
  }
  lines.push('## Value formats', '', '| format | what it accepts |', '| ------ | --------------- |');
  for (const [title, s] of [...formats].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`| ${cell(title)} | ${cell(formatDescription(s))} |`);
  }
  lines.push('');
  if (longDefaults.length > 0) {
    lines.push('## Long defaults', '');
    for (const d of longDefaults) lines.push(`### Default of ${d.path}`, '', '```json', JSON.stringify(d.value, null, 2), '```', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function conditionTable(def: JsonSchema, typeOf: (s: JsonSchema) => string): Row[] {
  const out: Row[] = [];
  for (const alt of def.anyOf ?? []) {
    for (const [name, child] of Object.entries(alt.properties ?? {})) {
      out.push({
        path: name,
        type: typeOf(child),
        // `all`, `any` and `not` are alternatives: required only within a condition (`field`, `op`).
        required: Object.keys(alt.properties ?? {}).length > 1 && (alt.required ?? []).includes(name),
        description: child.description ?? '',
        ...(child.default !== undefined ? { default: child.default } : {}),
      });
    }
  }
  return out;
}

function keyName(s: JsonSchema): string {
  return s.propertyNames?.enum ? 'day' : 'name';
}

function lengthOf(s: JsonSchema): string {
  const min = s.minLength ?? 0;
  if (s.maxLength !== undefined) return ` (${min}–${s.maxLength} characters)`;
  if (min > 1) return ` (at least ${min} characters)`;
  return min === 1 ? ' (not empty)' : '';
}

function rangeOf(s: JsonSchema): string {
  const min = s.minimum !== undefined && Math.abs(s.minimum) < SAFE ? s.minimum : undefined;
  const max = s.maximum !== undefined && Math.abs(s.maximum) < SAFE ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

function formatDescription(s: JsonSchema): string {
  const parts = [s.type === 'string' ? 'text' : (s.type ?? 'any value')];
  if (s.minLength !== undefined || s.maxLength !== undefined)
    parts.push(
      lengthOf(s)
        .trim()
        .replace(/^\(|\)$/g, ''),
    );
  if (s.pattern) parts.push(`matching \`${s.pattern}\``);
  if (s.title === 'IANA time zone') parts.push('a zone name the runtime knows (`Europe/Berlin`, `America/New_York`, `UTC`)');
  if (s.title === 'ISO-8601 duration') parts.push('e.g. `PT30S`, `PT4H`, `P1D`, `P1DT12H`');
  return parts.join(', ');
}

/** A table cell: pipes escaped, no line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

// ---------------------------------------------------------------------------------------------
// The endpoint reference, from the OpenAPI document
// ---------------------------------------------------------------------------------------------

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: ({ name?: string; in?: string; required?: boolean; description?: string; $ref?: string } & Record<string, unknown>)[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
  responses?: Record<string, { description?: string; $ref?: string }>;
}

interface OpenApi {
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export function renderApiReference(doc: OpenApi): string {
  const schemas = doc.components?.schemas ?? {};
  const lines: string[] = [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs` from functions/handlers/api/openapi.ts: do not edit by hand. npm test fails when this page is stale. -->',
    '',
    'Every route of the HTTP API, from the OpenAPI 3.1 document it serves at `GET /openapi.json` (no token',
    'needed; committed as [openapi.json](openapi.json) for tools that want a file). Request and response',
    'schemas, with every field and limit, are in that document. The walkthrough, who may do what and the',
    'error table are in [api.md](api.md).',
    '',
  ];
  for (const tag of doc.tags ?? []) {
    const ops: [string, string, OpenApiOperation][] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) if (op.tags?.includes(tag.name)) ops.push([method.toUpperCase(), path, op]);
    }
    if (ops.length === 0) continue;
    lines.push(`## ${tag.name}`, '', tag.description ?? '', '');
    for (const [method, path, op] of ops) {
      lines.push(`### \`${method} ${path}\``, '', `**${op.summary ?? ''}**${op.security && op.security.length === 0 ? ' (no token)' : ''}`, '');
      if (op.description) lines.push(op.description, '');
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      if (query.length > 0) {
        lines.push('| query parameter | meaning | default |', '| --------------- | ------- | ------- |');
        for (const p of query) {
          const fallback = (p.schema as JsonSchema | undefined)?.default;
          const name = `\`${p.name}\`${p.required ? ' (required)' : ''}`;
          lines.push(`| ${name} | ${cell(p.description ?? '')} | ${fallback === undefined ? '' : `\`${JSON.stringify(fallback)}\``} |`);
        }
        lines.push('');
      }
      const headers = (op.parameters ?? [])
        .filter((p) => p.$ref)
        .map(
          (p) =>
            `\`${p
              .$ref!.split('/')
              .pop()!
              .replace(/([a-z])([A-Z])/g, '$1-$2')}\``,
        );
      if (headers.length > 0) lines.push(`Headers: ${headers.join(', ')}.`, '');
      const bodyRef = Object.values(op.requestBody?.content ?? {})[0]?.schema?.$ref;
      if (bodyRef) {
        const name = bodyRef.split('/').pop()!;
        const props = Object.entries(schemas[name]?.properties ?? {}).map(([prop, schema]) => {
          const values = schema.enum ?? schema.anyOf?.flatMap((alt) => alt.enum ?? []);
          return values && values.length > 0 ? `\`${prop}\` (one of ${values.map((v) => `\`${String(v)}\``).join(', ')})` : `\`${prop}\``;
        });
        lines.push(`Body: \`${name}\`${props.length > 0 ? ` (${props.join(', ')})` : ''}.`, '');
      }
      const answers = Object.entries(op.responses ?? {}).filter(([, r]) => !r.$ref);
      const errors = Object.entries(op.responses ?? {})
        .filter(([, r]) => r.$ref)
        .map(([status]) => status);
      for (const [status, r] of answers) lines.push(`- ${status}: ${r.description ?? ''}`);
      if (errors.length > 0) lines.push(`- errors: ${errors.join(', ')} ([what each means](api.md#errors))`);
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------

async function stale(doc: GeneratedDoc): Promise<boolean> {
  const current = await readFile(new URL(doc.path, pathToFileURL(ROOT)), 'utf8').catch(() => undefined);
  return current !== doc.content;
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  let outdated = 0;
  for (const doc of generatedDocs()) {
    if (!(await stale(doc))) {
      console.log(`${doc.path}: up to date`);
      continue;
    }
    if (check) {
      console.error(`${doc.path}: stale (run npm run docs)`);
      outdated++;
    } else {
      await writeFile(new URL(doc.path, pathToFileURL(ROOT)), doc.content);
      console.log(`${doc.path}: written`);
    }
  }
  return outdated > 0 ? 1 : 0;
}

if (fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('docs failed:', error);
      process.exit(1);
    },
  );
}
