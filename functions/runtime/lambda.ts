import type { Context } from 'aws-lambda';
import { logger } from './observability.js';

/**
 * What every Lambda entry point in functions/handlers/ shares, whatever invokes it (HTTP API, Step
 * Functions, S3, the scheduler): its dependencies built on first use, and the invocation's context
 * on the logger.
 */

/** A handler built on first use, so importing the module never reads the environment. */
export function lazy<E, R>(build: () => (event: E, context: Context) => Promise<R>) {
  let built: ((event: E, context: Context) => Promise<R>) | undefined;
  return (event: E, context: Context) => (built ??= build())(event, context);
}

/** The Lambda entry point around a task function: adds the invocation's context to the logger. */
export function withLambdaContext<E, R>(fn: (event: E) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return (event, context) => {
    logger.addContext(context);
    return fn(event);
  };
}
