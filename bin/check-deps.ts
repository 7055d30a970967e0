/**
 * `npm run check:deps` (part of `npm test`): the import graph of functions/, lib/, bin/ and bench/
 * has no cycle, type-only imports included, and every layer imports only what it may
 * (docs/architecture.md#layers): the core nothing outside itself and no AWS package, the adapters
 * nothing of the composition root, the functions nothing of the CDK app or the local stack.
 *
 * The graph is madge's (madge 8 with its own TypeScript 5 parser, see docs/architecture.md#the-dependency-check):
 * one tool for the cycles and the layer rules, which are a dozen lines over its `obj()` graph.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

export interface LayerRule {
  name: string;
  /** The importing files: paths relative to the base directory. */
  from: RegExp;
  /** Imported files or packages the layer must not depend on. */
  forbids: { files?: RegExp; packages?: RegExp };
  why: string;
}

/** AWS SDK clients, Lambda types and runtime libraries, CDK: what a pure core must not see. */
const AWS_PACKAGES = /^(@aws-sdk\/|@smithy\/|@aws-lambda-powertools\/|@middy\/|@types\/aws-lambda$|aws-lambda$|aws-cdk|constructs$|aws-local-stepfunctions$)/;

export const LAYER_RULES: readonly LayerRule[] = [
  {
    name: 'core is pure',
    from: /^functions\/core\//,
    forbids: { files: /^(?!functions\/core\/)/, packages: AWS_PACKAGES },
    why: 'the core decides; time, ids and every store or service reach it through ports (functions/core/ports/)',
  },
  {
    name: 'adapters are injected',
    from: /^functions\/adapters\//,
    forbids: { files: /^(functions\/(composition|handlers|http|runtime)\/|lib\/|bin\/|bench\/)/ },
    why: 'adapters implement ports; what they need (a logger, a client) is passed in by the composition root',
  },
  {
    name: 'the root is not a handler',
    from: /^functions\/(composition|http|runtime)\//,
    forbids: { files: /^functions\/handlers\// },
    why: 'handlers take their dependencies from the composition root and the shared plumbing, never the other way round',
  },
  {
    name: 'functions stand alone',
    from: /^functions\//,
    forbids: { files: /^(lib|bin|bench|test)\// },
    why: 'a Lambda bundle carries no CDK app, local stack, CLI or test code',
  },
];

export interface Violation {
  rule: string;
  file: string;
  imports: string;
  why: string;
}

export interface DependencyReport {
  files: number;
  cycles: string[][];
  violations: Violation[];
  /** Imports madge could not resolve (package subpaths it does not follow); listed, not failed on. */
  skipped: string[];
}

/** The package a resolved dependency path belongs to (`node_modules/@aws-sdk/client-sfn/dist-types/index.d.ts` ▶ `@aws-sdk/client-sfn`), or undefined for a project file. */
export function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const [scope = '', name = ''] = path.slice(at + 'node_modules/'.length).split('/');
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

export function layerViolations(graph: Record<string, string[]>, rules: readonly LayerRule[] = LAYER_RULES): Violation[] {
  const violations: Violation[] = [];
  for (const [file, imports] of Object.entries(graph)) {
    for (const rule of rules) {
      if (!rule.from.test(file)) continue;
      for (const target of new Set(imports)) {
        const pkg = packageOf(target);
        const forbidden = pkg === undefined ? rule.forbids.files?.test(target) : rule.forbids.packages?.test(pkg);
        if (forbidden) violations.push({ rule: rule.name, file, imports: pkg ?? target, why: rule.why });
      }
    }
  }
  return violations;
}

export async function checkDependencies(options: { baseDir: string; roots: string[]; rules?: readonly LayerRule[] }): Promise<DependencyReport> {
  // Roots are relative to baseDir, as every path in the report is.
  const result = await madge(
    options.roots.map((root) => resolve(options.baseDir, root)),
    {
      baseDir: options.baseDir,
      fileExtensions: ['ts'],
      // npm packages stay in the graph (as node_modules paths) so the layer rules can see them.
      includeNpm: true,
      // Type-only imports make cycles too: a type cycle is still two modules that cannot be understood apart.
      detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
    },
  );
  // The project's files only (not the packages' own imports), without ambient declarations (*.d.ts).
  const graph = Object.fromEntries(Object.entries(result.obj()).filter(([file]) => packageOf(file) === undefined && !file.endsWith('.d.ts')));
  return {
    files: Object.keys(graph).length,
    cycles: result.circular(),
    violations: layerViolations(graph, options.rules),
    skipped: result.warnings().skipped,
  };
}

export function describeReport(report: DependencyReport): string[] {
  const lines = [`${report.files} files: ${report.cycles.length} import cycle(s), ${report.violations.length} layer violation(s)`];
  for (const cycle of report.cycles) lines.push(`  cycle: ${[...cycle, cycle[0]].join(' > ')}`);
  for (const v of report.violations) lines.push(`  ${v.rule}: ${v.file} imports ${v.imports} (${v.why})`);
  if (report.skipped.length > 0) lines.push(`  not followed (package subpaths): ${report.skipped.join(', ')}`);
  return lines;
}

async function main(): Promise<number> {
  const roots = ['functions', 'lib', 'bin', 'bench'];
  const baseDir = fileURLToPath(new URL('..', import.meta.url));
  console.log(`check:deps: reading the imports of ${roots.join(', ')} (madge; takes a few seconds)...`);
  const report = await checkDependencies({ baseDir, roots });
  for (const line of describeReport(report)) console.log(line);
  return report.cycles.length + report.violations.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
