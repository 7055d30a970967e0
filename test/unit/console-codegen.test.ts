/**
 * The console's generated files (console/codegen/generate.ts) are current: the typed API client
 * (console/src/api/schema.d.ts, from the OpenAPI document) and the configuration's JSON Schema
 * (from the zod schema). Change a route, a response schema or the configuration schema without
 * running `npm run console:codegen`, and this fails; so the console cannot drift from the API.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';

const run = promisify(execFile);
const ARGS = ['--import', 'tsx', 'console/codegen/generate.ts', '--check'];
const temp: string[] = [];

async function check(root?: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [...ARGS, ...(root ? ['--root', root] : [])], { cwd: REPO_ROOT, timeout: 60_000 });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

describe('the console code generated from the server definitions', () => {
  it('is current in the repository', async () => {
    const result = await check();
    expect(result.stderr).toContain('generated files are current');
    expect(result.code).toBe(0);
  }, 60_000);

  it('is reported stale, file by file, when it differs from what the server definitions give', async () => {
    const root = await mkdtemp(join(tmpdir(), 'caseflow-codegen-'));
    temp.push(root);
    await cp(join(REPO_ROOT, 'console/src'), join(root, 'console/src'), { recursive: true });
    const types = join(root, 'console/src/api/schema.d.ts');
    // As if GET /agents had been added to the API after the types were generated.
    await writeFile(types, (await readFile(types, 'utf8')).replace(/^ {4}"\/agents": \{[\s\S]*?^ {4}\};\n/m, ''));
    const result = await check(root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('console/src/api/schema.d.ts');
    expect(result.stderr).not.toContain('config.schema.json');
  }, 60_000);
});
