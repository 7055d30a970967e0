import type { BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseMessage } from '../core/case.js';
import type { CaseEvent } from '../core/events.js';
import type { ContactRecord, EmailStore, InboundKeys, InboundRecord, MailLogEntry } from '../core/ports/email-intake.js';
import type { CreateCaseResult } from '../core/ports/repositories.js';
import { caseItem, historyPuts, historyTouch, messageItem, subjectWordPuts } from './case-repository.js';
import type { CreateOutcome } from './conditional-writes.js';
import { createOnce, failedFrom } from './conditional-writes.js';
import type { TableRef } from './dynamo.js';
import { caseNumberKey, emailContactKey, inboundHashKey, inboundMessageIdKey, mailLogKey, outboundMessageIdKey } from './keys.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** DynamoDB's item limit is 400 KB; a message item is trimmed well before it (bodies and lists live in the bucket). */
const MAX_MESSAGE_ITEM_BYTES = 300 * 1024;
/** Unmatched bounces and rejections are kept a year in the table (the raw message stays in the bucket). */
const MAIL_LOG_TTL_SECONDS = 365 * 24 * 3600;

const itemBytes = (item: unknown) => Buffer.byteLength(JSON.stringify(item), 'utf8');

/** A message item that fits: inline HTML goes first (its full copy is in the bucket), then the attachment list shrinks. */
export function fitMessage<M extends CaseMessage>(m: M): M {
  let out: M & { html?: string; notes?: string[] } = { ...m };
  if (itemBytes(out) <= MAX_MESSAGE_ITEM_BYTES) return out;
  if (out.html) {
    const { html: _html, ...rest } = out;
    out = { ...(rest as M), notes: [...(out.notes ?? []), 'HTML body left out of the item (see the raw message)'] };
  }
  while (itemBytes(out) > MAX_MESSAGE_ITEM_BYTES && out.attachments.length > 0) {
    out = {
      ...out,
      attachments: out.attachments.slice(0, Math.floor(out.attachments.length / 2)),
      notes: [...(out.notes ?? []), 'attachment list shortened (see the raw message)'],
    };
  }
  if (itemBytes(out) > MAX_MESSAGE_ITEM_BYTES) out = { ...out, text: out.text.slice(0, 4000) };
  return out;
}

/** Dedupe records: the Message-ID record also threads replies (In-Reply-To ▶ case). */
function inboundPuts(tableName: string, caseId: string, keys: InboundKeys, pending: string[], at: string): TransactItem[] {
  const record = { entity: 'inbound', caseId, hash: keys.hash, ...(keys.messageId ? { messageId: keys.messageId } : {}), pending, at };
  const puts: TransactItem[] = [
    { Put: { TableName: tableName, Item: { ...inboundHashKey(keys.hash), ...record }, ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
  if (keys.messageId) {
    puts.push({ Put: { TableName: tableName, Item: { ...inboundMessageIdKey(keys.messageId), ...record }, ConditionExpression: 'attribute_not_exists(pk)' } });
  }
  return puts;
}

function toRecord(item: Item | undefined): InboundRecord | undefined {
  if (!item || typeof item.caseId !== 'string') return undefined;
  return {
    caseId: item.caseId,
    hash: String(item.hash ?? ''),
    ...(typeof item.messageId === 'string' ? { messageId: item.messageId } : {}),
    pending: Array.isArray(item.pending) ? (item.pending as string[]) : [],
  };
}

export function makeEmailStore({ client, tableName }: TableRef): EmailStore {
  async function get(key: Record<string, string>): Promise<Item | undefined> {
    const res = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return res.Item as Item | undefined;
  }

  /**
   * A transaction ending in the dedupe records of `inbound`: when one of them is already taken, the
   * mail was filed before, and the outcome names the case that holds it.
   */
  function dedupedWrite(items: TransactItem[], inbound: InboundKeys): Promise<CreateOutcome> {
    const dedupeFrom = items.length - (inbound.messageId ? 2 : 1);
    return createOnce({
      write: async () => {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
      },
      lostTheKey: (codes) => failedFrom(codes, dedupeFrom),
      existing: async () =>
        (toRecord(await get(inboundHashKey(inbound.hash))) ?? (inbound.messageId ? toRecord(await get(inboundMessageIdKey(inbound.messageId))) : undefined))
          ?.caseId,
    });
  }

  return {
    async findInbound(keys) {
      const [byHash, byMessageId] = await Promise.all([
        get(inboundHashKey(keys.hash)),
        keys.messageId ? get(inboundMessageIdKey(keys.messageId)) : Promise.resolve(undefined),
      ]);
      const h = toRecord(byHash);
      const m = toRecord(byMessageId);
      return { ...(h ? { byHash: h } : {}), ...(m ? { byMessageId: m } : {}) };
    },

    async findByMessageIds(ids) {
      const unique = [...new Set(ids)].filter((id) => id.length > 0);
      const found: { messageId: string; caseId: string; direction: 'outbound' | 'inbound' }[] = [];
      for (let i = 0; i < unique.length; i += 50) {
        const chunk = unique.slice(i, i + 50);
        const keys = chunk.flatMap((id) => [outboundMessageIdKey(id), inboundMessageIdKey(id)]);
        // A long id's key ends in a digest (keys.ts): the id asked for is known by its key, not read back from it.
        const idOf = new Map(chunk.flatMap((id) => [[outboundMessageIdKey(id).pk, id] as const, [inboundMessageIdKey(id).pk, id] as const]));
        let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = { [tableName]: { Keys: keys } };
        for (let attempt = 0; request && attempt < 5; attempt++) {
          const res: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of (res.Responses?.[tableName] ?? []) as Item[]) {
            const pk = String(item.pk);
            const direction = pk.startsWith('OUTMSG#') ? 'outbound' : 'inbound';
            const messageId = idOf.get(pk) ?? pk.slice(pk.indexOf('#') + 1);
            if (typeof item.caseId === 'string') found.push({ messageId, caseId: item.caseId, direction });
          }
          const left: Record<string, unknown>[] | undefined = res.UnprocessedKeys?.[tableName]?.Keys;
          request = left && left.length ? { [tableName]: { Keys: left as Record<string, unknown>[] } } : undefined;
        }
      }
      return found;
    },

    async createCase(command): Promise<CreateCaseResult> {
      const c = command.case;
      const at = c.createdAt;
      const items: TransactItem[] = [
        { Put: { TableName: tableName, Item: caseItem(c), ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: tableName,
            Item: { ...caseNumberKey(c.caseNumber), entity: 'caseNumber', caseId: c.caseId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...command.messages.map((m) => ({ Put: { TableName: tableName, Item: messageItem(fitMessage(m)) } })),
        ...historyPuts(tableName, command.events),
        ...subjectWordPuts(tableName, c),
        ...inboundPuts(tableName, c.caseId, command.inbound, command.pending, at),
      ];
      const outcome = await dedupedWrite(items, command.inbound);
      return outcome.created ? { created: true, case: c } : { created: false, existingCaseId: outcome.existingId };
    },

    async appendMessage({ caseId, message, events, inbound, pending }) {
      const items: TransactItem[] = [
        // The case must exist (a message is never filed on nothing); its history count moves (the ETag).
        historyTouch(tableName, caseId),
        { Put: { TableName: tableName, Item: messageItem(fitMessage(message)) } },
        ...historyPuts(tableName, events),
        ...inboundPuts(tableName, caseId, inbound, pending, message.at),
      ];
      const outcome = await dedupedWrite(items, inbound);
      return outcome.created ? { appended: true } : { appended: false, existingCaseId: outcome.existingId };
    },

    async recordOutbound({ caseId, message, events, messageIds }) {
      const items: TransactItem[] = [
        historyTouch(tableName, caseId),
        { Put: { TableName: tableName, Item: messageItem(fitMessage(message)) } },
        ...historyPuts(tableName, events),
        ...[...new Set(messageIds)].map((id) => ({
          Put: {
            TableName: tableName,
            Item: { ...outboundMessageIdKey(id), entity: 'outboundMessageId', caseId, messageId: message.messageId, at: message.at },
          },
        })),
      ];
      await client.send(new TransactWriteCommand({ TransactItems: items }));
    },

    async appendEvents(events: CaseEvent[]) {
      // Each write counts itself on its cases' items (historyTouch): at most 25 events and 25 touches.
      for (let i = 0; i < events.length; i += 25) {
        const chunk = events.slice(i, i + 25);
        const touches = [...new Set(chunk.map((e) => e.caseId))].map((caseId) => historyTouch(tableName, caseId));
        await client.send(new TransactWriteCommand({ TransactItems: [...touches, ...historyPuts(tableName, chunk)] }));
      }
    },

    async completeStep(keys, step) {
      const targets = [inboundHashKey(keys.hash), ...(keys.messageId ? [inboundMessageIdKey(keys.messageId)] : [])];
      for (const key of targets) {
        const item = await get(key);
        if (!item || !Array.isArray(item.pending) || !item.pending.includes(step)) continue;
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET pending = :left',
            ExpressionAttributeValues: { ':left': (item.pending as string[]).filter((s) => s !== step) },
          }),
        );
      }
    },

    async getContact(email): Promise<ContactRecord | undefined> {
      const item = await get(emailContactKey(email));
      if (!item) return undefined;
      return {
        email: String(item.email),
        bounces: Number(item.bounces ?? 0),
        ...(item.suppressed ? { suppressed: item.suppressed as ContactRecord['suppressed'] } : {}),
        ...(typeof item.lastBounceAt === 'string' ? { lastBounceAt: item.lastBounceAt } : {}),
        ...(typeof item.language === 'string' ? { language: item.language } : {}),
      };
    },

    async recordBounce(email, bounce) {
      const address = email.toLowerCase();
      const suppressed = { reason: bounce.reason, at: bounce.at, ...(bounce.caseId ? { caseId: bounce.caseId } : {}) };
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: emailContactKey(address),
          UpdateExpression: `SET entity = :entity, email = :email, lastBounceAt = :at, lastBounce = :reason${bounce.permanent ? ', suppressed = :suppressed' : ''} ADD bounces :one`,
          ExpressionAttributeValues: {
            ':entity': 'emailContact',
            ':email': address,
            ':at': bounce.at,
            ':reason': bounce.reason,
            ':one': 1,
            ...(bounce.permanent ? { ':suppressed': suppressed } : {}),
          },
        }),
      );
    },

    async logMail(entry: MailLogEntry) {
      const id = entry.rawKey.replace(/[^A-Za-z0-9._/-]/g, '_');
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...mailLogKey(entry.at, id), entity: 'mailLog', ...entry, expiresAt: Math.floor(Date.parse(entry.at) / 1000) + MAIL_LOG_TTL_SECONDS },
        }),
      );
    },
  };
}
