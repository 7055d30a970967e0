/**
 * Zod issues become field errors in one place (functions/core/field-issues.ts). These tests pin the
 * rules every parser of outside input shares: one message per field, whatever the input; an unknown
 * key named by its full path; "is required" for a missing required value. The properties run over the
 * real schemas: the web submission and every request body of the API.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from '../../functions/composition/env.js';
import { ValidationError } from '../../functions/core/errors.js';
import { parseOrThrow } from '../../functions/core/field-issues.js';
import { WebSubmissionSchema, parseWebSubmission } from '../../functions/core/intake.js';
import { REQUEST_COMPONENTS } from '../../functions/handlers/api/schemas.js';
import { renderForm } from '../../functions/handlers/web-to-case/form-page.js';

function issuesOf(parse: () => unknown): { field: string; message: string }[] {
  try {
    parse();
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [...error.issues];
  }
}

const duplicates = (fields: string[]) => fields.filter((f, i) => fields.indexOf(f) !== i);

/** Values of every shape a client can send for one field. */
const anyValue = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', 'x', 'not-an-email', 'a@b', 'a@example.com', '@example.com', 'a@@example.com'),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: 250, max: 400 }).map((n) => 'é'.repeat(n)),
  fc.constant('d'.repeat(20_001)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

const SUBMISSION_FIELDS = Object.keys(WebSubmissionSchema.shape);

describe('one message per field', () => {
  it('an empty email is "is required", once (form and JSON alike)', () => {
    expect(issuesOf(() => parseWebSubmission({ email: '', subject: 's', description: 'd' }))).toEqual([{ field: 'email', message: 'is required' }]);
    expect(issuesOf(() => parseWebSubmission({ email: '   ', subject: 's', description: 'd' }))).toEqual([{ field: 'email', message: 'is required' }]);
    // The form as a browser posts it with nothing filled in.
    const empty = Object.fromEntries(SUBMISSION_FIELDS.map((f) => [f, '']));
    const issues = issuesOf(() => parseWebSubmission(empty));
    expect(issues).toEqual([
      { field: 'email', message: 'is required' },
      { field: 'subject', message: 'is required' },
      { field: 'description', message: 'is required' },
    ]);
    const page = renderForm({ action: 'web-to-case', values: empty, errors: issues });
    expect(page.match(/Email is required/g)).toHaveLength(2); // once in the summary, once by the field
    expect(page.match(/<li><a href="#email">/g)).toHaveLength(1);
  });

  it('property: no submission, however malformed, gets two messages for one field', () => {
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(SUBMISSION_FIELDS.map((f) => [f, anyValue])), { requiredKeys: [] }),
        fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 3 }),
        (fields, extra) => {
          const issues = issuesOf(() => parseWebSubmission({ ...extra, ...fields }));
          const names = issues.map((i) => i.field);
          expect(duplicates(names)).toEqual([]);
          for (const name of names) expect(SUBMISSION_FIELDS).toContain(name);
          // And the re-rendered form lists each field at most once.
          const page = renderForm({ action: 'web-to-case', values: {}, errors: issues });
          for (const name of names) expect(page.split(`<li><a href="#${name}">`).length - 1).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  }, 30_000);

  it('property: no API request body gets two messages for one field', () => {
    const schemas = Object.entries(REQUEST_COMPONENTS).filter(([name]) => name !== 'RoutingConfiguration');
    const keysOf = (schema: z.ZodType): string[] => {
      const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
      return shape ? Object.keys(shape) : [];
    };
    for (const [name, schema] of schemas) {
      const keys = keysOf(schema as z.ZodType);
      fc.assert(
        fc.property(fc.record(Object.fromEntries(keys.map((k) => [k, anyValue])), { requiredKeys: [] }), (body) => {
          const issues = issuesOf(() => parseOrThrow(schema as z.ZodType, body, { root: 'body', requiredWhenMissing: true }));
          expect(duplicates(issues.map((i) => i.field)), name).toEqual([]);
        }),
        { numRuns: 80 },
      );
    }
  }, 30_000);
});

describe('unknown keys', () => {
  const Schema = z.object({ location: z.object({ country: z.string().optional(), inner: z.object({ x: z.number() }).strict().optional() }).strict() }).strict();

  it('names an unknown key by its full path, at any depth', () => {
    expect(issuesOf(() => parseOrThrow(Schema, { location: { bogus: 1 } }, { root: 'body' }))).toEqual([
      { field: 'location.bogus', message: 'is not a known field' },
    ]);
    expect(issuesOf(() => parseOrThrow(Schema, { location: { inner: { x: 1, y: 2 } }, top: 1 }, { root: 'body' }))).toEqual([
      { field: 'location.inner.y', message: 'is not a known field' },
      { field: 'top', message: 'is not a known field' },
    ]);
  });

  it('property: an unknown key added anywhere in a phone-case body is reported at its path', () => {
    const base = { subject: 's', description: 'd', contact: { email: 'a@example.com' }, account: { name: 'A' }, location: { country: 'GB' } };
    fc.assert(
      fc.property(
        fc.constantFrom<string[]>([], ['contact'], ['account'], ['location']),
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((k) => !['subject', 'description', 'contact', 'account', 'location', 'email', 'name', 'country', 'phone'].includes(k)),
        (at, key) => {
          const body = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
          const target = at.length ? body[at[0]!]! : (body as Record<string, unknown>);
          // defineProperty: a key such as `__proto__` becomes a real own key, as JSON.parse makes it.
          Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
          const issues = issuesOf(() => parseOrThrow(REQUEST_COMPONENTS.CreateCaseRequest, body, { root: 'body', requiredWhenMissing: true }));
          expect(issues).toContainEqual({ field: [...at, key].join('.'), message: 'is not a known field' });
        },
      ),
      { numRuns: 200 },
    );
  }, 30_000);
});

describe('the Lambda environment', () => {
  it('names each variable at fault once, through the same mapping', () => {
    const message = (() => {
      try {
        parseEnv({ DYNAMODB_ENDPOINT: 'not a url', WEB_RATE_LIMIT_PER_IP: '-3' });
      } catch (error) {
        return (error as Error).message;
      }
      return 'parsed';
    })();
    expect(message).toMatch(/^Invalid environment: /);
    const named = message
      .slice('Invalid environment: '.length)
      .split('; ')
      .map((part) => part.split(':')[0]);
    expect(named).toEqual(['TABLE_NAME', 'DYNAMODB_ENDPOINT', 'WEB_RATE_LIMIT_PER_IP']);
    expect(parseEnv({ TABLE_NAME: 'caseflow' })).toMatchObject({ TABLE_NAME: 'caseflow', WEB_RATE_LIMIT_PER_IP: 20 });
  });
});
