import countryCodes from 'i18n-iso-countries/index.js';
// Only the languages our customers write in are bundled (each locale is ~8 kB); the package's main
// entry would register all ~80 of them.
import ar from 'i18n-iso-countries/langs/ar.json' with { type: 'json' };
import cs from 'i18n-iso-countries/langs/cs.json' with { type: 'json' };
import da from 'i18n-iso-countries/langs/da.json' with { type: 'json' };
import de from 'i18n-iso-countries/langs/de.json' with { type: 'json' };
import el from 'i18n-iso-countries/langs/el.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import es from 'i18n-iso-countries/langs/es.json' with { type: 'json' };
import fa from 'i18n-iso-countries/langs/fa.json' with { type: 'json' };
import fi from 'i18n-iso-countries/langs/fi.json' with { type: 'json' };
import fr from 'i18n-iso-countries/langs/fr.json' with { type: 'json' };
import he from 'i18n-iso-countries/langs/he.json' with { type: 'json' };
import hi from 'i18n-iso-countries/langs/hi.json' with { type: 'json' };
import it from 'i18n-iso-countries/langs/it.json' with { type: 'json' };
import ja from 'i18n-iso-countries/langs/ja.json' with { type: 'json' };
import ko from 'i18n-iso-countries/langs/ko.json' with { type: 'json' };
import nb from 'i18n-iso-countries/langs/nb.json' with { type: 'json' };
import nl from 'i18n-iso-countries/langs/nl.json' with { type: 'json' };
import pl from 'i18n-iso-countries/langs/pl.json' with { type: 'json' };
import pt from 'i18n-iso-countries/langs/pt.json' with { type: 'json' };
import ru from 'i18n-iso-countries/langs/ru.json' with { type: 'json' };
import sv from 'i18n-iso-countries/langs/sv.json' with { type: 'json' };
import tr from 'i18n-iso-countries/langs/tr.json' with { type: 'json' };
import uk from 'i18n-iso-countries/langs/uk.json' with { type: 'json' };
import zh from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import { foldForLookup, tidy } from './fold.js';
import { keptAsGiven, recognised, type FieldOutcome } from './outcome.js';

/**
 * Country ▶ ISO 3166-1 alpha-2, from an alpha-2, alpha-3 or numeric code, or a name (official or
 * common alias) in any of the bundled languages, ignoring case, accents and punctuation.
 */

interface LocaleNames {
  locale: string;
  countries: Record<string, string | string[]>;
}

export const COUNTRY_NAME_LOCALES: readonly LocaleNames[] = [en, de, fr, es, it, pt, nl, ru, uk, pl, tr, ar, fa, zh, ja, ko, hi, sv, da, nb, fi, cs, el, he];

/**
 * Names people use that no locale file lists as a country name. The constituent countries of the
 * United Kingdom have no ISO 3166-1 code of their own: they are GB, and the nation is kept as the
 * ISO 3166-2 region (GB-ENG...), so a territory on GB still matches and one on GB-SCT can too.
 */
const EXTRA_ALIASES: Record<string, { country: string; region?: string }> = {
  Holland: { country: 'NL' },
  Britain: { country: 'GB' },
  'United Kingdom of Great Britain and Northern Ireland': { country: 'GB' },
  England: { country: 'GB', region: 'GB-ENG' },
  Scotland: { country: 'GB', region: 'GB-SCT' },
  Wales: { country: 'GB', region: 'GB-WLS' },
  'Northern Ireland': { country: 'GB', region: 'GB-NIR' },
  'United States of America': { country: 'US' },
  'United States': { country: 'US' },
  'Estados Unidos': { country: 'US' },
  'États-Unis': { country: 'US' },
  'Vereinigte Staaten': { country: 'US' },
  'South Korea': { country: 'KR' },
  Korea: { country: 'KR' },
  Burma: { country: 'MM' },
  Czechia: { country: 'CZ' },
  Swaziland: { country: 'SZ' },
  Macedonia: { country: 'MK' },
  'Vatican City': { country: 'VA' },
  Vatican: { country: 'VA' },
  KSA: { country: 'SA' },
  Emirates: { country: 'AE' },
};

/**
 * Two-letter codes in everyday use that are not the ISO code: the UK's own domain and the EU's code
 * for Greece. They are exceptionally reserved in ISO 3166-1, so they cannot mean anything else.
 */
const CODE_ALIASES: Record<string, string> = { UK: 'GB', EL: 'GR' };

interface NameEntry {
  countries: Set<string>;
  region?: string;
}

let nameIndex: Map<string, NameEntry> | undefined;

/** Built on first use (a few milliseconds), so a case that carries a code never pays for it. */
function countryNameIndex(): Map<string, NameEntry> {
  if (nameIndex) return nameIndex;
  const index = new Map<string, NameEntry>();
  const add = (name: string, country: string, region?: string) => {
    const key = foldForLookup(name);
    if (!key) return;
    const entry = index.get(key) ?? { countries: new Set<string>() };
    entry.countries.add(country);
    if (region) entry.region = region;
    index.set(key, entry);
  };
  for (const locale of COUNTRY_NAME_LOCALES) {
    for (const [code, names] of Object.entries(locale.countries)) {
      for (const name of Array.isArray(names) ? names : [names]) add(name, code);
    }
  }
  for (const [name, { country, region }] of Object.entries(EXTRA_ALIASES)) {
    // An explicit alias settles a name that the locale files share between countries.
    index.delete(foldForLookup(name));
    add(name, country, region);
  }
  nameIndex = index;
  return index;
}

export interface CountryOutcome extends FieldOutcome {
  /** A region the name implies (England ▶ GB-ENG), used when the case has no region of its own. */
  impliedRegion?: string;
}

export function isKnownCountryCode(code: string | undefined): boolean {
  return !!code && /^[A-Z]{2}$/.test(code) && countryCodes.isValid(code);
}

export function countryName(code: string, locale = 'en'): string | undefined {
  const names = COUNTRY_NAME_LOCALES.find((l) => l.locale === locale)?.countries[code];
  return Array.isArray(names) ? names[0] : names;
}

export function normaliseCountry(input: string | undefined): CountryOutcome {
  if (input === undefined) return { value: undefined, recognised: true };
  const given = tidy(input);
  if (!given) return keptAsGiven(undefined, 'empty country removed');

  const upper = given.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) {
    if (CODE_ALIASES[upper]) return recognised(CODE_ALIASES[upper], `${upper} is not the ISO code; ${CODE_ALIASES[upper]} is`);
    if (countryCodes.isValid(upper)) return recognised(upper);
  }
  if (/^[A-Z]{3}$/.test(upper)) {
    const alpha2 = countryCodes.alpha3ToAlpha2(upper);
    if (alpha2) return recognised(alpha2, `ISO alpha-3 ${upper}`);
  }
  if (/^\d{1,3}$/.test(given)) {
    const alpha2 = countryCodes.numericToAlpha2(given.padStart(3, '0'));
    if (alpha2) return recognised(alpha2, `ISO numeric ${given}`);
  }

  const entry = countryNameIndex().get(foldForLookup(given));
  if (!entry) return keptAsGiven(given, `unknown country "${given}" kept as given`);
  if (entry.countries.size > 1) {
    return keptAsGiven(given, `ambiguous country "${given}" (${[...entry.countries].sort().join(' or ')}) kept as given`);
  }
  const code = [...entry.countries][0]!;
  const outcome: CountryOutcome = recognised(code, `country name "${given}"`);
  if (entry.region) outcome.impliedRegion = entry.region;
  return outcome;
}
