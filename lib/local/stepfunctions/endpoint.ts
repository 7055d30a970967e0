/**
 * StartExecution over HTTP, for processes other than the stack's own: the one Step Functions action
 * other local processes need, served on loopback in the protocol the AWS SDK speaks (AWS JSON 1.0), so
 * they start a case's workflow in the running stack through the very adapter Lambda uses
 * (functions/adapters/step-functions.ts). `npm run redrive` does, as its AWS counterpart starts
 * executions by invoking the intake function.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { workflowExecutionName } from '../../../functions/core/workflow-execution.js';
import { LOCAL_STATE_MACHINE_ARN, executionArn } from './definition.js';
import type { ExecutionInput } from './executions.js';
import type { LocalWorkflow } from './workflow.js';

export interface StepFunctionsEndpoint {
  /** `http://127.0.0.1:<port>`: give it to an SFNClient as `endpoint`. */
  endpoint: string;
  stateMachineArn: string;
  close(): Promise<void>;
}

/** The AWS JSON 1.0 error Step Functions answers with, which the SDK turns into an error of that name. */
class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Serves StartExecution for the local workflow on 127.0.0.1 (a free port unless given). Same rules as
 * the service: the execution's name is the case's (`<caseId>`, `<caseId>-g<n>`), a second
 * start while it runs returns the running one, and a name whose execution has ended answers
 * ExecutionAlreadyExists (which the adapter takes as "already started").
 */
export async function startStepFunctionsEndpoint(
  workflow: Pick<LocalWorkflow, 'starter' | 'statusOf'>,
  options: { port?: number } = {},
): Promise<StepFunctionsEndpoint> {
  async function startExecution(request: { stateMachineArn?: unknown; name?: unknown; input?: unknown }): Promise<unknown> {
    if (request.stateMachineArn !== LOCAL_STATE_MACHINE_ARN) {
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(request.stateMachineArn)}'`);
    }
    let input: ExecutionInput;
    try {
      input = JSON.parse(typeof request.input === 'string' ? request.input : '{}') as ExecutionInput;
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    if (typeof input?.caseId !== 'string' || (input.generation !== undefined && (!Number.isInteger(input.generation) || input.generation < 1))) {
      throw new SfnError('InvalidExecutionInput', 'the input must be { caseId } or { caseId, generation }');
    }
    const name = workflowExecutionName(input.caseId, input.generation);
    if (request.name !== name) throw new SfnError('InvalidName', `an execution of case ${input.caseId} is named ${name}`);
    const before = workflow.statusOf(name);
    if (before !== undefined && before !== 'RUNNING') throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn(name)}'`);
    await workflow.starter.startCase(input.caseId, input.generation === undefined ? {} : { generation: input.generation });
    return { executionArn: executionArn(name), startDate: Date.now() / 1000 };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 256 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      (async () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method !== 'POST' || target !== 'AWSStepFunctions.StartExecution') {
          throw new SfnError('UnknownOperationException', `only StartExecution is served here, not ${target || req.method}`);
        }
        if (size > 256 * 1024) throw new SfnError('ValidationException', 'the request is larger than 256 KB');
        let request: Record<string, unknown>;
        try {
          request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new SfnError('SerializationException', 'the body is not JSON');
        }
        return startExecution(request);
      })().then(
        (body) => answer(200, body),
        (error: unknown) =>
          error instanceof SfnError
            ? answer(400, { __type: error.type, message: error.message })
            : answer(500, { __type: 'InternalFailure', message: (error as Error).message }),
      );
    });
  });
  // Loopback only, whatever host the gateway uses: this starts workflows without a token.
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
