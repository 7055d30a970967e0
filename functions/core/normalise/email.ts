import { tidy } from './fold.js';
import { keptAsGiven, recognised, type FieldOutcome } from './outcome.js';

/**
 * Email ▶ trimmed and lower-cased, with an internationalised domain in its ASCII (punycode) form.
 * The address is the key for the customer's history and for threading, so `Anna@Example.COM` and
 * `anna@example.com` must be one customer. Local parts are case-sensitive in theory only: no mail
 * provider we route for treats them so, and a split history costs more than that edge case.
 */
export function normaliseEmail(input: string | undefined): FieldOutcome {
  if (input === undefined) return { value: undefined, recognised: true };
  let given = tidy(input);
  // Pasted from a mail client: `Anna <anna@example.com>` or `mailto:anna@example.com`.
  const bracketed = /<([^<>\s]+@[^<>\s]+)>/.exec(given);
  if (bracketed) given = bracketed[1]!;
  given = given.replace(/^mailto:/i, '');
  if (!given) return keptAsGiven(undefined, 'empty email removed');

  const at = given.lastIndexOf('@');
  const local = given.slice(0, at);
  const domain = given.slice(at + 1);
  if (at < 1 || !domain || /\s/.test(given) || (local.includes('@') && !/^".*"$/.test(local))) {
    return keptAsGiven(given.toLowerCase(), `"${given}" is not an email address; kept lower-cased`);
  }
  const asciiDomain = toAsciiDomain(domain);
  if (!asciiDomain || !asciiDomain.includes('.')) {
    return keptAsGiven(given.toLowerCase(), `"${domain}" is not a valid mail domain; kept lower-cased`);
  }
  const value = `${local.toLowerCase()}@${asciiDomain}`;
  return asciiDomain !== domain.toLowerCase() ? recognised(value, `domain ${domain} in its ASCII form`) : recognised(value);
}

/** WHATWG URL host parsing applies UTS #46 (IDNA) mapping: lower-casing, width folding, punycode. */
function toAsciiDomain(domain: string): string | undefined {
  try {
    const host = new URL(`http://${domain}/`).hostname;
    return /^[a-z0-9.-]+$/.test(host) && !host.startsWith('.') && !host.endsWith('.') ? host : undefined;
  } catch {
    return undefined;
  }
}
