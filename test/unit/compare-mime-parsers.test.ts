import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareMimeParsers, emailsDirOf } from '../../bin/compare-mime-parsers.js';
import { EMAIL_FIXTURES_DIR, FIXTURES_DIR } from '../support/email-fixtures.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('bin/compare-mime-parsers.ts', () => {
  it('scores the parsers over a corpus folder: caseflow’s adapter meets every expectation of the fixtures, the libraries miss raw 8-bit headers', async () => {
    const scores = await compareMimeParsers(EMAIL_FIXTURES_DIR);
    expect(scores.map((s) => s.parser)).toEqual(['mailparser', 'postal-mime', 'caseflow']);
    const caseflow = scores.find((s) => s.parser === 'caseflow')!;
    expect(caseflow.total).toBeGreaterThanOrEqual(50);
    expect(caseflow.failures).toEqual([]);
    expect(caseflow.errors).toBe(0);
    for (const library of scores.filter((s) => s.parser !== 'caseflow')) {
      expect(
        library.failures.map((f) => `${f.file} ${f.check.field}`),
        library.parser,
      ).toEqual(['emails/charsets/raw-8bit-latin1-headers.eml subject', 'emails/charsets/raw-8bit-latin1-headers.eml from']);
    }
  });

  it('finds the emails/ folder of a corpus folder, or says what is missing', () => {
    expect(emailsDirOf(FIXTURES_DIR)).toEqual({ dir: EMAIL_FIXTURES_DIR.replace(/\/$/, '') });
    expect(emailsDirOf(undefined)).toEqual({ problem: 'no corpus folder given: pass --data-dir DIR or set CASEFLOW_DATA_DIR' });
    const missing = join(REPO, 'no-such-corpus');
    expect(emailsDirOf(missing)).toEqual({
      problem: `${join(missing, 'emails', 'emails_index.json')} does not exist (--data-dir / CASEFLOW_DATA_DIR is ${missing})`,
    });
  });

  it('exits 2 with what it needs when run without a corpus folder', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.CASEFLOW_DATA_DIR;
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npx', ['tsx', 'bin/compare-mime-parsers.ts'], { cwd: REPO, env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('no corpus folder given: pass --data-dir DIR or set CASEFLOW_DATA_DIR');
    expect(stderr).toContain('the folder holding emails/emails_index.json');
  }, 90_000);
});
