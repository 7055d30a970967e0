/**
 * slack/manifest.yaml, the Slack app a team creates, matches the code: its request URLs are the
 * Slack routes of functions/http/routes.ts, its slash command is the one the handler knows, it
 * subscribes to the message events the handler reads, and its bot scopes are exactly those of the
 * Web API methods caseflow calls (as the Slack double knows them from Slack's reference), plus what
 * events and the command need: no scope missing, none to spare.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../functions/http/routes.js';
import { ROUTES } from '../../functions/http/routes.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { SLACK_METHODS } from '../support/slack-double.js';

const manifest = parse(readFileSync(join(REPO_ROOT, 'slack', 'manifest.yaml'), 'utf8'));
const slackPaths = (ROUTES as readonly RouteDefinition[]).filter((r) => r.target === 'slack').map((r) => r.path);

/** Every Web API method caseflow calls (functions/adapters/slack-app.ts), each in the double's table. */
const CALLED = [
  'chat.postMessage',
  'chat.update',
  'chat.postEphemeral',
  'conversations.create',
  'conversations.invite',
  'conversations.archive',
  'conversations.open',
  'users.lookupByEmail',
  'users.info',
  'views.open',
];

describe('slack/manifest.yaml', () => {
  it('points Slack at the three routes', () => {
    const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.features.slash_commands[0].url];
    expect(urls.map((u: string) => new URL(u).pathname).sort()).toEqual([...slackPaths].sort());
    expect(urls.every((u: string) => u.startsWith('https://'))).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('declares /case and the message events of public and private channels', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/case']);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['message.channels', 'message.groups']);
  });

  it('asks for exactly the scopes the methods, events and command need', () => {
    const methods = new Set(
      CALLED.flatMap((m) => {
        expect(SLACK_METHODS[m], m).toBeDefined();
        return SLACK_METHODS[m]!.scopes;
      }),
    );
    const needed = new Set([...methods, 'channels:history', 'groups:history', 'commands']);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('lists every method caseflow calls', () => {
    // Each call the adapters make goes through one of these names (grep the source for the others).
    const source = ['slack-app.ts'].map((f) => readFileSync(join(REPO_ROOT, 'functions', 'adapters', f), 'utf8')).join('\n');
    const used = [...source.matchAll(/call(?:<[^>]*>)?\('([a-z]+\.[A-Za-z.]+)'/g)].map((m) => m[1]!);
    expect([...new Set(used)].sort()).toEqual([...CALLED].sort());
  });
});
