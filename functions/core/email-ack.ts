import type { AckPlaceholder, EmailSettings, RoutingConfig } from './config.js';
import { ACK_PLACEHOLDERS, configSchemas } from './config.js';
import type { InboundClassification } from './email-classify.js';
import { isMailerDaemon, isNoReplyAddress } from './email-classify.js';
import { isDeliverableAddress, normaliseAddress } from './email.js';

/**
 * Should this message be acknowledged, and with what? Pure: the caller counts the sender's
 * acknowledgements (RateLimiter) only once everything here says yes, so a loop or an auto-reply
 * never even touches the counter.
 */

export const DEFAULT_FROM_ADDRESS = 'support@caseflow.local';

export interface ResolvedEmailSettings extends EmailSettings {
  fromAddress: string;
  /** fromAddress and `addresses`, normalised. */
  ourAddresses: string[];
}

export function emailSettingsOf(config: Pick<RoutingConfig, 'email'>, defaultFromAddress = DEFAULT_FROM_ADDRESS): ResolvedEmailSettings {
  const settings = config.email ?? configSchemas().EmailSettingsSchema.parse({});
  const fromAddress = settings.fromAddress ?? defaultFromAddress;
  const ourAddresses = [...new Set([fromAddress, ...settings.addresses].map(normaliseAddress))];
  return { ...settings, fromAddress, ourAddresses };
}

export interface AckInput {
  /** The message started a new case (replies are never acknowledged). */
  newCase: boolean;
  enabled: boolean;
  /** Where the acknowledgement would go. */
  recipient: string | undefined;
  classification: InboundClassification;
  /** The message could not be parsed: nobody knows who really sent it. */
  unparsable: boolean;
  /** The recipient's address bounced or complained before. */
  suppressed?: { reason: string };
  /** The message has nothing a person could answer (empty, or binary garbage): it goes to review instead. */
  contentProblem?: string;
}

export interface AckDecision {
  send: boolean;
  reasons: string[];
}

export function decideAcknowledgement(input: AckInput): AckDecision {
  const no: string[] = [];
  const c = input.classification;
  if (!input.enabled) no.push('acknowledgements are switched off in the configuration');
  if (!input.newCase) no.push('the message joined an existing case: only the first message of a case is acknowledged');
  if (input.unparsable) no.push('the message could not be parsed');
  if (input.contentProblem) no.push(`the message ${input.contentProblem}: it goes to manual review`);
  if (c.report) no.push(`it is a ${c.report.kind} report`);
  if (c.autoReply.is) no.push(`it is an auto-reply (${c.autoReply.reasons.join('; ')})`);
  if (c.mailingList.is) no.push(`it is mailing-list mail (${c.mailingList.reasons.join('; ')})`);
  if (c.fromOurselves) no.push(`it comes from one of our own addresses (${c.ownAddressReasons.join('; ')})`);
  if (c.nullSender) no.push('its return path is null (<>), as for bounces and auto-replies');
  if (c.verdicts.spam === 'FAIL') no.push('SES judged it spam');
  if (c.verdicts.virus === 'FAIL') no.push('SES found a virus');
  if (c.verdicts.dmarc === 'FAIL') no.push('it failed DMARC: the sender address is probably forged, an acknowledgement would be backscatter');
  if (!isDeliverableAddress(input.recipient)) no.push(`no address to answer (${input.recipient ?? 'none'})`);
  else if (isMailerDaemon(input.recipient)) no.push(`${input.recipient} is a mail daemon`);
  else if (isNoReplyAddress(input.recipient)) no.push(`${input.recipient} does not take replies`);
  if (input.suppressed) no.push(`${input.recipient} is suppressed: ${input.suppressed.reason}`);
  if (no.length > 0) return { send: false, reasons: no };
  return { send: true, reasons: [`first message of a new case from ${input.recipient}`] };
}

export interface WebAckInput {
  enabled: boolean;
  /** The address the form was given. */
  recipient: string;
  /** Our own addresses: a form filled in with one of them must not make us mail ourselves. */
  ourAddresses: readonly string[];
  /** The recipient's address bounced or complained before. */
  suppressed?: { reason: string };
}

/**
 * Should a web-form case be acknowledged? As for email (decideAcknowledgement), without what only
 * a received mail can tell (auto-replies, lists, verdicts): the address must take mail, not be one
 * of ours, and not be suppressed. The sender's hourly limit is counted by the caller afterwards.
 */
export function decideWebAcknowledgement(input: WebAckInput): AckDecision {
  const no: string[] = [];
  const recipient = normaliseAddress(input.recipient);
  if (!input.enabled) no.push('acknowledgements are switched off in the configuration');
  if (!isDeliverableAddress(recipient)) no.push(`no address to answer (${input.recipient || 'none'})`);
  else if (isMailerDaemon(recipient)) no.push(`${recipient} is a mail daemon`);
  else if (isNoReplyAddress(recipient)) no.push(`${recipient} does not take replies`);
  if (input.ourAddresses.includes(recipient)) no.push(`${recipient} is one of our own addresses (loop protection)`);
  if (input.suppressed) no.push(`${recipient} is suppressed: ${input.suppressed.reason}`);
  if (no.length > 0) return { send: false, reasons: no };
  return { send: true, reasons: [`a new web-form case from ${recipient}`] };
}

export interface AckContent {
  subject: string;
  text: string;
  language: string;
}

/**
 * Fills the allow-listed placeholders from the values' own properties: a name such as `constructor`
 * or `__proto__` never reaches Object.prototype. Any other `{{name}}` stays as written (the
 * configuration refuses them when applied; one stored before that check shows them literally).
 */
function fill(template: string, values: Readonly<Record<AckPlaceholder, string>>): string {
  // Without a status page there is no link to give: the line that would offer it goes.
  const kept = values.statusLink
    ? template
    : template
        .split('\n')
        .filter((line) => !/\{\{\s*statusLink\s*\}\}/.test(line))
        .join('\n')
        .replace(/\n{3,}/g, '\n\n');
  return kept.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    (ACK_PLACEHOLDERS as readonly string[]).includes(name) && Object.hasOwn(values, name) ? values[name as AckPlaceholder] : whole,
  );
}

/** The template in the customer's language when there is one, else the default language's, else English. */
export function renderAcknowledgement(
  settings: Pick<EmailSettings, 'acknowledgement'>,
  values: { caseNumber: string; subject: string; name?: string; email: string; token: string; language?: string; statusLink?: string },
): AckContent {
  const templates = settings.acknowledgement.templates;
  const wanted = values.language?.toLowerCase();
  const language =
    (wanted && templates[wanted] ? wanted : undefined) ??
    (wanted && Object.keys(templates).find((k) => k.split('-')[0] === wanted.split('-')[0])) ??
    (templates[settings.acknowledgement.defaultLanguage] ? settings.acknowledgement.defaultLanguage : undefined) ??
    Object.keys(templates)[0];
  const template = language ? templates[language] : undefined;
  const fields = {
    caseNumber: values.caseNumber,
    subject: values.subject || '(no subject)',
    name: values.name?.trim() || values.email,
    email: values.email,
    statusLink: values.statusLink ?? '',
  };
  const subject = template ? fill(template.subject, fields) : `Case ${values.caseNumber}: ${fields.subject}`;
  const text = template
    ? fill(template.text, fields)
    : `Your request has been registered as case ${values.caseNumber}.${values.statusLink ? `\n\n${values.statusLink}` : ''}`;
  // The token goes last and always: templates are written by admins, threading must not depend on them.
  return { subject: `${subject.replace(/\s+/g, ' ').trim().slice(0, 250)} ${values.token}`, text, language: language ?? 'en' };
}
