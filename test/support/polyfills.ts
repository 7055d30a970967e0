/**
 * aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+). On Node 20 every Task would
 * throw and a Catch would swallow it, so tests could pass for the wrong reason. The local stack's
 * entry installs the same polyfill (lib/local/polyfills.ts).
 */
import '../../lib/local/polyfills.js';
