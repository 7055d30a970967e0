/**
 * openapi-typescript prints its types with the TypeScript 5 compiler API, which the project's
 * TypeScript 7 (the native compiler) no longer has. The project installs TypeScript 5 under the
 * alias `typescript5`; this hook hands it to openapi-typescript, and to nothing else.
 * Use: `tsx --import ./console/scripts/typescript5.mjs console/scripts/generate.ts`.
 */
import { register } from 'node:module';

register('./typescript5-resolve.mjs', import.meta.url);
