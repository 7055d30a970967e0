import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/triage.js';
import { TRIAGE_FIXTURE, UNSEEN } from '../support/triage-fixture.js';

/**
 * `npm run triage` as an operator runs it on history from another system: train from a CSV file
 * into the local data directory (where the local stack reads models), list, show, predict; and bad
 * usage answered with exit 2 and a message naming what is wrong, never a stack trace.
 */

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (line) => (stdout += `${line}\n`), err: (text) => (stderr += text), tty: false });
  return { code, stdout, stderr };
}

let dir: string;
let csv: string;
let version: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-cli-'));
  csv = join(dir, 'history.csv');
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const rows = ['subject,body,category', ...TRIAGE_FIXTURE.map((r) => [quote(r.text), quote(''), r.type].join(','))];
  await writeFile(csv, `\uFEFF${rows.join('\r\n')}\r\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run triage', () => {
  it('trains one field from a CSV file, prints progress and the evaluation, and stores the version where the stack reads it', async () => {
    const r = await run(['train', '--csv', csv, '--text-column', 'subject,body', '--label-column', 'category', '--data-dir', dir]);
    expect(r.stderr).toContain(`read ${TRIAGE_FIXTURE.length} labelled rows from ${csv}`);
    expect(r.stderr).toMatch(/type: held-back round: \w+.*\d+ %/);
    expect(r.code).toBe(0);
    version = /^version (\S+) /m.exec(r.stdout)![1]!;
    expect(r.stdout).toContain(`type: ${TRIAGE_FIXTURE.length} examples in 3 labels; measured on`);
    expect(r.stdout).toMatch(/accuracy \d+\.\d %, macro-F1 \d+\.\d %/);
    expect(r.stdout).toMatch(/threshold {2}coverage {2}precision\n\s+0\.00\s+100\.0 %/);
    expect(r.stdout).toContain(`"triage": { "modelVersion": "${version}" }`);
    expect(existsSync(join(dir, 'triage-models', version, 'model.json.gz'))).toBe(true);
  });

  it('lists the stored versions, shows one, and predicts with runners-up and the words that weighed most', async () => {
    const list = await run(['list', '--data-dir', dir]);
    expect(list.code).toBe(0);
    expect(list.stdout.startsWith(`${version}  `)).toBe(true);
    expect(list.stdout).toMatch(/ {2}type \d+\.\d % {2}\(/);
    expect(list.stdout).toContain(`(${csv} (text: subject + body, label: category))`);

    const show = await run(['show', version, '--data-dir', dir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`version ${version} (`);
    expect(show.stdout).toContain('threshold  coverage  precision');

    const billing = UNSEEN.find((u) => u.type === 'billing')!;
    const predicted = await run(['predict', version, billing.text, '--data-dir', dir]);
    expect(predicted.code).toBe(0);
    const json = JSON.parse(predicted.stdout.replace(/^type /, '')) as { label: string; confidence: number; runnersUp: unknown[]; words: unknown[] };
    expect(json.label).toBe('billing');
    expect(json.confidence).toBeGreaterThan(0.34);
    expect(json.runnersUp).toHaveLength(2);
    expect(json.words.length).toBeGreaterThan(0);
  });

  const usage: [string, string[], RegExp][] = [
    ['an unknown option', ['train', '--bogus'], /Unknown option '--bogus'/],
    ['no command', [], /name a command: train, list, show or predict/],
    ['an unknown command', ['retrain'], /unknown command retrain/],
    [
      'a column the file lacks',
      ['train', '--csv', 'CSV', '--text-column', 'text', '--label-column', 'category'],
      /has no column "text" \(it has: subject, body, category\)/,
    ],
    ['a file that cannot be read', ['train', '--csv', '/no/such/file.csv', '--text-column', 'a', '--label-column', 'b'], /cannot read \/no\/such\/file\.csv/],
    ['--csv without columns', ['train', '--csv', 'CSV'], /with --csv give --text-column and --label-column/],
    [
      'a field triage does not fill',
      ['train', '--csv', 'CSV', '--text-column', 'subject', '--label-column', 'category', '--field', 'owner'],
      /--field is type, product or queue/,
    ],
    ['a held-back share out of range', ['train', '--csv', 'CSV', '--held-back', '1.5'], /--held-back takes a share between 0 and 1/],
    ['a --max-cases that is not a number', ['train', '--max-cases', 'many'], /--max-cases takes a whole number of at least 1, not "many"/],
    ['show without a version', ['show'], /name the version: npm run triage -- show VERSION/],
    ['a version that is not stored', ['show', '20990101-000000'], /no model version 20990101-000000 is stored/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 naming what is wrong: ${what}`, async () => {
      const r = await run([...args.map((a) => (a === 'CSV' ? csv : a)), '--data-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('Usage: npm run triage --');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });
  }
});
