/**
 * A Slack double for the tests: a node:http server on 127.0.0.1 that plays Slack's Web API (the
 * methods caseflow calls), the response_url endpoints, and the sending side of Slack's requests to
 * an app (events, interactions, slash commands, signed with v0 HMAC over the raw body).
 *
 * It is strict where Slack is, as its reference pages describe each method (docs.slack.dev/reference/methods):
 * the method must exist; the bot token must come as `Authorization: Bearer`; the content type must be
 * one the method accepts (users.info and users.lookupByEmail take no JSON); every required argument
 * must be there, and no argument the method does not know; a trigger_id is good once and for three
 * seconds; Block Kit limits hold (header 150 characters, section text 3,000, ten fields, button text
 * 75, a modal title 24, unique action ids); and the workspace behaves: a channel name is lowercase
 * and unique, the bot posts only where it is a member, an archived channel takes nothing, a message
 * is updated only where it exists. Whatever breaks a rule is answered as Slack answers it
 * (`{ ok: false, error }`) AND recorded in `violations`, which a test expects to be empty: a call
 * Slack would refuse is a bug even when the code copes with the refusal.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signSlackRequest } from '../../functions/adapters/slack-signature.js';

type Kind = 'json' | 'form';

interface MethodSpec {
  required: string[];
  /** At least one of each group. */
  oneOf?: string[][];
  optional: string[];
  accepts: Kind[];
  /** The bot scopes the method needs (the manifest must grant them: test/unit/slack-manifest.test.ts). */
  scopes: string[];
}

const MESSAGE_OPTIONAL = [
  'text',
  'blocks',
  'attachments',
  'thread_ts',
  'reply_broadcast',
  'mrkdwn',
  'unfurl_links',
  'unfurl_media',
  'metadata',
  'icon_emoji',
  'icon_url',
  'username',
  'link_names',
  'parse',
  'as_user',
  'markdown_text',
];

/** From the methods' reference pages: required and optional arguments, content types, bot scopes. */
export const SLACK_METHODS: Record<string, MethodSpec> = {
  'chat.postMessage': {
    required: ['channel'],
    oneOf: [['text', 'blocks', 'attachments', 'markdown_text']],
    optional: MESSAGE_OPTIONAL,
    accepts: ['json', 'form'],
    scopes: ['chat:write'],
  },
  'chat.update': {
    required: ['channel', 'ts'],
    optional: ['text', 'blocks', 'attachments', 'as_user', 'link_names', 'parse', 'file_ids', 'reply_broadcast', 'metadata', 'markdown_text'],
    accepts: ['json', 'form'],
    scopes: ['chat:write'],
  },
  'chat.postEphemeral': {
    required: ['channel', 'user'],
    oneOf: [['text', 'blocks', 'attachments', 'markdown_text']],
    optional: ['text', 'blocks', 'attachments', 'thread_ts', 'icon_emoji', 'icon_url', 'username', 'link_names', 'parse', 'as_user', 'markdown_text'],
    accepts: ['json', 'form'],
    scopes: ['chat:write'],
  },
  'conversations.create': { required: ['name'], optional: ['is_private', 'team_id'], accepts: ['json', 'form'], scopes: ['channels:manage', 'groups:write'] },
  'conversations.invite': { required: ['channel', 'users'], optional: ['force'], accepts: ['json', 'form'], scopes: ['channels:manage', 'groups:write'] },
  'conversations.archive': { required: ['channel'], optional: [], accepts: ['json', 'form'], scopes: ['channels:manage', 'groups:write'] },
  'conversations.open': {
    required: [],
    oneOf: [['channel', 'users']],
    optional: ['channel', 'users', 'return_im', 'prevent_creation'],
    accepts: ['json', 'form'],
    scopes: ['im:write'],
  },
  'users.lookupByEmail': { required: ['email'], optional: [], accepts: ['form'], scopes: ['users:read.email'] },
  'users.info': { required: ['user'], optional: ['include_locale'], accepts: ['form'], scopes: ['users:read', 'users:read.email'] },
  'views.open': {
    required: ['view'],
    oneOf: [['trigger_id', 'interactivity_pointer']],
    optional: ['trigger_id', 'interactivity_pointer'],
    accepts: ['json', 'form'],
    scopes: [],
  },
};

export interface DoubleUser {
  id: string;
  email: string;
  name: string;
  isBot?: boolean;
  deleted?: boolean;
}

export interface DoubleChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  archived: boolean;
  members: Set<string>;
}

export interface DoubleMessage {
  channel: string;
  ts: string;
  user: string;
  text?: string;
  blocks?: Record<string, unknown>[];
  threadTs?: string;
  ephemeralFor?: string;
  updated?: number;
}

export interface DoubleCall {
  method: string;
  args: Record<string, unknown>;
  contentType: string;
  answer: Record<string, unknown>;
}

export interface SlackDoubleOptions {
  botToken?: string;
  signingSecret?: string;
  /** The app's base URL (`http://127.0.0.1:<port>`): where events, interactions and commands are sent. */
  appUrl?: string;
}

export const BOT_USER_ID = 'UBOTCASEFLOW';
export const TEAM_ID = 'T0CASEFLOW';

export async function startSlackDouble(options: SlackDoubleOptions = {}) {
  const botToken = options.botToken ?? `xoxb-${randomBytes(12).toString('hex')}`;
  const signingSecret = options.signingSecret ?? randomBytes(16).toString('hex');
  let appUrl = options.appUrl;

  const users = new Map<string, DoubleUser>([[BOT_USER_ID, { id: BOT_USER_ID, email: 'caseflow-bot@example.invalid', name: 'caseflow', isBot: true }]]);
  const channels = new Map<string, DoubleChannel>();
  const messages: DoubleMessage[] = [];
  const calls: DoubleCall[] = [];
  const violations: string[] = [];
  const responses: { url: string; body: Record<string, unknown> }[] = [];
  const views: { view: Record<string, unknown>; triggerId: string; user: string }[] = [];
  const triggers = new Map<string, { user: string; issuedAt: number; used: boolean }>();
  const responseUrls = new Set<string>();
  let seq = 0;
  let tsSeconds = 1_760_000_000;
  const nextId = (prefix: string) => `${prefix}${String(++seq).padStart(8, '0')}`;
  const nextTs = () => `${++tsSeconds}.${String(seq).padStart(6, '0')}`;

  const violation = (what: string) => {
    violations.push(what);
  };

  function checkText(where: string, text: unknown, max: number) {
    if (typeof text !== 'string' || text.length === 0) violation(`${where}: text must be a non-empty string`);
    else if (text.length > max) violation(`${where}: text of ${text.length} characters exceeds ${max}`);
  }

  /** Block Kit limits (docs.slack.dev/reference/block-kit/blocks), for messages and modals. */
  function checkBlocks(where: string, blocks: unknown, surface: 'message' | 'modal') {
    if (!Array.isArray(blocks)) return violation(`${where}: blocks must be an array`);
    if (blocks.length > (surface === 'message' ? 50 : 100)) violation(`${where}: ${blocks.length} blocks`);
    const actionIds = new Set<string>();
    for (const [i, block] of blocks.entries()) {
      const b = block as Record<string, any>;
      const at = `${where}.blocks[${i}]`;
      switch (b.type) {
        case 'header':
          if (b.text?.type !== 'plain_text') violation(`${at}: a header's text is plain_text`);
          checkText(at, b.text?.text, 150);
          break;
        case 'section':
          if (b.text) checkText(at, b.text.text, 3000);
          if (!b.text && !b.fields) violation(`${at}: a section needs text or fields`);
          if (b.fields && (!Array.isArray(b.fields) || b.fields.length > 10)) violation(`${at}: at most 10 fields`);
          for (const f of b.fields ?? []) checkText(`${at}.field`, f.text, 2000);
          break;
        case 'actions':
          if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25) violation(`${at}: 1 to 25 elements`);
          for (const e of b.elements ?? []) {
            if (e.type === 'button') {
              checkText(`${at}.button`, e.text?.text, 75);
              if (e.value !== undefined && String(e.value).length > 2000) violation(`${at}: button value too long`);
              if (e.url !== undefined && !/^https?:\/\//.test(String(e.url))) violation(`${at}: button url ${e.url}`);
              if (e.style !== undefined && !['primary', 'danger'].includes(e.style)) violation(`${at}: button style ${e.style}`);
            }
            if (typeof e.action_id !== 'string' || e.action_id.length > 255) violation(`${at}: action_id`);
            else if (actionIds.has(e.action_id)) violation(`${at}: action_id ${e.action_id} is not unique`);
            else actionIds.add(e.action_id);
          }
          break;
        case 'context':
          if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) violation(`${at}: 1 to 10 context elements`);
          for (const e of b.elements ?? []) checkText(`${at}.element`, e.text, 2000);
          break;
        case 'divider':
          break;
        case 'input':
          if (surface !== 'modal') violation(`${at}: input blocks belong in modals`);
          checkText(`${at}.label`, b.label?.text, 2000);
          if (typeof b.element?.action_id !== 'string') violation(`${at}: input element needs an action_id`);
          if (b.element?.max_length !== undefined && (b.element.max_length < 1 || b.element.max_length > 3000)) violation(`${at}: max_length 1-3000`);
          break;
        default:
          violation(`${at}: block type ${String(b.type)} is not used by caseflow's blocks`);
      }
      if (b.block_id !== undefined && (typeof b.block_id !== 'string' || b.block_id.length > 255)) violation(`${at}: block_id`);
    }
  }

  function checkView(view: unknown) {
    const v = view as Record<string, any>;
    if (!v || v.type !== 'modal') return violation('views.open: view.type must be modal');
    checkText('views.open title', v.title?.text, 24);
    if (v.submit) checkText('views.open submit', v.submit.text, 24);
    if (v.close) checkText('views.open close', v.close.text, 24);
    if (v.private_metadata !== undefined && String(v.private_metadata).length > 3000) violation('views.open: private_metadata over 3000');
    if (v.callback_id !== undefined && String(v.callback_id).length > 255) violation('views.open: callback_id over 255');
    checkBlocks('views.open', v.blocks, 'modal');
  }

  const fail = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });

  function channelFor(id: unknown): DoubleChannel | undefined {
    return typeof id === 'string' ? channels.get(id) : undefined;
  }

  /** What each method does to the workspace, once the call is known to be well formed. */
  const act: Record<string, (args: Record<string, any>) => Record<string, unknown>> = {
    'conversations.create': (args) => {
      const name = String(args.name);
      if (!/^[a-z0-9_-]{1,80}$/.test(name)) return fail('invalid_name_specials');
      if ([...channels.values()].some((c) => c.name === name)) return fail('name_taken');
      const isPrivate = args.is_private === true || args.is_private === 'true';
      const channel: DoubleChannel = { id: nextId(isPrivate ? 'G' : 'C'), name, isPrivate, archived: false, members: new Set([BOT_USER_ID]) };
      channels.set(channel.id, channel);
      return { ok: true, channel: { id: channel.id, name, is_channel: true, is_private: isPrivate, is_archived: false, creator: BOT_USER_ID } };
    },
    'conversations.invite': (args) => {
      const channel = channelFor(args.channel);
      if (!channel) return fail('channel_not_found');
      if (channel.archived) return fail('is_archived');
      if (!channel.members.has(BOT_USER_ID)) return fail('not_in_channel');
      const ids = String(args.users)
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (ids.length === 0 || ids.length > 1000) return fail('invalid_arguments');
      for (const id of ids) {
        if (!users.has(id)) return fail('user_not_found');
        if (id === BOT_USER_ID) return fail('cant_invite_self');
      }
      if (ids.length === 1 && channel.members.has(ids[0]!)) return fail('already_in_channel');
      for (const id of ids) channel.members.add(id);
      return { ok: true, channel: { id: channel.id, name: channel.name } };
    },
    'conversations.archive': (args) => {
      const channel = channelFor(args.channel);
      if (!channel) return fail('channel_not_found');
      if (channel.archived) return fail('already_archived');
      if (!channel.members.has(BOT_USER_ID)) return fail('not_in_channel');
      channel.archived = true;
      return { ok: true };
    },
    'conversations.open': (args) => {
      const ids = String(args.users ?? '')
        .split(',')
        .filter(Boolean);
      if (ids.length !== 1 || !users.has(ids[0]!)) return fail('user_not_found');
      const id = `D${ids[0]!.slice(1)}`;
      if (!channels.has(id)) channels.set(id, { id, name: id, isPrivate: true, archived: false, members: new Set([BOT_USER_ID, ids[0]!]) });
      return { ok: true, channel: { id } };
    },
    'chat.postMessage': (args) => {
      const channel = channelFor(args.channel);
      if (!channel) return fail('channel_not_found');
      if (channel.archived) return fail('is_archived');
      if (!channel.members.has(BOT_USER_ID)) return fail('not_in_channel');
      if (args.thread_ts !== undefined && !messages.some((m) => m.channel === channel.id && m.ts === args.thread_ts && !m.threadTs)) {
        violation(`chat.postMessage: thread_ts ${args.thread_ts} is no top-level message in ${channel.id}`);
      }
      if (args.blocks !== undefined) checkBlocks('chat.postMessage', args.blocks, 'message');
      if (args.text !== undefined) checkText('chat.postMessage', args.text, 40_000);
      const message: DoubleMessage = {
        channel: channel.id,
        ts: nextTs(),
        user: BOT_USER_ID,
        ...(args.text !== undefined ? { text: String(args.text) } : {}),
        ...(args.blocks ? { blocks: args.blocks } : {}),
        ...(args.thread_ts ? { threadTs: String(args.thread_ts) } : {}),
      };
      messages.push(message);
      return { ok: true, channel: channel.id, ts: message.ts, message: { text: message.text, user: BOT_USER_ID, ts: message.ts } };
    },
    'chat.update': (args) => {
      const channel = channelFor(args.channel);
      if (!channel) return fail('channel_not_found');
      const message = messages.find((m) => m.channel === channel.id && m.ts === args.ts && !m.ephemeralFor);
      if (!message) return fail('message_not_found');
      if (message.user !== BOT_USER_ID) return fail('cant_update_message');
      if (args.blocks !== undefined) checkBlocks('chat.update', args.blocks, 'message');
      if (args.text !== undefined) message.text = String(args.text);
      if (args.blocks !== undefined) message.blocks = args.blocks;
      message.updated = (message.updated ?? 0) + 1;
      return { ok: true, channel: channel.id, ts: message.ts, text: message.text };
    },
    'chat.postEphemeral': (args) => {
      const channel = channelFor(args.channel);
      if (!channel) return fail('channel_not_found');
      if (!channel.members.has(String(args.user))) return fail('user_not_in_channel');
      const ts = nextTs();
      messages.push({
        channel: channel.id,
        ts,
        user: BOT_USER_ID,
        text: String(args.text ?? ''),
        ephemeralFor: String(args.user),
        ...(args.thread_ts ? { threadTs: String(args.thread_ts) } : {}),
      });
      return { ok: true, message_ts: ts };
    },
    'users.lookupByEmail': (args) => {
      const email = String(args.email).toLowerCase();
      const user = [...users.values()].find((u) => u.email.toLowerCase() === email && !u.isBot);
      return user ? { ok: true, user: userObject(user) } : fail('users_not_found');
    },
    'users.info': (args) => {
      const user = users.get(String(args.user));
      return user ? { ok: true, user: userObject(user) } : fail('user_not_found');
    },
    'views.open': (args) => {
      const view = typeof args.view === 'string' ? safeJson(args.view) : args.view;
      checkView(view);
      const triggerId = String(args.trigger_id ?? '');
      const trigger = triggers.get(triggerId);
      if (!trigger) return fail('invalid_trigger_id');
      if (trigger.used) return fail('exchanged_trigger_id');
      if (Date.now() - trigger.issuedAt > 3000) return fail('expired_trigger_id');
      trigger.used = true;
      views.push({ view: view as Record<string, unknown>, triggerId, user: trigger.user });
      return { ok: true, view: { id: nextId('V'), team_id: TEAM_ID, ...(view as object) } };
    },
  };

  function userObject(u: DoubleUser) {
    return {
      id: u.id,
      team_id: TEAM_ID,
      name: u.name.toLowerCase(),
      deleted: u.deleted ?? false,
      is_bot: u.isBot ?? false,
      real_name: u.name,
      profile: { real_name: u.name, display_name: u.name, email: u.email },
    };
  }

  function safeJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  async function handleApi(method: string, req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const spec = SLACK_METHODS[method];
    const contentType = String(req.headers['content-type'] ?? '');
    const record = (answer: Record<string, unknown>, args: Record<string, unknown> = {}) => {
      calls.push({ method, args, contentType, answer });
      send(res, 200, answer);
    };
    if (req.method !== 'POST') {
      violation(`${method}: called with ${req.method}, caseflow always POSTs`);
      return record(fail('invalid_post_type'));
    }
    if (!spec) {
      violation(`${method}: no such Slack method`);
      return record(fail('unknown_method'));
    }
    const auth = String(req.headers.authorization ?? '');
    if (!auth) {
      violation(`${method}: no Authorization header`);
      return record(fail('not_authed'));
    }
    if (auth !== `Bearer ${botToken}`) {
      violation(`${method}: wrong bot token`);
      return record(fail('invalid_auth'));
    }
    const kind: Kind | undefined = /^application\/json\b/.test(contentType)
      ? 'json'
      : /^application\/x-www-form-urlencoded\b/.test(contentType)
        ? 'form'
        : undefined;
    if (!kind) {
      violation(`${method}: content type ${contentType || '(none)'}`);
      return record(fail('invalid_post_type'));
    }
    if (!spec.accepts.includes(kind)) {
      violation(`${method}: does not accept ${kind === 'json' ? 'application/json' : 'a form'}`);
      // What Slack does: the JSON body is not read at all, so the required arguments are missing.
      return record(fail('invalid_arguments'));
    }
    if (kind === 'json' && !/charset=utf-8/i.test(contentType)) violation(`${method}: JSON without charset=utf-8 (Slack warns missing_charset)`);
    let args: Record<string, unknown>;
    if (kind === 'json') {
      const parsed = safeJson(raw.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        violation(`${method}: body is not a JSON object`);
        return record(fail('invalid_json'));
      }
      args = parsed as Record<string, unknown>;
    } else {
      args = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    }
    if ('token' in args) violation(`${method}: token in the body (use the Authorization header)`);
    const missing = spec.required.filter((a) => args[a] === undefined || args[a] === '' || args[a] === null);
    const noneOf = (spec.oneOf ?? []).filter((group) => group.every((a) => args[a] === undefined || args[a] === ''));
    const unknown = Object.keys(args).filter((a) => a !== 'token' && !spec.required.includes(a) && !spec.optional.includes(a));
    if (unknown.length > 0) violation(`${method}: unknown argument(s) ${unknown.join(', ')}`);
    if (missing.length > 0 || noneOf.length > 0) {
      violation(`${method}: missing ${[...missing, ...noneOf.map((g) => `one of ${g.join('/')}`)].join(', ')}`);
      return record(fail('invalid_arguments'), args);
    }
    const answer = act[method]!(args as Record<string, any>);
    return record(answer, args);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const api = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
    if (api) {
      handleApi(api[1]!, req, res).catch((error: unknown) => send(res, 500, { ok: false, error: String(error) }));
      return;
    }
    if (url.pathname.startsWith('/respond/')) {
      readBody(req)
        .then((raw) => {
          const full = `${origin}${url.pathname}`;
          if (!responseUrls.has(full)) violation(`response_url ${full} was never issued`);
          if (!/^application\/json\b/.test(String(req.headers['content-type'] ?? ''))) violation('response_url: post JSON');
          const body = (safeJson(raw.toString('utf8')) ?? {}) as Record<string, unknown>;
          if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) violation('response_url: a message needs text or blocks');
          if (body.response_type !== undefined && !['ephemeral', 'in_channel'].includes(String(body.response_type))) violation('response_url: response_type');
          responses.push({ url: full, body });
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        })
        .catch(() => res.writeHead(500).end());
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function issueTrigger(user: string): string {
    const id = `${Date.now()}.${seq++}.${randomBytes(8).toString('hex')}`;
    triggers.set(id, { user, issuedAt: Date.now(), used: false });
    return id;
  }

  function issueResponseUrl(): string {
    const url = `${origin}/respond/${randomBytes(8).toString('hex')}`;
    responseUrls.add(url);
    return url;
  }

  /** Sends a request to the app as Slack would: signed, with the retry headers when it is a retry. */
  async function deliver(
    path: '/slack/events' | '/slack/interactions' | '/slack/commands',
    body: string,
    contentType: string,
    sign: { timestamp?: number; secret?: string; signature?: string; retry?: number; omitSignature?: boolean } = {},
  ) {
    if (!appUrl) throw new Error('the double does not know the app URL yet (setAppUrl)');
    const timestamp = sign.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = sign.signature ?? signSlackRequest(sign.secret ?? signingSecret, timestamp, body);
    const res = await fetch(`${appUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        ...(sign.omitSignature ? {} : { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature }),
        ...(sign.retry ? { 'x-slack-retry-num': String(sign.retry), 'x-slack-retry-reason': 'http_timeout' } : {}),
      },
      body,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json: json as any, headers: res.headers };
  }

  const eventEnvelope = (event: Record<string, unknown>, eventId: string) =>
    JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: TEAM_ID,
      api_app_id: 'A0CASEFLOW',
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
    });

  function viewSubmission(input: { user: string; view: Record<string, unknown>; values: Record<string, string> }): string {
    const blocks = (input.view.blocks as Record<string, any>[]) ?? [];
    const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
    for (const b of blocks) {
      if (b.type !== 'input') continue;
      state[b.block_id] = { [b.element.action_id]: { type: 'plain_text_input', value: input.values[b.block_id] ?? null } };
    }
    const payload = {
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'caseflow' },
      user: { id: input.user, username: users.get(input.user)?.name ?? input.user, team_id: TEAM_ID },
      api_app_id: 'A0CASEFLOW',
      token: 'deprecated',
      trigger_id: issueTrigger(input.user),
      view: {
        id: nextId('V'),
        team_id: TEAM_ID,
        type: 'modal',
        callback_id: input.view.callback_id,
        private_metadata: input.view.private_metadata,
        title: input.view.title,
        blocks,
        state: { values: state },
        hash: randomBytes(6).toString('hex'),
      },
    };
    return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }

  function slashCommandBody(input: { user: string; channel: string; text: string; command?: string }): string {
    const form = new URLSearchParams({
      token: 'deprecated',
      team_id: TEAM_ID,
      team_domain: 'caseflow',
      channel_id: input.channel,
      channel_name: channels.get(input.channel)?.name ?? 'directmessage',
      user_id: input.user,
      user_name: users.get(input.user)?.name ?? input.user,
      command: input.command ?? '/case',
      text: input.text,
      api_app_id: 'A0CASEFLOW',
      response_url: issueResponseUrl(),
      trigger_id: issueTrigger(input.user),
    });
    return form.toString();
  }

  return {
    url: origin,
    /** What `--slack-api-url` points at. */
    apiUrl: `${origin}/api`,
    botToken,
    signingSecret,
    users,
    channels,
    messages,
    calls,
    violations,
    responses,
    views,
    setAppUrl(url: string) {
      appUrl = url;
    },
    addUser(user: Omit<DoubleUser, 'id'> & { id?: string }): DoubleUser {
      const u: DoubleUser = { id: user.id ?? nextId('U'), ...user };
      users.set(u.id, u);
      return u;
    },
    /** A channel that exists before caseflow does anything (thread mode's shared channel), with the bot in it or not. */
    addChannel(name: string, options: { botIsMember?: boolean; members?: string[] } = {}): DoubleChannel {
      const channel: DoubleChannel = {
        id: nextId('C'),
        name,
        isPrivate: false,
        archived: false,
        members: new Set([...(options.botIsMember === false ? [] : [BOT_USER_ID]), ...(options.members ?? [])]),
      };
      channels.set(channel.id, channel);
      return channel;
    },
    channelNamed(name: string): DoubleChannel | undefined {
      return [...channels.values()].find((c) => c.name === name);
    },
    messagesIn(channel: string, threadTs?: string): DoubleMessage[] {
      return messages.filter((m) => m.channel === channel && (threadTs === undefined || m.threadTs === threadTs || m.ts === threadTs));
    },
    callsTo(method: string): DoubleCall[] {
      return calls.filter((c) => c.method === method);
    },

    deliver,

    /** A person posts a message (Events API `message`, in a thread when threadTs is given). */
    postMessage(input: { user: string; channel: string; text: string; threadTs?: string; eventId?: string; retry?: number; subtype?: string; botId?: string }) {
      const ts = nextTs();
      const channel = channels.get(input.channel);
      if (channel && !input.botId)
        messages.push({ channel: input.channel, ts, user: input.user, text: input.text, ...(input.threadTs ? { threadTs: input.threadTs } : {}) });
      const eventId = input.eventId ?? nextId('Ev');
      const body = eventEnvelope(
        {
          type: 'message',
          ...(input.subtype ? { subtype: input.subtype } : {}),
          user: input.user,
          ...(input.botId ? { bot_id: input.botId } : {}),
          text: input.text,
          ts,
          channel: input.channel,
          event_ts: ts,
          channel_type: channel?.isPrivate ? 'group' : 'channel',
          ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
        },
        eventId,
      );
      return {
        eventId,
        ts,
        body,
        send: (sign: Parameters<typeof deliver>[3] = {}) =>
          deliver('/slack/events', body, 'application/json', { ...sign, ...(input.retry ? { retry: input.retry } : {}) }),
      };
    },

    /** Slack's URL verification handshake, when the Events request URL is saved. */
    urlVerification(challenge: string) {
      return deliver('/slack/events', JSON.stringify({ token: 'deprecated', challenge, type: 'url_verification' }), 'application/json');
    },

    /** A click on a button of a message the bot posted (`block_actions`). */
    clickButton(input: { user: string; channel: string; messageTs: string; actionId: string; value?: string }, sign: Parameters<typeof deliver>[3] = {}) {
      const triggerId = issueTrigger(input.user);
      const responseUrl = issueResponseUrl();
      const payload = {
        type: 'block_actions',
        team: { id: TEAM_ID, domain: 'caseflow' },
        user: { id: input.user, username: users.get(input.user)?.name ?? input.user, team_id: TEAM_ID },
        api_app_id: 'A0CASEFLOW',
        token: 'deprecated',
        container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
        trigger_id: triggerId,
        channel: { id: input.channel, name: channels.get(input.channel)?.name ?? input.channel },
        message: { type: 'message', ts: input.messageTs, user: BOT_USER_ID },
        response_url: responseUrl,
        actions: [
          {
            action_id: input.actionId,
            block_id: 'swarm_actions',
            type: 'button',
            ...(input.value !== undefined ? { value: input.value } : {}),
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      };
      const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return { triggerId, responseUrl, body, send: () => deliver('/slack/interactions', body, 'application/x-www-form-urlencoded', sign) };
    },

    /** The user sends a form (modal) the app opened for them, with these input values. */
    submitView(input: { user: string; view: Record<string, unknown>; values: Record<string, string> }, sign: Parameters<typeof deliver>[3] = {}) {
      return deliver('/slack/interactions', viewSubmission(input), 'application/x-www-form-urlencoded', sign);
    },

    /** `/case <text>` typed by a user. */
    slashCommand(input: { user: string; channel: string; text: string; command?: string }, sign: Parameters<typeof deliver>[3] = {}) {
      return deliver('/slack/commands', slashCommandBody(input), 'application/x-www-form-urlencoded', sign);
    },

    /** The bodies Slack would send, for a test that calls the handler itself (signed with signingSecret). */
    viewSubmission,
    slashCommandBody,

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SlackDouble = Awaited<ReturnType<typeof startSlackDouble>>;
