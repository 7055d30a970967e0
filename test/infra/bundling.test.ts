import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isCdkDeployHandler, synthCaseflow, type Resources } from '../support/synth.js';

const CREATE_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

let assetDirs: [string, string][];
/** The staged folders of the console's deployments' sources: the Vite build, and config.json. */
let consoleSourceDirs: string[];

// The one synth that runs esbuild (locally, no Docker), as `npm run synth` does.
beforeAll(() => {
  const { app, template } = synthCaseflow({ bundle: true });
  const outdir = app.synth().directory;
  assetDirs = Object.entries(template.toJSON().Resources as Resources)
    .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !isCdkDeployHandler(id))
    .map(([id, fn]) => [id, join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`)]);
  consoleSourceDirs = Object.values(template.toJSON().Resources as Resources)
    .filter((r) => r.Type === 'Custom::CDKBucketDeployment')
    .flatMap((r) => r.Properties.SourceObjectKeys as string[])
    .map((key) => join(outdir, `asset.${key.replace(/\.zip$/, '')}`));
});

describe('function bundles', () => {
  it('are one ESM file per function, with a source map', () => {
    expect(assetDirs).toHaveLength(11); // web-to-case, api, reports, slack, six workflow tasks, sweep
    for (const [id, dir] of assetDirs) {
      expect(existsSync(join(dir, 'index.mjs')), id).toBe(true);
      expect(existsSync(join(dir, 'index.mjs.map')), id).toBe(true);
    }
  });

  it('start with the createRequire banner so bundled CommonJS dependencies can require()', () => {
    for (const [id, dir] of assetDirs) {
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8').startsWith(CREATE_REQUIRE_BANNER), id).toBe(true);
    }
  });

  it('load on their own, without node_modules (the AWS SDK is bundled, not taken from the runtime), and export handler', () => {
    for (const [id, dir] of assetDirs) {
      // A child process in the asset directory: nothing up its path has a node_modules to fall back on.
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
        if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`;
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
