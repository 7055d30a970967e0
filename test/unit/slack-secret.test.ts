/**
 * The one Slack secret (functions/adapters/slack-secrets.ts): its JSON read into what each mode needs
 * (the app's bot token and signing secrets, the webhook URL), every way it can be wrong answered with
 * a reason that names the field, and one Secrets Manager read shared by both readers and cached.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { SLACK_SECRET_FIELDS, makeSecretsManagerSlackSecret, parseSlackSecret } from '../../functions/adapters/slack-secrets.js';
import { checkSlackSecretAtStart } from '../../functions/handlers/slack.js';

const TOKEN = 'xoxb-1234567890-abcdefghij';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';
const full = { webhookUrl: WEBHOOK, botToken: TOKEN, signingSecret: 'sign-now' };

describe('parseSlackSecret', () => {
  it('reads every field: the app with its signing secrets (current first), the webhook URL', () => {
    const parsed = parseSlackSecret(JSON.stringify({ ...full, previousSigningSecret: 'sign-before' }));
    expect(parsed).toEqual({
      app: { value: { botToken: TOKEN, signingSecrets: ['sign-now', 'sign-before'] } },
      webhookUrl: { value: WEBHOOK },
    });
  });

  it('keeps each mode apart: a webhook-only secret has a URL and says the app lacks its bot token, and the other way round', () => {
    const webhookOnly = parseSlackSecret(JSON.stringify({ webhookUrl: WEBHOOK }));
    expect(webhookOnly.webhookUrl).toEqual({ value: WEBHOOK });
    expect(webhookOnly.app.reason).toMatch(/no "botToken"/);
    const appOnly = parseSlackSecret(JSON.stringify({ botToken: TOKEN, signingSecret: 's' }));
    expect(appOnly.app.value?.botToken).toBe(TOKEN);
    expect(appOnly.webhookUrl.reason).toMatch(/no "webhookUrl"/);
  });

  it("the stack's placeholder (empty bot token, a random signing secret) is an app not set up yet, naming the bot token", () => {
    const parsed = parseSlackSecret(JSON.stringify({ botToken: '', signingSecret: 'Zq3randomRANDOMrandom' }));
    expect(parsed.app).toEqual({ reason: expect.stringMatching(/no "botToken" \(xoxb-…\) yet/) });
    expect(parsed.webhookUrl).toEqual({ reason: expect.stringMatching(/no "webhookUrl" yet/) });
  });

  it.each([
    ['not JSON', 'https://hooks.slack.com/services/T/B/X', /not JSON/],
    ['empty', '', /not JSON/],
    ['a JSON string', '"xoxb-1234567890-abcdefghij"', /not a JSON object/],
    ['a JSON array', '[]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
  ])('a secret that is %s: neither mode is set up, and the reason shows what to store', (_, value, pattern) => {
    const parsed = parseSlackSecret(value);
    for (const part of [parsed.app, parsed.webhookUrl]) {
      expect(part.value).toBeUndefined();
      expect(part.reason).toMatch(pattern);
      expect(part.reason).toContain('"webhookUrl"');
      expect(part.reason).toContain('"botToken"');
    }
  });

  it.each([
    ['botToken', { ...full, botToken: undefined }, 'app', /no "botToken"/],
    ['botToken', { ...full, botToken: 'xoxp-user-token-1234567' }, 'app', /"botToken" is not a bot token/],
    ['botToken', { ...full, botToken: 42 }, 'app', /"botToken" is not a string/],
    ['signingSecret', { ...full, signingSecret: '  ' }, 'app', /no "signingSecret"/],
    ['signingSecret', { ...full, signingSecret: ['a'] }, 'app', /"signingSecret" is not a string/],
    ['previousSigningSecret', { ...full, previousSigningSecret: {} }, 'app', /"previousSigningSecret" is not a string/],
    ['webhookUrl', { ...full, webhookUrl: undefined }, 'webhookUrl', /no "webhookUrl"/],
    ['webhookUrl', { ...full, webhookUrl: 'http://hooks.slack.com/services/T/B/X' }, 'webhookUrl', /"webhookUrl" is not an https URL/],
    ['webhookUrl', { ...full, webhookUrl: 'hooks.slack.com' }, 'webhookUrl', /"webhookUrl" is not an https URL/],
    ['webhookUrl', { ...full, webhookUrl: true }, 'webhookUrl', /"webhookUrl" is not a string/],
  ] as const)('a missing or malformed %s: the mode that needs it is not set up, the reason names it, the other mode works', (field, secret, part, pattern) => {
    const parsed = parseSlackSecret(JSON.stringify(secret));
    const broken = parsed[part];
    expect(broken.value).toBeUndefined();
    expect(broken.reason).toMatch(pattern);
    expect(broken.reason).toContain(`"${field}"`);
    const other = part === 'app' ? parsed.webhookUrl : parsed.app;
    expect(other.reason).toBeUndefined();
  });

  it('never throws, and whatever it answers names a field of the secret or says it is not a JSON object', () => {
    const anyField = fc.oneof(fc.string(), fc.constant(TOKEN), fc.constant(WEBHOOK), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()));
    const secret = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record(Object.fromEntries(SLACK_SECRET_FIELDS.map((f) => [f, anyField])), { requiredKeys: [] }).map((r) => JSON.stringify(r)),
    );
    fc.assert(
      fc.property(secret, (value) => {
        const parsed = parseSlackSecret(value);
        for (const part of [parsed.app, parsed.webhookUrl]) {
          expect((part.value === undefined) !== (part.reason === undefined)).toBe(true);
          if (part.reason !== undefined) expect(part.reason).toMatch(/"(webhookUrl|botToken|signingSecret|previousSigningSecret)"|not (JSON|a JSON object)/);
        }
        if (parsed.webhookUrl.value !== undefined) expect(parsed.webhookUrl.value.startsWith('https://')).toBe(true);
        if (parsed.app.value !== undefined) expect(parsed.app.value.botToken.startsWith('xoxb-')).toBe(true);
      }),
    );
  });
});

describe('the Slack secret in Secrets Manager', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('is read once for both readers, concurrent first reads included, and cached for five minutes', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'arn:slack' }).resolves({ SecretString: JSON.stringify(full) });
    let now = 1_000;
    const secret = makeSecretsManagerSlackSecret(new SecretsManagerClient({}), 'arn:slack', () => now);
    const [app, url] = await Promise.all([secret.app.get(), secret.webhookUrl.url()]);
    expect(app).toEqual({ secrets: { botToken: TOKEN, signingSecrets: ['sign-now'] } });
    expect(url).toEqual({ url: WEBHOOK });
    now += 4 * 60_000;
    await secret.app.get();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    // A changed secret shows after the cache's five minutes.
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ ...full, webhookUrl: 'https://hooks.slack.com/services/T/B/NEW' }) });
    now += 2 * 60_000;
    expect(await secret.webhookUrl.url()).toEqual({ url: 'https://hooks.slack.com/services/T/B/NEW' });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('hands each reader its reason when its field is missing', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ webhookUrl: WEBHOOK, botToken: '', signingSecret: 'x' }) });
    const secret = makeSecretsManagerSlackSecret(new SecretsManagerClient({}), 'arn:slack');
    expect(await secret.webhookUrl.url()).toEqual({ url: WEBHOOK });
    expect(await secret.app.get()).toEqual({ reason: expect.stringContaining('"botToken"') });
  });
});

describe("the Slack function's start-up check", () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it.each([
    ['not JSON', 'xoxb-not-json', /not JSON/],
    ['without a bot token', JSON.stringify({ webhookUrl: WEBHOOK, signingSecret: 's' }), /"botToken"/],
    ['without a signing secret', JSON.stringify({ botToken: TOKEN }), /"signingSecret"/],
  ])('logs one error naming what is wrong when the secret is %s', async (_, value, pattern) => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: value });
    const errors: unknown[][] = [];
    const reason = await checkSlackSecretAtStart(makeSecretsManagerSlackSecret(new SecretsManagerClient({}), 'arn:slack').app, {
      error: (...args: unknown[]) => errors.push(args),
    } as never);
    expect(reason).toMatch(pattern);
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toEqual({ reason: expect.stringMatching(pattern) });
  });

  it('says nothing when the app is set up, and names an unreadable secret', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(full) })
      .rejectsOnce(new Error('AccessDeniedException'));
    const errors: unknown[][] = [];
    const log = { error: (...args: unknown[]) => errors.push(args) } as never;
    expect(await checkSlackSecretAtStart(makeSecretsManagerSlackSecret(new SecretsManagerClient({}), 'arn:a').app, log)).toBeUndefined();
    expect(errors).toEqual([]);
    expect(await checkSlackSecretAtStart(makeSecretsManagerSlackSecret(new SecretsManagerClient({}), 'arn:b').app, log)).toMatch(
      /could not be read: AccessDeniedException/,
    );
    expect(errors).toHaveLength(1);
  });
});
