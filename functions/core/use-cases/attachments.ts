import type { Principal } from '../authz.js';
import { assertCanReadCase } from '../authz.js';
import { NotFoundError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { FileLinks } from '../ports/links.js';
import type { CaseRepository } from '../ports/repositories.js';
import { loadConfig, type ConfigSource } from './load-config.js';

/**
 * Attachment download (GET /cases/{id}/messages/{messageId}/attachments/{index}): authorised like
 * the case (whoever may read the case may download its files, nobody else), then a short-lived link
 * to the stored bytes (FileLinks: a pre-signed S3 GET in AWS, a signed route locally), so files never
 * pass through the API (whose payloads stop at 6 MB) and the bearer token never goes into a URL.
 */
export interface AttachmentLinkDeps {
  cases: Pick<CaseRepository, 'getWithHistory'>;
  configs: ConfigSource;
  files: FileLinks;
  clock: Clock;
}

/**
 * Types a browser would render as active content on the origin serving them (script in HTML, SVG,
 * XML stylesheets): handed out as plain bytes. Every download is also an attachment disposition.
 */
const ACTIVE_CONTENT =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/ecmascript|text\/xsl|multipart\/)/i;

/** The content type a download is served with: the stored one, unless a browser could run it. */
export function downloadContentType(stored: string): string {
  const type = stored.split(';')[0]!.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) || ACTIVE_CONTENT.test(type)) return 'application/octet-stream';
  return type;
}

export interface AttachmentLink {
  url: string;
  name: string;
  contentType: string;
  size: number;
  expiresAt: string;
}

export function makeAttachmentLink(deps: AttachmentLinkDeps) {
  return async function attachmentLink(principal: Principal, caseId: string, messageId: string, index: number): Promise<AttachmentLink> {
    const found = await deps.cases.getWithHistory(caseId);
    if (!found) throw new NotFoundError(`case ${caseId} does not exist`);
    assertCanReadCase(principal, found.case, await loadConfig(deps.configs));
    const attachment = found.messages.find((m) => m.messageId === messageId)?.attachments[index];
    if (!attachment?.ref) throw new NotFoundError(`message ${messageId} of case ${found.case.caseNumber} has no attachment ${index}`);
    const contentType = downloadContentType(attachment.contentType);
    const link = await deps.files.link(attachment.ref, { name: attachment.name, contentType }, deps.clock.now());
    return { url: link.url, name: attachment.name, contentType, size: attachment.size, expiresAt: link.expiresAt };
  };
}

/** `attachment; filename="<ASCII>"; filename*=UTF-8''<the name>` (RFC 6266): every browser downloads it by its name. */
export function attachmentDisposition(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters cannot go into a header
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_').replace(/[\x00-\x1f]/g, '_') || 'file';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
