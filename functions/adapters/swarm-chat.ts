import type { SwarmNotifier } from '../core/ports/swarm.js';
import type { SlackApp } from './slack-app.js';
import type { SlackSecretSource } from './slack-secrets.js';

/**
 * Which chat a swarm goes to. The Slack app, when its credentials are there, supersedes the
 * incoming webhook: it opens a conversation per swarm, invites the experts and takes actions back.
 * A team without a Slack app (or whose app secret is not filled in yet) keeps the webhook-only mode:
 * one message per swarm in the webhook's channel, nothing comes back. Without either, announcements
 * are skipped with why. docs/slack.md#two-modes explains the choice.
 */
export function chooseSwarmNotifier(options: { secrets: SlackSecretSource; app: SlackApp; webhook: SwarmNotifier }): SwarmNotifier {
  const { secrets, app, webhook } = options;
  return {
    async announce(announcement) {
      const credentials = await secrets.get();
      if (credentials.secrets) return app.notifier.announce(announcement);
      const sent = await webhook.announce(announcement);
      return sent.sent ? sent : { ...sent, reason: `${credentials.reason}; and ${sent.reason ?? 'the webhook sent nothing'}` };
    },
    // Only a swarm the app opened a conversation for has one to close or update.
    async closed(closing) {
      if ((await secrets.get()).secrets) await app.notifier.closed?.(closing);
    },
    async update(change) {
      if ((await secrets.get()).secrets) await app.notifier.update?.(change);
    },
  };
}
