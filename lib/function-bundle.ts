import type { BuildOptions } from 'esbuild';
import { REPO_ROOT } from './paths.js';

/** CommonJS dependencies inside an ESM bundle still call require(); this banner gives them one (in every chunk). */
export const CREATE_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The entry file of every function's bundle; the Lambda handler is `index.handler`. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

/**
 * The esbuild options every caseflow function is bundled with, for lib/caseflow-function.ts (what is
 * deployed) and bench/coldstart.ts (what is measured): ESM for node22, minified, the AWS SDK bundled.
 *
 * With `split` (how functions are deployed), what a handler loads with `import()` goes to chunks of
 * its own beside `index.mjs`, read only when first imported; in one file, Node parses it on every
 * cold start although it is not evaluated (docs/costs.md#cold-start). Without `split`, everything is
 * in `index.mjs` (the bench keeps that as the comparison).
 */
export function functionBundleOptions(entry: string | { source: string }, outdir: string, split = true): BuildOptions {
  return {
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.source, resolveDir: REPO_ROOT, loader: 'js' } }),
    outdir,
    entryNames: 'index',
    outExtension: { '.js': '.mjs' },
    ...(split && typeof entry === 'string' ? { splitting: true, chunkNames: 'chunk-[hash]' } : {}),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Prefer ESM entry points so esbuild can tree-shake the SDK and middy.
    mainFields: ['module', 'main'],
    banner: { js: CREATE_REQUIRE_BANNER },
    minify: true,
    // The maps ship beside the bundle for reading a stack trace offline; they cost nothing at start
    // because Node does not read them without --enable-source-maps, which is left off: that option
    // costs import time on every cold start and up to 100 ms on the first error (docs/costs.md#cold-start).
    sourcemap: true,
    sourcesContent: false,
    // Nothing is external: the SDK version we test against (package-lock.json) ships, not whatever the runtime carries.
    logLevel: 'error',
    absWorkingDir: REPO_ROOT,
  };
}
