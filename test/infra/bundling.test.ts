import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isCdkDeployHandler, synthCaseflow, type Resources } from '../support/synth.js';

const CREATE_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

let resources: Resources;
let functions: [string, Resources[string]][];
let assetDirs: [string, string][];
/** The staged folders of the console's deployments' sources: the Vite build, and config.json. */
let consoleSourceDirs: string[];

// The one synth that runs esbuild (locally, no Docker), as `npm run synth` does.
beforeAll(() => {
  const { app, template } = synthCaseflow({ bundle: true });
  const outdir = app.synth().directory;
  resources = template.toJSON().Resources as Resources;
  functions = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !isCdkDeployHandler(id));
  assetDirs = functions.map(([id, fn]) => [id, join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`)]);
  consoleSourceDirs = Object.values(template.toJSON().Resources as Resources)
    .filter((r) => r.Type === 'Custom::CDKBucketDeployment')
    .flatMap((r) => r.Properties.SourceObjectKeys as string[])
    .map((key) => join(outdir, `asset.${key.replace(/\.zip$/, '')}`));
});

/** The .mjs files of a bundle folder: index.mjs and its chunks. */
const modules = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.mjs'));

describe('function bundles', () => {
  it('are split: each function its own folder with the ESM entry index.mjs, the chunks it imports lazily, and their source maps', () => {
    expect(assetDirs).toHaveLength(11); // web-to-case, api, reports, slack, six workflow tasks, sweep
    // One bundle per function (CDK's asset cache must not hand one function's bundle to another).
    expect(new Set(assetDirs.map(([, dir]) => dir)).size).toBe(assetDirs.length);
    for (const [id, dir] of assetDirs) {
      expect(existsSync(join(dir, 'index.mjs')), id).toBe(true);
      // Every function loads something with import() (AWS clients, the language detector, ...): chunks.
      const chunks = modules(dir).filter((f) => f !== 'index.mjs');
      expect(chunks.length, id).toBeGreaterThan(0);
      for (const file of ['index.mjs', ...chunks]) expect(existsSync(join(dir, `${file}.map`)), `${id} ${file}.map`).toBe(true);
      // The entry imports chunks by relative path (statically, shared code; or with import()), so they must sit beside it.
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8'), id).toMatch(/(?:import\(|from)["']\.\/chunk-[\w-]+\.mjs["']/);
      // ...and what the function loads lazily is reached through import() of a chunk, from the entry or a chunk.
      expect(
        modules(dir).some((file) => /import\(["']\.\/chunk-[\w-]+\.mjs["']\)/.test(readFileSync(join(dir, file), 'utf8'))),
        id,
      ).toBe(true);
    }
  });

  it("hold each function's own handler, under the handler name index.handler on nodejs22.x", () => {
    const names: string[] = [];
    for (const [id, fn] of functions) {
      // The function's role is described as `caseflow <handler> function` (lib/caseflow-function.ts).
      const role = resources[fn.Properties.Role['Fn::GetAtt'][0]]!;
      const name = /^caseflow (\S+) function$/.exec(role.Properties.Description)?.[1];
      expect(name, id).toBeDefined();
      names.push(name!);
      const map = JSON.parse(readFileSync(join(new Map(assetDirs).get(id)!, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(
        map.sources.some((source) => source.endsWith(`functions/handlers/${name}.ts`)),
        `${id} bundles ${name}`,
      ).toBe(true);
      expect(fn.Properties.Handler, id).toBe('index.handler');
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
    }
    expect(new Set(names).size).toBe(functions.length);
  });

  it('start with the createRequire banner, chunks too, so bundled CommonJS dependencies can require()', () => {
    for (const [id, dir] of assetDirs) {
      for (const file of modules(dir)) {
        expect(readFileSync(join(dir, file), 'utf8').startsWith(CREATE_REQUIRE_BANNER), `${id} ${file}`).toBe(true);
      }
    }
  });

  it('load on their own, without node_modules (the AWS SDK is bundled, not taken from the runtime), export handler, and so do their lazy chunks', () => {
    for (const [id, dir] of assetDirs) {
      // A child process in the asset directory: nothing up its path has a node_modules to fall back on.
      // After the entry, every chunk is imported, as the handler's import() calls would on first use.
      const chunks = modules(dir)
        .filter((f) => f !== 'index.mjs')
        .map((f) => pathToFileURL(join(dir, f)).href);
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
        if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }
        for (const chunk of ${JSON.stringify(chunks)}) await import(chunk);`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          TABLE_NAME: 'caseflow-test',
          STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:test',
          ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:test',
        },
      });
      expect(result.stderr.slice(0, 2000), id).toBe('');
      expect(result.status, id).toBe(0);
    }
  });
});

describe("the console's build (Vite, run by the synth)", () => {
  it('is deployed from the build: index.html with no inline script or style, and its hashed assets', () => {
    const build = consoleSourceDirs.find((dir) => existsSync(join(dir, 'index.html')));
    expect(build, 'a deployment source holding index.html').toBeDefined();
    const html = readFileSync(join(build!, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" crossorigin src="\/app\/assets\/[^"]+\.js"><\/script>/);
    // Every script and stylesheet is a file of its own (the CSP has no 'unsafe-inline').
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    expect(readdirSync(join(build!, 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
  });
});
