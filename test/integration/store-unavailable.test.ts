/**
 * "The store is unreachable" as one error class: whatever way DynamoDB cannot serve a call (refused
 * or reset connections, timeouts, 5xx, throttling past the SDK's retries), every repository built
 * on makeDocumentClient throws StoreUnavailableError, which every HTTP route answers 503 with
 * Retry-After, SMTP answers 451, and the workflow retries. Answers about the request itself (a
 * condition that did not hold, a missing table) stay what they are.
 *
 * Real clients against real sockets: a port nobody listens on, a server that resets every
 * connection, a server that answers like DynamoDB under stress, and DynamoDB Local itself.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isConditionFailure, isStoreUnreachable, makeDocumentClient } from '../../functions/adapters/dynamo.js';
import { makeConfigRepository } from '../../functions/adapters/config-repository.js';
import { StoreUnavailableError } from '../../functions/core/errors.js';
import { errorBody, errorHeaders, httpStatusOf } from '../../functions/http/errors.js';
import { freshTable } from '../support/dynamo.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(() => new Promise<void>((done) => server.close(() => done())));
  return (server.address() as AddressInfo).port;
}

/** A port that was free a moment ago and that nobody listens on now. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** An HTTP server answering every request the way DynamoDB answers one it cannot serve; counts the attempts. */
async function dynamoLike(status: number, type: string): Promise<{ endpoint: string; attempts: () => number }> {
  let attempts = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    attempts++;
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `${type} (test)` });
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  const port = await listen(server);
  return { endpoint: `http://127.0.0.1:${port}`, attempts: () => attempts };
}

function clientFor(endpoint: string) {
  const client = makeDocumentClient({ endpoint });
  closers.push(async () => client.destroy());
  return client;
}

const get = (endpoint: string) => clientFor(endpoint).send(new GetCommand({ TableName: 'caseflow', Key: { pk: 'CONFIG', sk: 'CURRENT' } }));

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('an unreachable store is one error class', () => {
  it('a refused connection (nothing listens: the emulator is dead) ▶ StoreUnavailableError, with the socket error as its cause', async () => {
    const error = await failure(get(`http://127.0.0.1:${await closedPort()}`));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a connection reset mid-request ▶ StoreUnavailableError', async () => {
    const server = createTcpServer((socket) => socket.resetAndDestroy());
    const port = await listen(server);
    const error = await failure(get(`http://127.0.0.1:${port}`));
    expect(error).toBeInstanceOf(StoreUnavailableError);
  });

  it.each([
    [500, 'InternalServerError'],
    [503, 'ServiceUnavailable'],
    [400, 'ThrottlingException'],
  ])('HTTP %i %s, after the SDK retried it ▶ StoreUnavailableError', async (status, type) => {
    const store = await dynamoLike(status, type);
    const error = await failure(get(store.endpoint));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toMatchObject({ name: type });
    // The classification happens after the SDK's own retries (maxAttempts 5), not instead of them.
    expect(store.attempts()).toBe(5);
  });

  it('an answer about the request stays what it is: a validation error is not an outage', async () => {
    const store = await dynamoLike(400, 'ValidationException');
    const error = await failure(get(store.endpoint));
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ name: 'ValidationException' });
    expect(store.attempts()).toBe(1);
  });

  it('on DynamoDB Local: a failed condition and a missing table are answers, not outages', async () => {
    const db = await freshTable('store-unavailable');
    await db.client.send(new PutCommand({ TableName: db.tableName, Item: { pk: 'X', sk: 'X' } }));
    const condition = await failure(
      db.client.send(new PutCommand({ TableName: db.tableName, Item: { pk: 'X', sk: 'X' }, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
    expect(isConditionFailure(condition)).toBe(true);
    const missing = await failure(db.client.send(new GetCommand({ TableName: `${db.tableName}-missing`, Key: { pk: 'X', sk: 'X' } })));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(missing).not.toBeInstanceOf(StoreUnavailableError);
  });

  it('reaches every repository: the configuration read /health makes fails the same way', async () => {
    const configs = makeConfigRepository({ client: clientFor(`http://127.0.0.1:${await closedPort()}`), tableName: 'caseflow' });
    await expect(configs.getCurrent()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('is answered 503 with Retry-After by the error table, with a message that names no host or port', async () => {
    const error = await failure(get(`http://127.0.0.1:${await closedPort()}`));
    expect(httpStatusOf(error)).toBe(503);
    expect(errorHeaders(error)).toEqual({ 'retry-after': String((error as StoreUnavailableError).retryAfterSeconds) });
    const body = errorBody(error);
    expect(body.error).toBe('StoreUnavailableError');
    expect(body.message).toMatch(/unavailable right now; try again in \d+ seconds/);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONN|\d{4,5}\b/);
  });

  it('classifies by what failed, never by message text (property: any other error passes through)', () => {
    const unreachable = fc.oneof(
      fc.constantFrom('ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT').map((code) => Object.assign(new Error('socket'), { code })),
      fc
        .constantFrom('TimeoutError', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'ServiceUnavailable')
        .map((name) => Object.assign(new Error('x'), { name })),
      fc.integer({ min: 500, max: 599 }).map((s) => Object.assign(new Error('x'), { name: 'UnknownError', $metadata: { httpStatusCode: s } })),
    );
    const answered = fc.record({
      name: fc.constantFrom('ConditionalCheckFailedException', 'ValidationException', 'ResourceNotFoundException', 'TransactionConflictException'),
      status: fc.integer({ min: 400, max: 499 }),
      message: fc.string(),
    });
    fc.assert(fc.property(unreachable, (e) => isStoreUnreachable(e) && isStoreUnreachable(new Error('wrapped', { cause: e }))));
    fc.assert(
      fc.property(
        answered,
        ({ name, status, message }) => !isStoreUnreachable(Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })),
      ),
    );
    // A transaction cancelled for throttling is an outage; one cancelled by a condition is a lost race.
    const cancelled = (codes: string[]) =>
      Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: codes.map((Code) => ({ Code })) });
    expect(isStoreUnreachable(cancelled(['None', 'ThrottlingError']))).toBe(true);
    expect(isStoreUnreachable(cancelled(['ConditionalCheckFailed', 'ThrottlingError']))).toBe(false);
  });
});
