/**
 * The dependency check of `npm test` (bin/check-deps.ts) can fail: over a small tree with a
 * deliberate type-only cycle and deliberate layer breaches (test/fixtures/dependency-check), it
 * reports each of them, and nothing else.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDependencies, describeReport, layerViolations, packageOf } from '../../bin/check-deps.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/dependency-check/', import.meta.url));

describe('the dependency check', () => {
  it('finds a cycle made of type-only imports, and every layer breach', async () => {
    const report = await checkDependencies({ baseDir: FIXTURE, roots: ['functions'] });
    expect(report.files).toBe(5);
    expect(report.cycles).toEqual([['functions/core/case.ts', 'functions/core/clock.ts']]);
    expect(report.violations.map((v) => `${v.rule}: ${v.file} ▶ ${v.imports}`).sort()).toEqual([
      'adapters are injected: functions/adapters/store.ts ▶ functions/composition/root.ts',
      'core is pure: functions/core/uses-adapter.ts ▶ @aws-sdk/client-sfn',
      'core is pure: functions/core/uses-adapter.ts ▶ functions/adapters/store.ts',
    ]);
    expect(describeReport(report)[0]).toBe('5 files: 1 import cycle(s), 3 layer violation(s)');
  }, 60_000);

  it('names the package of a resolved dependency, scoped or not, and no package for a project file', () => {
    expect(packageOf('../../node_modules/@aws-sdk/client-sfn/dist-types/index.d.ts')).toBe('@aws-sdk/client-sfn');
    expect(packageOf('node_modules/zod/index.d.cts')).toBe('zod');
    expect(packageOf('node_modules/madge/node_modules/typescript/lib/typescript.d.ts')).toBe('typescript');
    expect(packageOf('functions/core/case.ts')).toBeUndefined();
  });

  it('lets the core import itself and packages that are not AWS', () => {
    const graph = {
      'functions/core/a.ts': ['functions/core/b.ts', 'node_modules/zod/index.d.cts', 'node_modules/luxon/src/luxon.d.ts'],
      'functions/core/b.ts': ['node_modules/@types/aws-lambda/index.d.ts'],
      'functions/handlers/api.ts': ['functions/composition/deps.ts', 'node_modules/@middy/core/index.d.ts'],
      'functions/composition/deps.ts': ['functions/adapters/dynamo.ts'],
      'functions/runtime/lambda.ts': ['functions/handlers/api.ts'],
      'functions/adapters/x.ts': ['lib/local/stack.ts'],
    };
    expect(layerViolations(graph).map((v) => `${v.rule}: ${v.file} ▶ ${v.imports}`)).toEqual([
      'core is pure: functions/core/b.ts ▶ @types/aws-lambda',
      'the root is not a handler: functions/runtime/lambda.ts ▶ functions/handlers/api.ts',
      'adapters are injected: functions/adapters/x.ts ▶ lib/local/stack.ts',
      'functions stand alone: functions/adapters/x.ts ▶ lib/local/stack.ts',
    ]);
  });
});
