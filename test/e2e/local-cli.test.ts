/**
 * `npm start` as a user runs it: the real CLI in a child process, until its `ready` line, then
 * stopped with a signal. What matters: nothing is left behind, above all not DynamoDB Local's Java
 * process (365 MB each).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';
import type { LocalStackInfo } from '../../lib/local/stack-info.js';
import { processAlive, until } from '../support/polling.js';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function runCli(args: string[]): Running {
  // Its own process group, like a shell job: a group signal reaches every process, as Ctrl-C does.
  const child = spawn('npx', ['tsx', 'bin/caseflow-local.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return { child, output: () => text, exited };
}

/** Direct children of `pid` whose command is java. */
function javaChildrenOf(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'java')
    .map(([p]) => Number(p));
}

async function startCli(signalTarget: 'stack' | 'group'): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-cli-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  // Every port free-picked, so this never collides with a running `npm start` or another test.
  const run = runCli(['--port', '0', '--smtp-port', '0', '--memory', '--data-dir', dataDir]);

  const readyLine = await until(
    'the ready line',
    () => {
      if (run.child.exitCode !== null) throw new Error(`the CLI exited early (${run.child.exitCode}):\n${run.output()}`);
      return run
        .output()
        .split('\n')
        .find((l) => /\bready\b/.test(l));
    },
    { timeoutMs: 90_000, context: () => `output so far:\n${run.output()}` },
  );
  expect(
    run
      .output()
      .split('\n')
      .filter((l) => l.includes('ready')),
  ).toHaveLength(1);
  const health = /(http:\/\/127\.0\.0\.1:(\d+)\/health)/.exec(readyLine);
  expect(health, readyLine).not.toBeNull();
  expect(Number(health![2])).toBeGreaterThan(0);
  expect(readyLine).toContain(`http://127.0.0.1:${health![2]}/web-to-case`);

  const res = await fetch(health![1]!);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok' });
  // The console, built when missing, is served at /app/ and named in the ready line.
  expect(readyLine).toContain(`console http://127.0.0.1:${health![2]}/app/`);
  const app = await fetch(`http://127.0.0.1:${health![2]}/app/work`);
  expect(app.status).toBe(200);
  expect(app.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(await app.text()).toContain('<div id="root"></div>');

  const info = JSON.parse(await readFile(join(dataDir, 'local-stack.json'), 'utf8')) as LocalStackInfo;
  expect(info.url).toBe(`http://127.0.0.1:${health![2]}`);
  const java = javaChildrenOf(info.pid);
  expect(java).toHaveLength(1);

  // 'stack': only the stack's own process is told (kill <pid>); 'group': everyone, as Ctrl-C in a terminal.
  if (signalTarget === 'stack') process.kill(info.pid, 'SIGINT');
  else process.kill(-run.child.pid!, 'SIGINT');

  const exit = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the CLI did not exit after SIGINT:\n${run.output()}`)), 30_000)),
  ]);
  // Told directly, the stack exits 0 and so do tsx and npx after it. On a group SIGINT npx (npm exec)
  // received it too and ends by that signal, as a shell job does on Ctrl-C.
  if (signalTarget === 'stack') expect(exit.code, run.output()).toBe(0);
  else expect(exit.code === 0 || exit.signal === 'SIGINT', `${JSON.stringify(exit)}\n${run.output()}`).toBe(true);
  expect(run.output()).not.toContain('forced exit');
  await until('the stack process to end', () => (processAlive(info.pid) ? undefined : true), { timeoutMs: 10_000 });
  await until('DynamoDB Local (java) to end', () => (java.some(processAlive) ? undefined : true), { timeoutMs: 10_000 });
  expect(run.output()).toContain('stopped');
  await expect(readFile(join(dataDir, 'local-stack.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
}

describe('npm start (bin/caseflow-local.ts)', () => {
  it('prints one ready line with the real port, serves /health, and on SIGINT stops everything, Java included', async () => {
    await startCli('stack');
  });

  it('stops cleanly on Ctrl-C (SIGINT to the whole process group)', async () => {
    await startCli('group');
  });

  it('prints usage with --help and exits 2 on a bad option', async () => {
    const [help, bad, badPort] = [runCli(['--help']), runCli(['--frobnicate']), runCli(['--port', 'eighty'])];
    expect((await help.exited).code).toBe(0);
    expect(help.output()).toContain('--data-dir');
    expect((await bad.exited).code).toBe(2);
    expect(bad.output()).toMatch(/frobnicate/);
    expect((await badPort.exited).code).toBe(2);
    expect(badPort.output()).toMatch(/--port must be a port number/);
  });
});
