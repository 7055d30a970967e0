import { makeDocumentClient } from '../../functions/adapters/dynamo.js';

type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SDK middleware args

/** What a bench counts of its DynamoDB calls while `tally()` returns this object. */
export interface Tally {
  reads: number;
  writes: number;
  /** Writes refused by their condition (each still costs a write unit). */
  refusedWrites: number;
  capacity: number;
  /** When present: capacity units by command and table key prefix (`PutItem IDEMP`, `TransactWriteItems`). */
  by?: Record<string, number>;
}

export const emptyTally = (withBreakdown = false): Tally => ({ reads: 0, writes: 0, refusedWrites: 0, capacity: 0, ...(withBreakdown ? { by: {} } : {}) });

/** Writes, by the document client's command names and the low-level ones it sends. */
const WRITES = new Set(['PutCommand', 'PutItemCommand', 'UpdateCommand', 'UpdateItemCommand', 'DeleteCommand', 'DeleteItemCommand']);
const TRANSACTIONS = new Set(['TransactWriteCommand', 'TransactWriteItemsCommand']);

/**
 * A document client on `endpoint` that asks for ConsumedCapacity on every call and adds it, with the
 * number of reads and writes, to whatever tally `tally()` returns at the time of the call.
 */
export function meteredClient(endpoint: string, tally: () => Tally) {
  const client = makeDocumentClient({ endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      const input = args.input as Input;
      input.ReturnConsumedCapacity = 'TOTAL';
      const t = tally();
      if (TRANSACTIONS.has(name)) t.writes += input.TransactItems?.length ?? 0;
      else if (WRITES.has(name)) t.writes++;
      else t.reads++;
      try {
        const result = await next(args);
        const cc = (result.output as Input).ConsumedCapacity;
        const key = `${name.replace(/Command$/, '')} ${String(input.Item?.pk ?? input.Key?.pk ?? input.KeyConditionExpression ?? '').split('#')[0]}`.trim();
        for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) {
          t.capacity += c.CapacityUnits ?? 0;
          if (t.by) t.by[key] = (t.by[key] ?? 0) + (c.CapacityUnits ?? 0);
        }
        return result;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          t.refusedWrites++;
          t.capacity += 1;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchMeter' },
  );
  return client;
}
