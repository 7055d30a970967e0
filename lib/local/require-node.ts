/**
 * Imported first by the local commands (npm start, npm run redrive, npm run bench): an unsupported
 * Node is refused before anything else loads, with the version found and how to get 22.
 */
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
