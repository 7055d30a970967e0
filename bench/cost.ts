/**
 * `npm run bench -- cost`: what a case costs in AWS (docs/costs.md). A working day runs on the local
 * stack (DynamoDB Local, the real ASL file on the local Step Functions interpreter, the SMTP listener,
 * the sweep timer every minute, a virtual clock so eight hours pass in minutes): web and email cases
 * in a realistic mix arrive through the day; the agents the demo configuration puts online open each
 * case, accept it and reply; some put it on hold waiting for the customer, whose answer comes back by
 * email; then they resolve it; SLA clocks wake up and the sweeps run meanwhile.
 *
 * Every billable operation is counted from the real calls: DynamoDB consumed capacity as DynamoDB
 * returns it (ReturnConsumedCapacity INDEXES: the table and each index; a refused conditional write
 * counted as the 1 WRU it is billed), state transitions from the executions' event logs, Lambda
 * invocations with their measured duration at each function's memory (read from the synthesized
 * template), the HTTP requests, SES messages in (the SMTP deliveries) and out (the outbox), S3 requests
 * and bytes for the raw mail. Priced by lib/case-costs.ts; the fixed part by lib/fixed-costs.ts from
 * the synthesized template with email intake.
 *
 * `CASES=n` sets the size of the day (default 120).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { type FunctionUse, type MeasuredUse, formatCaseCosts, priceCases } from '../lib/case-costs.js';
import { fixedMonthlyCosts } from '../lib/fixed-costs.js';
import { REPO_ROOT } from '../lib/paths.js';
import { outboxDir } from '../lib/local/alerts.js';
import { startLocalStack } from '../lib/local/stack.js';
import { makeVirtualClock } from '../lib/local/virtual-clock.js';
import { localClient } from '../test/support/local-client.js';
import { synthesizedTemplate } from './fixed-costs.js';

type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SDK middleware args

const READS = new Set([
  'GetCommand',
  'GetItemCommand',
  'QueryCommand',
  'QueryItemCommand',
  'BatchGetCommand',
  'BatchGetItemCommand',
  'TransactGetCommand',
  'TransactGetItemsCommand',
  'ScanCommand',
]);

/** Share of each kind of case in the day (web vs email; how many wait for the customer on hold). */
const MIX = { email: 0.35, heldForCustomer: 0.3 };
/** Bytes of log a Lambda invocation writes: START, END and REPORT lines plus the handler's own at the deployed level (WARN). */
const LOG_BYTES_PER_INVOCATION = 600;

/** Function memory and tracing from the synthesized template, by handler (the role's description names it). */
function functionSettings(template: Record<string, any>): Map<string, { memoryMb: number; traced: boolean }> {
  const resources = template.Resources as Record<string, { Type: string; Properties: Input }>;
  const out = new Map<string, { memoryMb: number; traced: boolean }>();
  for (const fn of Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
    const roleId = fn.Properties.Role?.['Fn::GetAtt']?.[0] as string | undefined;
    const handler = /^caseflow (\S+) function$/.exec(String(resources[roleId ?? '']?.Properties?.Description ?? ''))?.[1];
    if (handler) out.set(handler, { memoryMb: Number(fn.Properties.MemorySize ?? 128), traced: fn.Properties.TracingConfig?.Mode === 'Active' });
  }
  return out;
}

/** Task state ▶ the handler its Resource names (`${StampFunctionArn}` ▶ workflow-stamp), from the one ASL file. */
function taskFunctions(): Map<string, string> {
  const asl = JSON.parse(readFileSync(join(REPO_ROOT, 'statemachines', 'case-lifecycle.asl.json'), 'utf8')) as { States: Record<string, Input> };
  const byArn: Record<string, string> = {
    StampFunctionArn: 'workflow-stamp',
    RouteFunctionArn: 'workflow-route',
    ScheduleSlaFunctionArn: 'workflow-schedule-sla',
    EvaluateSlaFunctionArn: 'workflow-evaluate-sla',
    ContinueSlaFunctionArn: 'workflow-continue-sla',
    FailedFunctionArn: 'workflow-failed',
  };
  const out = new Map<string, string>();
  for (const [name, state] of Object.entries(asl.States)) {
    const ref = /\$\{(\w+)\}/.exec(String(state.Resource ?? ''))?.[1];
    if (state.Type === 'Task' && ref && byArn[ref]) out.set(name, byArn[ref]);
  }
  return out;
}

export async function measureDay(log: (line: string) => void, cases: number): Promise<MeasuredUse> {
  const dataDir = await mkdtemp(join(tmpdir(), 'caseflow-cost-'));
  const clock = makeVirtualClock();
  const stack = await startLocalStack({
    port: 0,
    memory: true,
    dataDir,
    quiet: true,
    smtpPort: 0,
    clock,
    sweepEverySeconds: 60,
    webLimits: { perIp: 100_000, perEmail: 100_000 },
  });
  try {
    const api = await localClient(stack);
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: Number(stack.services.smtp!.info!.port), secure: false, ignoreTLS: true });

    // The meter: every DynamoDB call the stack makes while it is on.
    let metering = false;
    const ddb = { readUnits: 0, writeUnits: 0, byIndex: {} as Record<string, { read: number; write: number }> };
    stack.deps.table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!metering) return next(args);
        const input = args.input as Input;
        input.ReturnConsumedCapacity = 'INDEXES';
        const read = READS.has(String(context.commandName));
        try {
          const result = await next(args);
          const cc = (result.output as Input).ConsumedCapacity;
          for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) {
            const units = Number(c.CapacityUnits ?? 0);
            if (read) ddb.readUnits += units;
            else ddb.writeUnits += units;
            const parts: [string, Input | undefined][] = [['table', c.Table], ...Object.entries((c.GlobalSecondaryIndexes ?? {}) as Record<string, Input>)];
            for (const [name, part] of parts) {
              const slot = (ddb.byIndex[name] ??= { read: 0, write: 0 });
              const u = Number(part?.CapacityUnits ?? 0);
              if (read) slot.read += u;
              else slot.write += u;
            }
          }
          return result;
        } catch (error) {
          const name = (error as Error).name;
          if (!read && (name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException')) ddb.writeUnits += 1;
          throw error;
        }
      },
      { step: 'initialize', name: 'caseflowCostMeter', priority: 'high' },
    );

    const http: Record<string, { invocations: number; ms: number }> = {};
    const timed = async <T>(fn: string, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        const slot = (http[fn] ??= { invocations: 0, ms: 0 });
        slot.invocations++;
        slot.ms += Math.ceil(performance.now() - started);
      }
    };
    let httpRequests = 0;
    const call = (target: string, method: string, path: string, options: Parameters<typeof api.call>[2] = {}) => {
      httpRequests++;
      return timed(target, () => api.call(method, path, options));
    };
    let sesInbound = 0;
    let inboundBytes = 0;
    const mail = async (message: SendMailOptions) => {
      sesInbound++;
      inboundBytes += 600 + String(message.text ?? '').length + String(message.subject ?? '').length;
      await timed('intake-email', () => smtp.sendMail(message));
    };
    const outboxBefore = new Set(await readdir(outboxDir(dataDir)).catch(() => [] as string[]));
    const acks = new Set<string>();

    const dayMs = 8 * 3600_000;
    const start = clock.now().getTime();
    let unowned = 0;
    const held: { caseId: string; owner: string; messageId: string; subject: string; email: string; answerAt: number }[] = [];
    metering = true;
    log(`a working day of ${cases} cases (${Math.round(MIX.email * 100)} % by email, ${Math.round(MIX.heldForCustomer * 100)} % held for the customer)...`);

    const dbg = process.env.COST_DEBUG ? log : () => undefined;
    const work = async (caseId: string, agentDone: (owner: string, replied: { messageId: string; subject: string }) => Promise<void>) => {
      // The harness reads who was offered the case with the meter off: an agent learns it from their list.
      metering = false;
      const offered = await stack.deps.cases.get(caseId);
      metering = true;
      const owner = offered?.owner;
      if (!owner) {
        unowned++;
        return;
      }
      const opened = await call('api', 'GET', `/cases/${caseId}`, { as: owner });
      const accepted = await call('api', 'POST', `/cases/${caseId}/accept`, { as: owner, ifMatch: opened.headers.get('etag') ?? undefined });
      const reply = await call('api', 'POST', `/cases/${caseId}/replies`, {
        as: owner,
        ifMatch: accepted.headers.get('etag') ?? undefined,
        json: { text: 'Thank you for writing. We have looked into it and changed what was wrong; please tell us if anything is still amiss.' },
      });
      if (reply.status !== 201) throw new Error(`reply on ${caseId}: ${reply.status} ${reply.text.slice(0, 300)}`);
      await agentDone(owner, { messageId: `<${reply.body.message.emailMessageId}>`, subject: String(offered?.subject ?? '') });
    };
    const resolve = async (caseId: string, owner: string) => {
      const current = await call('api', 'GET', `/cases/${caseId}`, { as: owner });
      const resolved = await call('api', 'POST', `/cases/${caseId}/status`, {
        as: owner,
        ifMatch: current.headers.get('etag') ?? undefined,
        json: { status: 'resolved', comment: 'answered' },
      });
      if (resolved.status !== 200) throw new Error(`resolve ${caseId}: ${resolved.status} ${resolved.text.slice(0, 300)}`);
    };
    // A customer on hold writes back when their answer is due; the agent then resolves.
    const answerHeld = async (h: (typeof held)[number]) => {
      await clock.advanceTo(Math.max(h.answerAt, clock.now().getTime()));
      await mail({
        from: h.email,
        to: 'support@caseflow.local',
        subject: `Re: ${h.subject}`,
        text: 'Thanks, that fixed it.',
        inReplyTo: h.messageId,
        references: [h.messageId],
      });
      await clock.settle();
      await resolve(h.caseId, h.owner);
    };
    const countries = ['GB', 'DE', 'FR', 'US', 'ES', 'JP', 'BR', 'IT'];

    for (let i = 0; i < cases; i++) {
      const at = start + Math.round(((i + 0.5) / cases) * dayMs);
      // Customers on hold whose answer is due by now write back; the agent then resolves.
      for (const h of held.filter((x) => x.answerAt <= at)) {
        held.splice(held.indexOf(h), 1);
        await answerHeld(h);
      }
      dbg(`case ${i}: advancing`);
      await clock.advanceTo(at);
      dbg(`case ${i}: submitting`);
      const email = `customer${i}@example.org`;
      const subject = `Order ${1000 + i}: the delivery has not arrived`;
      const body = `Hello, I ordered on Monday and the parcel has still not arrived. The tracking page shows no movement since Tuesday. Could you check? Regards, customer ${i}`;
      let caseId: string | undefined;
      if (i % Math.round(1 / MIX.email) === 0) {
        await mail({ from: email, to: 'support@caseflow.local', subject, text: body });
        await clock.settle();
        // The case number is in the acknowledgement the customer was sent.
        // Web-form cases are acknowledged too: the one new acknowledgement addressed to this customer.
        const newAcks = (await readdir(outboxDir(dataDir))).filter((f) => f.includes('-ack-') && !acks.has(f));
        const ackFile: string[] = [];
        for (const f of newAcks) {
          const text = await readFile(join(outboxDir(dataDir), f), 'utf8');
          if (new RegExp(`^to: *.*${email.replace('.', '\\.')}`, 'im').test(text)) {
            acks.add(f);
            ackFile.push(f);
          }
        }
        const caseNumber =
          ackFile.length === 1 ? /^x-caseflow-case: *(\S+)/im.exec(await readFile(join(outboxDir(dataDir), ackFile[0]!), 'utf8'))?.[1] : undefined;
        metering = false;
        caseId = caseNumber ? (await stack.deps.cases.getByNumber(caseNumber))?.caseId : undefined;
        metering = true;
        if (!caseId) throw new Error(`email case ${i}: no single acknowledgement found (${ackFile.join(', ')})`);
      } else {
        const res = await call('web-to-case', 'POST', '/web-to-case', {
          json: {
            name: `Customer ${i}`,
            email,
            subject,
            description: body,
            country: countries[i % countries.length],
            language: i % 3 === 0 ? undefined : 'en',
          },
        });
        if (res.status !== 201) throw new Error(`web-to-case: ${res.status} ${res.text.slice(0, 300)}`);
        caseId = res.body.caseId;
        await clock.settle();
      }
      dbg(`case ${i}: ${caseId}`);
      if (!caseId) continue;
      const id = caseId;
      await work(id, async (owner, replied) => {
        if (i % Math.round(1 / MIX.heldForCustomer) === 1) {
          const current = await call('api', 'GET', `/cases/${id}`, { as: owner });
          const hold = await call('api', 'POST', `/cases/${id}/status`, {
            as: owner,
            ifMatch: current.headers.get('etag') ?? undefined,
            json: { status: 'on_hold', reason: 'waiting for the customer' },
          });
          if (hold.status !== 200) throw new Error(`hold ${id}: ${hold.status} ${hold.text.slice(0, 300)}`);
          held.push({ caseId: id, owner, messageId: replied.messageId, subject: replied.subject, email, answerAt: at + 90 * 60_000 });
        } else {
          await resolve(id, owner);
        }
      });
      if ((i + 1) % 20 === 0) log(`${i + 1}/${cases} cases, ${new Date(clock.now()).toISOString().slice(11, 16)} on the day's clock`);
    }
    for (const h of held.splice(0)) await answerHeld(h);
    // The rest of the day: the SLA loops of resolved cases end, the sweeps run on.
    dbg('the rest of the day...');
    await clock.advanceTo(Math.max(start + dayMs, clock.now().getTime()) + 3600_000);
    const open = stack.workflow.executions().filter((e) => e.status === 'RUNNING').length;
    if (open > 0) log(`${open} executions wait for their next SLA deadline at the end of the day (their last wake is added below)`);
    metering = false;
    smtp.close();
    if (unowned > 0) log(`${unowned} cases were offered to nobody (every agent busy) and waited in their queue`);

    // State transitions and task invocations, from the executions' event logs.
    const tasks = taskFunctions();
    let stateTransitions = 0;
    const taskUse: Record<string, { invocations: number; ms: number }> = {};
    for (const execution of stack.workflow.executions()) {
      const entered = new Map<string, number>();
      for (const event of execution.history as { type: string; timestamp: number; state?: { name: string } }[]) {
        if (event.type === 'StateEntered' && event.state) {
          stateTransitions++;
          entered.set(event.state.name, event.timestamp);
        }
        if ((event.type === 'StateExited' || event.type === 'StateFailed') && event.state && tasks.has(event.state.name)) {
          const fn = tasks.get(event.state.name)!;
          const slot = (taskUse[fn] ??= { invocations: 0, ms: 0 });
          slot.invocations++;
          slot.ms += Math.max(1, Math.ceil(event.timestamp - (entered.get(event.state.name) ?? event.timestamp)));
        }
      }
    }
    // A closed case's execution still waits for its next SLA deadline (days away for a resolution
    // target); when it wakes it costs EvaluateSla, the Choice after it and Done (3 transitions, one
    // invocation, the case read), added here rather than running the clock on for a week.
    const evaluate = (taskUse['workflow-evaluate-sla'] ??= { invocations: 0, ms: 0 });
    const meanEvaluateMs = evaluate.invocations > 0 ? evaluate.ms / evaluate.invocations : 30;
    for (const execution of stack.workflow.executions().filter((e) => e.status === 'RUNNING')) {
      stateTransitions += execution.states.at(-1) === 'WaitForSlaDeadline' ? 3 : 0;
      if (execution.states.at(-1) === 'WaitForSlaDeadline') {
        evaluate.invocations++;
        evaluate.ms += Math.ceil(meanEvaluateMs);
        ddb.readUnits += 1;
      }
    }
    const outbound = (await readdir(outboxDir(dataDir))).filter((f) => f.endsWith('.eml') && !outboxBefore.has(f));

    const template = synthesizedTemplate({ sesDomain: 'support.example.com' });
    const settings = functionSettings(template);
    const functions: Record<string, FunctionUse> = {};
    for (const [fn, u] of Object.entries({ ...taskUse, ...http })) {
      const s = settings.get(fn) ?? { memoryMb: 512, traced: true };
      functions[fn] = { invocations: u.invocations, billedMs: u.ms, memoryMb: s.memoryMb, traced: s.traced };
    }
    const invocations = Object.values(functions).reduce((n, f) => n + f.invocations, 0);
    return {
      cases,
      dynamodb: ddb,
      stateTransitions,
      functions,
      httpRequests,
      sesOutbound: outbound.length,
      sesInbound,
      s3: { puts: sesInbound, gets: sesInbound, bytesStored: inboundBytes },
      logBytes: invocations * LOG_BYTES_PER_INVOCATION,
    };
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runCostBench(log: (line: string) => void): Promise<Record<string, number>> {
  const cases = Number(process.env.CASES ?? 120);
  const use = await measureDay(log, cases);
  log(
    `measured: ${use.dynamodb.writeUnits.toFixed(0)} WRU and ${use.dynamodb.readUnits.toFixed(0)} RRU (per case ${(use.dynamodb.writeUnits / cases).toFixed(1)} WRU, ${(use.dynamodb.readUnits / cases).toFixed(1)} RRU), ` +
      `${use.stateTransitions} state transitions (${(use.stateTransitions / cases).toFixed(1)} a case), ${use.httpRequests} HTTP requests, ${use.sesInbound} emails in, ${use.sesOutbound} out`,
  );
  log(
    `DynamoDB by table and index (units for ${cases} cases):\n${Object.entries(use.dynamodb.byIndex)
      .map(([name, u]) => `  ${name.padEnd(6)} write ${u.write.toFixed(0).padStart(6)}  read ${u.read.toFixed(0).padStart(6)}`)
      .join('\n')}`,
  );
  log(
    `Lambda:\n${Object.entries(use.functions)
      .map(
        ([name, f]) =>
          `  ${name.padEnd(22)} ${String(f.invocations).padStart(5)} invocations, ${(f.billedMs / f.invocations).toFixed(0)} ms each at ${f.memoryMb} MB`,
      )
      .join('\n')}`,
  );
  const fixed = fixedMonthlyCosts(synthesizedTemplate({ sesDomain: 'support.example.com' }));
  const report = priceCases(use, fixed.total);
  log(
    `what a case costs (prices as of ${report.pricesAsOf}; fixed: the stack with email intake, $${fixed.total.toFixed(2)} a month):\n${formatCaseCosts(report)}`,
  );
  log(
    `dominant: ${report.items
      .slice(0, 3)
      .map((i) => `${i.service} ${i.item} ($${i.per1000Cases.toFixed(2)})`)
      .join(', ')}`,
  );
  log(
    `goals: variable ≤ $1.00 per 1,000 cases: ${report.variablePer1000 <= 1 ? 'met' : 'NOT met'}; fixed ≤ $5 a month: ${fixed.total <= 5 ? 'met' : 'NOT met'}`,
  );
  const figures: Record<string, number> = {
    'cost variable $ per 1000 cases': report.variablePer1000,
    'cost fixed $ per month': fixed.total,
    'cost WRU per case': use.dynamodb.writeUnits / cases,
    'cost RRU per case': use.dynamodb.readUnits / cases,
    'cost state transitions per case': use.stateTransitions / cases,
  };
  for (const v of report.atVolume) figures[`cost total $ per 1000 cases at ${v.casesPerMonth}/month`] = v.totalPer1000;
  return figures;
}
