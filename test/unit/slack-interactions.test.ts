/**
 * What Slack actions mean (functions/core/use-cases/slack-interactions.ts): the Slack user's agent
 * is found by email, the agent API's use cases are called as that agent, and whoever is not an
 * agent, or may not act, changes nothing and is told why. Pure: the ports are in-memory.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../functions/core/authz.js';
import { assertCanAddNote, assertCanWorkCase } from '../../functions/core/authz.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ValidationError } from '../../functions/core/errors.js';
import type { Swarm } from '../../functions/core/case.js';
import type { SwarmNotifier } from '../../functions/core/ports/swarm.js';
import type { FormSpec, SlackInbound } from '../../functions/core/use-cases/slack-interactions.js';
import { NOT_AN_AGENT, makeSlackInteractions, parseCaseNumber, slackText } from '../../functions/core/use-cases/slack-interactions.js';
import { FIXED_START, makeCase } from '../support/fixtures.js';

const config = parseRoutingConfig({
  queues: [{ id: 'support', name: 'Support', members: ['owner'] }],
  agents: [
    { id: 'owner', name: 'Olive Owner', email: 'owner@example.com', capacity: { web: 5 } },
    { id: 'expert', name: 'Ed Expert', email: 'Expert@Example.com', capacity: { web: 5 } },
    { id: 'stranger', name: 'Sam Stranger', email: 'stranger@example.com', capacity: { web: 5 } },
    { id: 'boss', name: 'Bo Boss', email: 'boss@example.com', roles: ['agent', 'manager'] },
  ],
});

const swarm: Swarm = {
  swarmId: 's1',
  status: 'open',
  startedAt: FIXED_START,
  startedBy: 'owner',
  skills: [],
  members: [{ agentId: 'expert', name: 'Ed Expert', score: 1, reasons: [], invitedAt: FIXED_START, invitedBy: 'owner' }],
  chat: { kind: 'slack', mode: 'channel', channel: 'G1', summaryTs: '1.1' },
};

function setup(c: CaseRecord = makeCase({ status: 'in_progress', owner: 'owner', queue: 'support', swarm, caseNumber: '00001234' })) {
  const slackEmails: Record<string, string> = {
    UOWNER: 'owner@example.com',
    UEXPERT: 'expert@example.com',
    USTRANGER: 'stranger@example.com',
    UGUEST: 'guest@elsewhere.org',
  };
  const calls: { use: string; p: Principal; args: unknown[] }[] = [];
  const forms: FormSpec[] = [];
  const lines: string[] = [];
  const notifier: SwarmNotifier = {
    announce: async () => ({ sent: false }),
    update: async (change) => {
      if (change.line) lines.push(change.line);
    },
  };
  const interactions = makeSlackInteractions({
    cases: { get: async (id) => (id === c.caseId ? c : undefined), getByNumber: async (n) => (n === c.caseNumber ? c : undefined) },
    configs: { getCurrent: async () => ({ version: 1, config, appliedAt: FIXED_START, appliedBy: 'test' }) },
    workspace: {
      emailOf: async (u) => slackEmails[u],
      // A trigger named `spent` is one Slack no longer takes (used, or past its three seconds).
      openForm: async (t, form) => {
        if (t === 'spent') return { opened: false, reason: 'expired_trigger_id' };
        forms.push(form);
        return { opened: true };
      },
    },
    conversations: {
      link: async () => undefined,
      find: async (channel, threadTs) => (channel === 'G1' && threadTs === undefined ? { caseId: c.caseId, swarmId: 's1' } : undefined),
    },
    notifier,
    caseLink: (k) => `https://cf.example.com/cases/${k.caseId}`,
    // The agent API's use cases, with their own authorisation rules.
    addNote: async (p, caseId, note) => {
      assertCanAddNote(p, c, config);
      calls.push({ use: 'addNote', p, args: [caseId, note] });
      return {
        case: c,
        message: {
          messageId: 'm',
          caseId,
          direction: 'internal',
          from: p.agentId,
          subject: '',
          text: note.text,
          at: FIXED_START,
          attachments: [],
          channel: 'web',
        },
      };
    },
    replyToCustomer: async (p, caseId, reply) => {
      assertCanWorkCase(p, c, 'reply to the customer on this case');
      calls.push({ use: 'reply', p, args: [caseId, reply] });
      return { case: c };
    },
    changeStatus: async (p, caseId, change) => {
      assertCanWorkCase(p, c, 'change this case');
      if (change.status === 'closed_unresolved' && !change.comment)
        throw new ValidationError([{ field: 'comment', message: 'is required to close a case unresolved' }]);
      calls.push({ use: 'status', p, args: [caseId, change] });
      return c;
    },
    joinSwarm: async (p, caseId) => void calls.push({ use: 'join', p, args: [caseId] }),
    leaveSwarm: async (p, caseId) => void calls.push({ use: 'leave', p, args: [caseId] }),
  });
  return { c, calls, forms, lines, handle: (i: SlackInbound) => interactions.handle(i) };
}

describe('who a Slack user is', () => {
  it('an agent by the email of their Slack account (any case), with the configuration’s roles', async () => {
    const { handle, calls, c } = setup();
    expect(await handle({ kind: 'message', user: 'UEXPERT', channel: 'G1', ts: '2.1', text: 'Try the &lt;retry&gt; button &amp; wait' })).toEqual({
      kind: 'done',
      what: `note on case ${c.caseNumber}`,
    });
    expect(calls).toEqual([
      {
        use: 'addNote',
        p: { agentId: 'expert', roles: ['agent'] },
        args: [c.caseId, { text: 'Try the <retry> button & wait', source: { kind: 'slack', channel: 'G1', ts: '2.1' } }],
      },
    ]);
  });

  it('nobody else: a polite refusal, and nothing changes, whatever they tried', async () => {
    const { handle, calls, forms, c } = setup();
    const tries: SlackInbound[] = [
      { kind: 'message', user: 'UGUEST', channel: 'G1', ts: '2.2', text: 'hello' },
      { kind: 'button', button: 'reply', caseId: c.caseId, user: 'UGUEST', triggerId: 't' },
      { kind: 'button', button: 'join', caseId: c.caseId, user: 'UNKNOWN', triggerId: 't' },
      { kind: 'form', form: 'close', caseId: c.caseId, user: 'UGUEST', comment: 'bye' },
      { kind: 'command', user: 'UGUEST', text: '00001234' },
    ];
    for (const t of tries) expect(await handle(t)).toEqual({ kind: 'refused', text: NOT_AN_AGENT });
    expect(calls).toEqual([]);
    expect(forms).toEqual([]);
  });
});

describe('messages', () => {
  it('outside a swarm conversation, or without text, are ignored', async () => {
    const { handle, calls } = setup();
    expect(await handle({ kind: 'message', user: 'UEXPERT', channel: 'C9', ts: '3', text: 'hi' })).toEqual({
      kind: 'ignored',
      why: 'not in a swarm conversation',
    });
    expect(await handle({ kind: 'message', user: 'UEXPERT', channel: 'G1', ts: '3', text: '  ' })).toEqual({ kind: 'ignored', why: 'no text' });
    expect(calls).toEqual([]);
  });

  it('from an agent who may not note on the case: refused with the API’s reason', async () => {
    const { handle, calls } = setup();
    expect(await handle({ kind: 'message', user: 'USTRANGER', channel: 'G1', ts: '3', text: 'me too' })).toEqual({
      kind: 'refused',
      text: 'only the owner, members of its queue, its swarm, managers and admins may add notes to this case',
    });
    expect(calls).toEqual([]);
  });
});

describe('buttons and forms', () => {
  it('open the form only for who may send it, checked as the API checks', async () => {
    const { handle, forms, c } = setup();
    expect(await handle({ kind: 'button', button: 'reply', caseId: c.caseId, user: 'UEXPERT', triggerId: 't1' })).toEqual({
      kind: 'refused',
      text: 'only the owner, a manager or an admin may reply to the customer on this case',
    });
    expect(await handle({ kind: 'button', button: 'note', caseId: c.caseId, user: 'UEXPERT', triggerId: 't2' })).toEqual({ kind: 'form-opened', form: 'note' });
    expect(await handle({ kind: 'button', button: 'close', caseId: c.caseId, user: 'UOWNER', triggerId: 't3' })).toEqual({
      kind: 'form-opened',
      form: 'close',
    });
    expect(forms.map((f) => [f.form, f.caseNumber])).toEqual([
      ['note', '00001234'],
      ['close', '00001234'],
    ]);
  });

  it('ask for another click when Slack would not open the form (the trigger expired or was used)', async () => {
    const { handle, forms, c } = setup();
    expect(await handle({ kind: 'button', button: 'resolve', caseId: c.caseId, user: 'UOWNER', triggerId: 'spent' })).toEqual({
      kind: 'refused',
      text: 'Slack would not open the form (expired_trigger_id): please click the button again.',
    });
    expect(forms).toEqual([]);
  });

  it('send what the form says through the same use cases, and the conversation hears notes and replies', async () => {
    const { handle, calls, lines, c } = setup();
    expect(await handle({ kind: 'form', form: 'note', caseId: c.caseId, user: 'UEXPERT', text: 'Seen this before' })).toEqual({ kind: 'done', what: 'note' });
    expect(await handle({ kind: 'form', form: 'reply', caseId: c.caseId, user: 'UOWNER', text: 'We are on it.' })).toEqual({ kind: 'done', what: 'reply' });
    expect(await handle({ kind: 'form', form: 'resolve', caseId: c.caseId, user: 'UOWNER' })).toEqual({ kind: 'done', what: 'resolved' });
    expect(calls.map((x) => [x.use, x.p.agentId, x.args[1]])).toEqual([
      ['addNote', 'expert', { text: 'Seen this before', source: { kind: 'slack' } }],
      ['reply', 'owner', { text: 'We are on it.' }],
      ['status', 'owner', { status: 'resolved' }],
    ]);
    expect(lines).toEqual(['Ed Expert added a note:\n> Seen this before', 'Olive Owner replied to the customer:\n> We are on it.']);
  });

  it('keep the form open with the reason when the status machine or the rules say no', async () => {
    const { handle, calls, c } = setup();
    expect(await handle({ kind: 'form', form: 'close', caseId: c.caseId, user: 'UOWNER', comment: ' ' })).toEqual({
      kind: 'form-errors',
      errors: { comment: 'A comment is required to close a case unresolved.' },
    });
    expect(await handle({ kind: 'form', form: 'resolve', caseId: c.caseId, user: 'UEXPERT', comment: 'done' })).toEqual({
      kind: 'form-errors',
      errors: { comment: 'only the owner, a manager or an admin may change this case' },
    });
    expect(await handle({ kind: 'form', form: 'reply', caseId: c.caseId, user: 'UOWNER', text: '' })).toEqual({
      kind: 'form-errors',
      errors: { text: 'Write something first.' },
    });
    expect(calls).toEqual([]);
  });

  it('join and leave as the agent', async () => {
    const { handle, calls, c } = setup();
    await handle({ kind: 'button', button: 'join', caseId: c.caseId, user: 'USTRANGER', triggerId: 't' });
    await handle({ kind: 'button', button: 'leave', caseId: c.caseId, user: 'UEXPERT', triggerId: 't' });
    expect(calls.map((x) => [x.use, x.p.agentId])).toEqual([
      ['join', 'stranger'],
      ['leave', 'expert'],
    ]);
  });
});

describe('/case', () => {
  it('shows the case to whoever may read it, and to nobody else the same answer as for no case', async () => {
    const { handle } = setup();
    const shown = await handle({ kind: 'command', user: 'UEXPERT', text: '1234' });
    expect(shown).toMatchObject({ kind: 'case', summary: { caseNumber: '00001234', open: true, owner: { agentId: 'owner', name: 'Olive Owner' } } });
    const hidden = await handle({ kind: 'command', user: 'USTRANGER', text: '00001234' });
    const missing = await handle({ kind: 'command', user: 'USTRANGER', text: '00009999' });
    expect(hidden).toEqual({ kind: 'refused', text: 'There is no case 00001234 that you may read.' });
    expect(missing).toEqual({ kind: 'refused', text: 'There is no case 00009999 that you may read.' });
    expect(await handle({ kind: 'command', user: 'UEXPERT', text: 'refund stuck' })).toEqual({
      kind: 'refused',
      text: 'Usage: `/case 00001234`: the case number, and only that.',
    });
  });

  it('parses case numbers with or without leading zeros or #', () => {
    expect(['00001234', '1234', '#1234', ' 1234 '].map(parseCaseNumber)).toEqual(['00001234', '00001234', '00001234', '00001234']);
    expect(['', '0', 'abc', '12a', '-1'].map(parseCaseNumber)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('unescapes Slack’s control characters only', () => {
    expect(slackText('a &amp;lt; b &lt;@U1&gt;')).toBe('a &lt; b <@U1>');
  });
});
