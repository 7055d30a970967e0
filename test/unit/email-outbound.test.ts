/**
 * The one outbound-mail builder (functions/core/email-outbound.ts), per kind of mail: the headers each
 * kind must carry, threading to the case, and loop protection, checked on the builder's output and
 * again on the wire (composed by the MIME adapter, read back by the production parser and classifier).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeEmail } from '../../functions/adapters/mail-compose.js';
import { makeMimeParser } from '../../functions/adapters/mime-parser.js';
import { messageIdsIn } from '../../functions/core/email.js';
import { classifyInbound, detectAutoReply } from '../../functions/core/email-classify.js';
import type { OutboundSpec } from '../../functions/core/email-outbound.js';
import { REFERENCES_KEPT, buildOutboundMail, caseThreadId, sentMessageIds } from '../../functions/core/email-outbound.js';
import { referenceHits, referencedIds } from '../../functions/core/email-threading.js';
import type { OutboundEmail } from '../../functions/core/ports/mail.js';

const date = new Date('2026-03-14T10:15:00.000Z');
const support = { address: 'support@Help.Example.com', name: 'Example Support' };
const customer = { address: 'ada@customer.example', name: 'Ada' };
const kase = { caseId: '01JCASE0000000000000000000', caseNumber: '00001024' };
const threadId = 'case.01jcase0000000000000000000@help.example.com';
const answering = { messageId: 'msg-1@customer.example', references: ['r1@x', 'r2@x'] };

const specs = {
  acknowledgement: {
    kind: 'acknowledgement',
    case: kase,
    id: '01JMSG',
    from: support,
    to: [customer],
    subject: 'We received your request [CF-00001024:abcdef]',
    text: 'Your request is case 00001024.',
    answering,
    date,
  },
  reply: {
    kind: 'reply',
    case: kase,
    id: '01JREPLY',
    from: { address: support.address, name: 'Luke (Example Support)' },
    replyTo: support,
    to: [customer],
    subject: 'Re: Printer on fire [CF-00001024:abcdef]',
    text: 'We are on it.',
    answering,
    date,
  },
  notification: {
    kind: 'notification',
    caseId: kase.caseId,
    notificationId: '01JNOTE',
    notificationKind: 'sla_warning',
    from: support,
    to: [{ address: 'luke@help.example.com', name: 'Luke' }],
    subject: '[caseflow] Case 00001024: first response due in 10 minutes',
    text: 'Case 00001024 is due soon.',
    date,
  },
  alert: {
    kind: 'alert',
    alertId: 'ALERT1',
    caseId: kase.caseId,
    from: { address: 'alerts@caseflow.local', name: 'caseflow alerts' },
    to: [{ address: 'admin@help.example.com' }],
    subject: '[caseflow] Case 00001024 needs manual review',
    text: 'Über-long wait.',
    date,
  },
} satisfies Record<OutboundSpec['kind'], OutboundSpec>;

const parser = makeMimeParser();
/** The mail as it leaves (the MIME adapter's bytes), read back the way intake reads mail. */
const onTheWire = async (mail: OutboundEmail) => parser.parse(await composeEmail(mail));

describe('acknowledgements', () => {
  const mail = buildOutboundMail(specs.acknowledgement);

  it('are automatic answers: Auto-Submitted: auto-replied and X-Auto-Response-Suppress, no Precedence', () => {
    expect(mail.kind).toBe('acknowledgement');
    expect(mail.headers).toEqual({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'X-Caseflow-Case': '00001024' });
  });

  it('thread to the customer’s message and to the case', () => {
    expect(mail.messageId).toBe('ack.01jcase0000000000000000000.01jmsg@help.example.com');
    expect(mail.inReplyTo).toBe('msg-1@customer.example');
    expect(mail.references).toEqual(['r1@x', 'r2@x', 'msg-1@customer.example', threadId]);
  });

  it('answer a message without a Message-ID: no In-Reply-To, References still name the case', () => {
    const bare = buildOutboundMail({ ...specs.acknowledgement, answering: { references: [] } });
    expect(bare.inReplyTo).toBeUndefined();
    expect(bare.references).toEqual([threadId]);
  });
});

describe('agents’ replies', () => {
  const mail = buildOutboundMail(specs.reply);

  it('are a person’s mail: no Auto-Submitted, no suppression, no Precedence; Reply-To our address', () => {
    expect(mail.kind).toBe('reply');
    expect(mail.headers).toEqual({ 'X-Caseflow-Case': '00001024' });
    expect(mail.replyTo).toEqual(support);
    expect(mail.from.name).toBe('Luke (Example Support)');
  });

  it('thread to the customer’s latest email and to the case', () => {
    expect(mail.messageId).toBe('reply.01jcase0000000000000000000.01jreply@help.example.com');
    expect(mail.inReplyTo).toBe('msg-1@customer.example');
    expect(mail.references).toEqual(['r1@x', 'r2@x', 'msg-1@customer.example', threadId]);
  });

  it('start the thread on a case that came by web or phone: References name only the case', () => {
    const { answering: _, ...first } = specs.reply;
    const started = buildOutboundMail(first);
    expect(started.inReplyTo).toBeUndefined();
    expect(started.references).toEqual([threadId]);
  });
});

describe('notifications to agents and admin alerts', () => {
  it('are machine-made and unasked for: auto-generated, suppressed, Precedence: bulk', () => {
    for (const spec of [specs.notification, specs.alert]) {
      const mail = buildOutboundMail(spec);
      expect(mail.kind).toBe(spec.kind);
      expect(mail.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', Precedence: 'bulk' });
      expect(mail.headers['X-Caseflow-Case-Id']).toBe(kase.caseId);
    }
  });

  it('thread to nothing: an agent answering one must not land on the case as the customer’s word', () => {
    for (const spec of [specs.notification, specs.alert]) {
      const mail = buildOutboundMail(spec);
      expect(mail.inReplyTo).toBeUndefined();
      expect(mail.references).toEqual([]);
      expect(mail.headers['X-Caseflow-Case']).toBeUndefined();
    }
  });

  it('are named by their notification or alert id', () => {
    expect(buildOutboundMail(specs.notification)).toMatchObject({
      messageId: '01JNOTE.sla_warning@Help.Example.com',
      headers: { 'X-Caseflow-Notification': 'sla_warning' },
    });
    expect(buildOutboundMail({ ...specs.notification, notificationKind: 'sla warning/<x>' }).messageId).toBe('01JNOTE.slawarningx@Help.Example.com');
    expect(buildOutboundMail(specs.alert)).toMatchObject({ messageId: 'alert.ALERT1@caseflow.local', headers: { 'X-Caseflow-Alert-Id': 'ALERT1' } });
    const { caseId: _, ...withoutCase } = specs.alert;
    expect(buildOutboundMail(withoutCase).headers['X-Caseflow-Case-Id']).toBeUndefined();
  });
});

describe('on the wire', () => {
  it('carries the Message-ID, In-Reply-To and References the builder chose, and every header', async () => {
    for (const spec of Object.values(specs)) {
      const mail = buildOutboundMail(spec);
      const wire = await onTheWire(mail);
      expect(wire.messageId, spec.kind).toBe(mail.messageId);
      expect(messageIdsIn(wire.inReplyTo), spec.kind).toEqual(mail.inReplyTo ? [mail.inReplyTo] : []);
      expect(referencedIds({ ...wire, messageId: undefined }), spec.kind).toEqual(
        [...new Set([...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references])].slice(-50),
      );
      for (const [name, value] of Object.entries(mail.headers)) expect(wire.headers[name.toLowerCase()], `${spec.kind} ${name}`).toEqual([value]);
    }
  });

  it('lets a customer’s answer to an acknowledgement or a reply name the case by its thread id', async () => {
    for (const spec of [specs.acknowledgement, specs.reply]) {
      const mail = buildOutboundMail(spec);
      const wire = await onTheWire(mail);
      // The answer quotes our References and our id; SES may have replaced our id, the thread id stays.
      const answer = { inReplyTo: ['<0102019a@eu-west-1.amazonses.com>'], references: [...wire.references, '<0102019a@eu-west-1.amazonses.com>'] };
      expect(referencedIds(answer)).toContain(threadId);
      const hits = referenceHits(answer, [{ messageId: threadId, caseId: kase.caseId, direction: 'outbound' }]);
      expect(hits).toEqual([{ messageId: threadId, caseId: kase.caseId, direction: 'outbound', header: 'references' }]);
    }
  });
});

describe('loop protection', () => {
  const ours = [support.address.toLowerCase(), 'alerts@caseflow.local'];

  it('every machine-made mail reads as an auto-reply to any responder that follows RFC 3834, ours included', async () => {
    for (const spec of [specs.acknowledgement, specs.notification, specs.alert]) {
      const wire = await onTheWire(buildOutboundMail(spec));
      const verdict = detectAutoReply(wire);
      expect(verdict.is, spec.kind).toBe(true);
      expect(verdict.reasons.join(' '), spec.kind).toMatch(/Auto-Submitted/);
      // Come back to us (a forwarding loop), it is also our own mail: never acknowledged, never reopens a case.
      expect(classifyInbound(wire, ours).fromOurselves, spec.kind).toBe(true);
    }
  });

  it('an agent’s reply is a person’s mail, not an auto-reply (though ours when it comes back)', async () => {
    const wire = await onTheWire(buildOutboundMail(specs.reply));
    expect(detectAutoReply(wire).is).toBe(false);
    expect(classifyInbound(wire, ours).fromOurselves).toBe(true);
  });

  it('keeps References bounded, each id once, the answered id then the thread id last, whatever the customer sent', () => {
    const id = fc.stringMatching(/^[a-z0-9.]{1,12}@[a-z]{1,8}\.example$/);
    fc.assert(
      fc.property(fc.array(id, { maxLength: 200 }), fc.option(id, { nil: undefined }), (references, messageId) => {
        const mail = buildOutboundMail({ ...specs.acknowledgement, answering: { references, ...(messageId ? { messageId } : {}) } });
        expect(mail.references.length).toBeLessThanOrEqual(REFERENCES_KEPT + 2);
        expect(new Set(mail.references).size).toBe(mail.references.length);
        expect(mail.references.at(-1)).toBe(threadId);
        if (messageId) {
          expect(mail.inReplyTo).toBe(messageId);
          expect(mail.references).toContain(messageId);
        }
      }),
    );
  });
});

describe('the ids a sent mail is recorded under', () => {
  it('are ours, the provider’s and the case’s thread id, each once', () => {
    const mail = buildOutboundMail(specs.reply);
    const sent = { messageId: mail.messageId, providerMessageIds: ['0102@eu-west-1.amazonses.com', '0102@email.amazonses.com'] };
    expect(sentMessageIds(mail, sent, kase.caseId)).toEqual([mail.messageId, ...sent.providerMessageIds, threadId]);
    expect(caseThreadId(kase.caseId, 'help.example.com')).toBe(threadId);
  });
});
