import { postcodeValidator, postcodeValidatorExistsForCountry } from 'postcode-validator';
import { isKnownCountryCode } from './country.js';
import { tidy } from './fold.js';
import { keptAsGiven, recognised, type FieldOutcome } from './outcome.js';

/**
 * Postal code ▶ the country's written format. Validation patterns come from postcode-validator
 * (~200 countries); the layout (where the space or dash goes) is ours, for the countries whose
 * codes have one. Territory matching strips spaces, but agents, exports and the customer history
 * read the stored value, so it should look the way the country's post writes it.
 */

type Layout = (compact: string) => string | undefined;

const digits = (n: number) => new RegExp(`^\\d{${n}}$`);
const split =
  (at: number, sep: string, pattern: RegExp): Layout =>
  (c) =>
    pattern.test(c) ? `${c.slice(0, at)}${sep}${c.slice(at)}` : undefined;
/** UK-style codes: the inward code is always the last three characters. */
const outwardInward: Layout = (c) => (/^[A-Z0-9]{5,7}$/.test(c) ? `${c.slice(0, -3)} ${c.slice(-3)}` : undefined);

const LAYOUTS: Record<string, Layout> = {
  US: (c) => (digits(5).test(c) ? c : digits(9).test(c) ? `${c.slice(0, 5)}-${c.slice(5)}` : undefined),
  CA: split(3, ' ', /^[A-Z]\d[A-Z]\d[A-Z]\d$/),
  GB: outwardInward,
  GG: outwardInward,
  JE: outwardInward,
  IM: outwardInward,
  IE: split(3, ' ', /^[A-Z0-9]{7}$/),
  NL: split(4, ' ', /^\d{4}[A-Z]{2}$/),
  JP: split(3, '-', digits(7)),
  BR: split(5, '-', digits(8)),
  PL: split(2, '-', digits(5)),
  PT: split(4, '-', digits(7)),
  SE: split(3, ' ', digits(5)),
  CZ: split(3, ' ', digits(5)),
  SK: split(3, ' ', digits(5)),
  GR: split(3, ' ', digits(5)),
  IR: split(5, '-', digits(10)),
  MT: split(3, ' ', /^[A-Z]{3}\d{2,4}$/),
  LV: (c) => (digits(4).test(c) ? `LV-${c}` : undefined),
};

/**
 * Prefixes Europeans write before a postal code: the ISO code or the old vehicle code
 * (D-10115, F-75001, CH-8001, SE-123 45). The number alone is the postal code.
 */
const COUNTRY_PREFIXES: Record<string, readonly string[]> = {
  DE: ['D', 'DE'],
  FR: ['F', 'FR'],
  AT: ['A', 'AT'],
  CH: ['CH'],
  IT: ['I', 'IT'],
  ES: ['E', 'ES'],
  BE: ['B', 'BE'],
  LU: ['L', 'LU'],
  NL: ['NL'],
  SE: ['S', 'SE'],
  NO: ['N', 'NO'],
  DK: ['DK'],
  FI: ['FIN', 'FI'],
  PT: ['P', 'PT'],
  PL: ['PL'],
  CZ: ['CZ'],
  SK: ['SK'],
  SI: ['SI'],
  HR: ['HR'],
  LT: ['LT'],
  LV: ['LV'],
  EE: ['EE'],
  GR: ['GR'],
  HU: ['H', 'HU'],
  RO: ['RO'],
  BG: ['BG'],
  LI: ['FL', 'LI'],
};

function withoutCountryPrefix(code: string, country: string): string {
  for (const prefix of COUNTRY_PREFIXES[country] ?? []) {
    const m = new RegExp(`^${prefix}\\s*-\\s*(?=\\d)`).exec(code);
    if (m) return code.slice(m[0].length);
  }
  return code;
}

export function normalisePostalCode(input: string | undefined, country: string | undefined): FieldOutcome {
  if (input === undefined) return { value: undefined, recognised: true };
  const given = tidy(input).toUpperCase();
  if (!given) return keptAsGiven(undefined, 'empty postal code removed');
  if (!country || !isKnownCountryCode(country)) {
    return keptAsGiven(given, 'postal code not checked: the country is unknown');
  }
  if (!postcodeValidatorExistsForCountry(country)) {
    return keptAsGiven(given, `no postal code format known for ${country}; kept as given`);
  }
  const valid = (candidate: string | undefined): candidate is string => candidate !== undefined && postcodeValidator(candidate, country);

  const unprefixed = withoutCountryPrefix(given, country);
  const compact = unprefixed.replace(/[\s-]+/g, '');
  // The country's layout first, then the plain compact form (DE 10115, FR 75001), then the code
  // as written for the few formats only the validator knows.
  for (const candidate of [LAYOUTS[country]?.(compact), compact, unprefixed]) {
    if (valid(candidate)) return recognised(candidate);
  }
  return keptAsGiven(given, `"${given}" is not a valid ${country} postal code; kept as given`);
}
