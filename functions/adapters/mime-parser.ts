import { convert as htmlToText } from 'html-to-text';
import libmime from 'libmime';
import type { AddressObject, HeaderValue, ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import sanitizeHtml from 'sanitize-html';
import type { EmailAddress, ParsedAttachment, ParsedEmail } from '../core/email.js';
import { UnparsableEmailError, messageIdsIn, normaliseMessageId } from '../core/email.js';
import type { MimeParser } from '../core/ports/email-intake.js';

/**
 * The MIME parser: mailparser (Nodemailer's parser), chosen by measurement over the shared corpus
 * (bin/compare-mime-parsers.ts; docs/email.md#the-mime-library-chosen-by-measurement has the scores). Around it, the two things neither
 * mailparser nor postal-mime gets right and that matter for a case:
 *
 * - raw 8-bit header bytes that are not UTF-8 (ISO-8859-1 subjects from Outlook 2000, GB2312 and
 *   Big5 subjects from Asian mailers, windows-1252 names): both libraries turn them into U+FFFD.
 *   They are decoded again with the charset the message itself declares, else windows-1252.
 * - HTML-only mail: the text is derived from the (sanitised) HTML.
 *
 * The HTML is sanitised here, before anything stores it.
 */

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'font', 'center', 'del', 'ins', 'sub', 'sup', 'u', 's', 'small', 'big', 'hr', 'br'],
  allowedAttributes: {
    a: ['href', 'name', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align', 'valign', 'width'],
    th: ['colspan', 'rowspan', 'align', 'valign', 'width'],
    table: ['width', 'border', 'cellpadding', 'cellspacing', 'align'],
    font: ['color', 'size'],
    '*': ['dir', 'lang'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  // Inline images are stored as attachments and shown through their content id.
  allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};

export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

export function textFromHtml(html: string): string {
  return htmlToText(html, {
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  }).trim();
}

// --- raw header bytes ------------------------------------------------------------------------------

/** Header name (lower case) ▶ raw unfolded values, from the bytes before the first empty line. */
export function rawHeaders(raw: Uint8Array): Map<string, Buffer[]> {
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let end = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (end === -1 || (lf !== -1 && lf < end)) end = lf;
  const head = end === -1 ? buffer : buffer.subarray(0, end);
  const out = new Map<string, Buffer[]>();
  let current: { name: string; parts: Buffer[] } | undefined;
  const flush = () => {
    if (!current) return;
    const list = out.get(current.name) ?? [];
    list.push(Buffer.concat(current.parts));
    out.set(current.name, list);
    current = undefined;
  };
  let start = 0;
  while (start < head.length) {
    let nl = head.indexOf(0x0a, start);
    if (nl === -1) nl = head.length;
    let line = head.subarray(start, nl);
    if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    start = nl + 1;
    if (line.length === 0) continue;
    if ((line[0] === 0x20 || line[0] === 0x09) && current) {
      current.parts.push(Buffer.from(' '), line.subarray(1));
      continue;
    }
    flush();
    const colon = line.indexOf(0x3a);
    if (colon <= 0) continue;
    const name = line.subarray(0, colon).toString('latin1').trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    let value = line.subarray(colon + 1);
    while (value.length && (value[0] === 0x20 || value[0] === 0x09)) value = value.subarray(1);
    current = { name, parts: [value] };
  }
  flush();
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

function hasHighBytes(bytes: Buffer): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

/**
 * Whether 8-bit header bytes are UTF-8 (RFC 6532) after all: strictly valid, or at least more valid
 * multi-byte characters than broken ones (a real UTF-8 header cut short mid-character).
 */
function looksUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    const text = lenientUtf8.decode(bytes);
    let good = 0;
    let bad = 0;
    for (const ch of text) {
      if (ch === '\uFFFD') bad++;
      else if (ch.codePointAt(0)! > 0x7f) good++;
    }
    return good > bad * 2;
  }
}

/** The first non-ASCII, non-UTF-8 charset the message declares anywhere (its parts usually agree with its headers). */
export function declaredCharset(raw: Uint8Array): string | undefined {
  const text = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 256 * 1024)).toString('latin1');
  for (const m of text.matchAll(/charset\s*=\s*"?([A-Za-z0-9_.:-]+)"?/gi)) {
    const label = m[1]!.toLowerCase();
    if (/^(us-ascii|ascii|utf-?8|utf-?7|unicode-1-1-utf-7)$/.test(label)) continue;
    try {
      new TextDecoder(label);
      return label;
    } catch {}
  }
  return undefined;
}

function decodeLegacy(bytes: Buffer, charset: string | undefined): { text: string; charset: string } {
  const label = charset ?? 'windows-1252';
  try {
    return { text: new TextDecoder(label).decode(bytes), charset: label };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), charset: 'windows-1252' };
  }
}

/**
 * A file name mailparser could only read byte by byte. Raw 8-bit bytes in a name that are not
 * strictly valid UTF-8 (a name cut mid-character by the sending mailer, one stray byte) come out as
 * Latin-1, every byte a character: 100 Japanese characters become 300 of mojibake. When those bytes
 * are there, unencoded, in the message and look like UTF-8, the name is decoded as UTF-8 with the
 * bad bytes replaced; other raw 8-bit names are decoded with the charset the message declares.
 */
export function redecodeRawName(name: string, raw: Buffer, charset: string | undefined): { name: string; note?: string } {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is whether every character is a single byte
  if (!/[\u0080-\u00ff]/.test(name) || /[^\u0000-\u00ff]/.test(name)) return { name };
  const bytes = Buffer.from(name, 'latin1');
  if (raw.indexOf(bytes) === -1) return { name }; // decoded from an encoded form, not raw bytes: mailparser knew the charset
  if (looksUtf8(bytes))
    return { name: lenientUtf8.decode(bytes), note: 'an attachment name had raw 8-bit bytes, decoded as UTF-8 (broken characters replaced)' };
  if (!charset || /^(iso-8859-1|latin1|windows-1252|us-ascii)$/i.test(charset)) return { name };
  const decoded = decodeLegacy(bytes, charset);
  return { name: decoded.text, note: `an attachment name had raw 8-bit bytes, decoded as ${decoded.charset}` };
}

// --- mailparser's output ▶ ParsedEmail ---------------------------------------------------------

function headerText(value: HeaderValue): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (value instanceof Date) return [value.toUTCString()];
  if (Array.isArray(value)) return value.flatMap((v) => headerText(v as HeaderValue));
  if (typeof value === 'object') {
    const v = value as { text?: string; value?: unknown; params?: Record<string, string> };
    if (typeof v.text === 'string') return [v.text];
    if (typeof v.value === 'string') {
      const params = Object.entries(v.params ?? {})
        .map(([k, p]) => `; ${k}=${p}`)
        .join('');
      return [`${v.value}${params}`];
    }
  }
  return [String(value)];
}

function addresses(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: EmailAddress[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address || e.name) out.push({ address: (e.address ?? '').trim(), ...(e.name?.trim() ? { name: e.name.trim() } : {}) });
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

/** Addresses from a header decoded by us (the raw-byte fallback), parsed with Nodemailer's address parser. */
function parseAddressHeader(text: string): EmailAddress[] {
  const out: EmailAddress[] = [];
  const walk = (entries: ReturnType<typeof addressparser>) => {
    for (const e of entries) {
      if ('group' in e && e.group) walk(e.group as ReturnType<typeof addressparser>);
      else if ('address' in e) out.push({ address: (e.address ?? '').trim(), ...(e.name?.trim() ? { name: libmime.decodeWords(e.name.trim()) } : {}) });
    }
  };
  walk(addressparser(text));
  return out;
}

function attachmentName(index: number, contentType: string): string {
  const [type = 'application', sub = 'octet-stream'] = contentType.toLowerCase().split('/');
  const known: Record<string, string> = {
    'message/rfc822': 'eml',
    'text/rfc822-headers': 'txt',
    'message/delivery-status': 'txt',
    'message/disposition-notification': 'txt',
    'message/feedback-report': 'txt',
    'text/plain': 'txt',
    'text/html': 'html',
  };
  const ext =
    known[`${type}/${sub}`] ??
    (sub
      .replace(/^x-/, '')
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 8) ||
      'bin');
  return `part-${index + 1}.${ext}`;
}

function isoDate(date: Date | undefined): string | undefined {
  if (!date || Number.isNaN(date.getTime())) return undefined;
  const year = date.getUTCFullYear();
  return year >= 1970 && year <= 2200 ? date.toISOString() : undefined;
}

export function toParsedEmail(parsed: ParsedMail, raw: Uint8Array): ParsedEmail {
  const notes: string[] = [];
  const headers: Record<string, string[]> = {};
  // From the header lines as written (mailparser folds List-* headers into one `list` object, and
  // structured headers lose their raw text); encoded words decoded.
  for (const { key, line } of parsed.headerLines) {
    const colon = line.indexOf(':');
    const value = (colon === -1 ? '' : line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim();
    let decoded = value;
    try {
      decoded = libmime.decodeWords(value);
    } catch {
      // Keep the raw text of a header whose encoded words are broken.
    }
    (headers[key.toLowerCase()] ??= []).push(decoded);
  }
  for (const [name, value] of parsed.headers) headers[name.toLowerCase()] ??= headerText(value);

  let subject = parsed.subject ?? '';
  let from = addresses(parsed.from)[0];
  let to = addresses(parsed.to);
  let cc = addresses(parsed.cc);

  // Raw 8-bit bytes in headers that are not UTF-8: decode them as the message's declared charset.
  const rawHeaderMap = rawHeaders(raw);
  const legacy = (name: string): string | undefined => {
    const bytes = rawHeaderMap.get(name)?.[0];
    if (!bytes || !hasHighBytes(bytes) || looksUtf8(bytes)) return undefined;
    const decoded = decodeLegacy(bytes, declaredCharset(raw));
    notes.push(`${name} had raw 8-bit bytes, decoded as ${decoded.charset}`);
    return libmime.decodeWords(decoded.text).replace(/\s+/g, ' ').trim();
  };
  const legacySubject = legacy('subject');
  if (legacySubject !== undefined) {
    subject = legacySubject;
    headers.subject = [legacySubject];
  }
  const legacyFrom = legacy('from');
  if (legacyFrom !== undefined) from = parseAddressHeader(legacyFrom)[0] ?? from;
  const legacyTo = legacy('to');
  if (legacyTo !== undefined) to = parseAddressHeader(legacyTo);
  const legacyCc = legacy('cc');
  if (legacyCc !== undefined) cc = parseAddressHeader(legacyCc);

  const html = typeof parsed.html === 'string' && parsed.html.trim() ? sanitizeEmailHtml(parsed.html) : undefined;
  let text = parsed.text?.trim() ? parsed.text : undefined;
  if (!text && html) {
    text = textFromHtml(html);
    notes.push('no text part: text derived from the HTML');
  }

  const rawBuffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let charset: string | null | undefined = null;
  const attachments: ParsedAttachment[] = parsed.attachments.map((a, index) => {
    const contentType = (a.contentType || 'application/octet-stream').toLowerCase();
    const contentId = a.contentId ? normaliseMessageId(a.contentId) : undefined;
    let filename = a.filename?.trim();
    if (filename) {
      if (charset === null) charset = declaredCharset(raw);
      const redecoded = redecodeRawName(filename, rawBuffer, charset);
      filename = redecoded.name;
      if (redecoded.note && !notes.includes(redecoded.note)) notes.push(redecoded.note);
    }
    return {
      filename: filename || attachmentName(index, contentType),
      contentType,
      size: a.size ?? a.content.length,
      ...(contentId ? { contentId } : {}),
      disposition: a.contentDisposition === 'inline' || (a.related && contentId) ? 'inline' : 'attachment',
      content: a.content,
    };
  });

  const contentType = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const reportType = contentType?.value?.toLowerCase() === 'multipart/report' ? contentType.params?.['report-type']?.toLowerCase() : undefined;
  const messageId = parsed.messageId ? normaliseMessageId(parsed.messageId) : undefined;
  const inReplyTo = parsed.inReplyTo ? [parsed.inReplyTo] : [];
  const references = parsed.references ? (Array.isArray(parsed.references) ? parsed.references : [parsed.references]) : [];
  const date = isoDate(parsed.date);

  return {
    ...(messageId ? { messageId } : {}),
    inReplyTo: messageIdsIn(inReplyTo).length ? inReplyTo : [],
    references,
    subject: subject.replace(/\r?\n/g, ' '),
    ...(from ? { from } : {}),
    ...(addresses(parsed.headers.get('sender') as AddressObject | undefined)[0]
      ? { sender: addresses(parsed.headers.get('sender') as AddressObject)[0]! }
      : {}),
    replyTo: addresses(parsed.replyTo),
    to,
    cc,
    ...(date ? { date } : {}),
    ...(text ? { text } : {}),
    ...(html ? { html } : {}),
    headers,
    attachments,
    ...(reportType ? { reportType } : {}),
    notes,
  };
}

/** mailparser's own limits, raised for real mail: a 200 KB header is legal, 300 attachments happen. */
const OPTIONS = {
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  // DSNs: keep the machine-readable delivery-status part as a part instead of folding it into the text.
  keepDeliveryStatus: true,
  maxHtmlLengthToParse: 5 * 1024 * 1024,
} as const;

export function makeMimeParser(): MimeParser {
  return {
    async parse(raw) {
      if (raw.byteLength === 0) throw new UnparsableEmailError('the message is empty');
      let parsed: ParsedMail;
      try {
        parsed = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), OPTIONS);
      } catch (error) {
        throw new UnparsableEmailError(`MIME parsing failed: ${(error as Error).message}`);
      }
      if (parsed.headers.size === 0) throw new UnparsableEmailError('no header could be read');
      return toParsedEmail(parsed, raw);
    },
  };
}
