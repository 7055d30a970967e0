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
// Official and common names in 23 languages, each country's own official names, and alternative
// spellings, from world-countries (mledoze/countries, ODbL 1.0): the official long forms
// ("Соединённые Штаты Америки", "Bundesrepublik Deutschland") that neither i18n-iso-countries nor
// CLDR lists. The unescaped build is the smallest of its JSON files (~600 kB).
import type { Countries } from 'world-countries';
import worldCountriesData from 'world-countries/dist/countries-unescaped.json' with { type: 'json' };
import { foldForLookup, tidy } from './fold.js';
import { keptAsGiven, recognised, type FieldOutcome } from './outcome.js';

/**
 * Country ▶ ISO 3166-1 alpha-2, from an alpha-2, alpha-3 or numeric code, or a name (official or
 * common, long or short, or a widespread alias) in any of the languages below, ignoring case,
 * accents, punctuation, spacing and a leading article ("the Netherlands", "La France").
 *
 * Where the names come from, in order: i18n-iso-countries (common names and some aliases per
 * language); the runtime's CLDR data through Intl.DisplayNames (standard and short names: "ΗΠΑ",
 * "ארה״ב", "EE. UU.", and Traditional Chinese "美國"); world-countries (official and common names in
 * 23 languages, every country's own official names, alternative spellings); forms derived from those
 * ("Korea, Republic of" ▶ "Republic of Korea", a bracketed alternative on its own); and, last, a
 * short table of official forms in the languages none of them covers (LONG_FORMS).
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
  // i18n-iso-countries' Portuguese has the two Congos the wrong way round.
  'República Democrática do Congo': { country: 'CD' },
  'República do Congo': { country: 'CG' },
  Vatican: { country: 'VA' },
  KSA: { country: 'SA' },
  Emirates: { country: 'AE' },
};

/**
 * Official long forms in the languages the sources above leave out (Ukrainian, Hindi, Danish,
 * Norwegian, Greek, Hebrew), for the countries whose long form people write: the ones a support
 * case most often names, and those whose official name differs most from the common one. Also a
 * few everyday forms no source lists ("America", Japanese "米国", Spanish "República Popular China").
 */
const LONG_FORMS: Record<string, string[]> = {
  US: [
    '米国',
    '미합중국',
    'Сполучені Штати Америки',
    'Сполучені Штати',
    'संयुक्त राज्य अमेरिका',
    'अमेरिका',
    'Amerikas Forenede Stater',
    'Amerikas forente stater',
    'Ηνωμένες Πολιτείες της Αμερικής',
    'Ηνωμένες Πολιτείες Αμερικής',
    'ארצות הברית של אמריקה',
    'America',
    'أمريكا',
    'آمریکا',
    'Amerika',
  ],
  GB: [
    'Сполучене Королівство Великої Британії та Північної Ірландії',
    'Сполучене Королівство',
    'ग्रेट ब्रिटेन और उत्तरी आयरलैंड का यूनाइटेड किंगडम',
    'Det Forenede Kongerige Storbritannien og Nordirland',
    'Det forente kongeriket Storbritannia og Nord-Irland',
    'Ηνωμένο Βασίλειο της Μεγάλης Βρετανίας και της Βόρειας Ιρλανδίας',
    'הממלכה המאוחדת של בריטניה הגדולה וצפון אירלנד',
  ],
  RU: ['Російська Федерація', 'रूसी संघ', 'Den Russiske Føderation', 'Den russiske føderasjon', 'Ρωσική Ομοσπονδία', 'הפדרציה הרוסית'],
  DE: [
    'Федеративна Республіка Німеччина',
    'जर्मनी संघीय गणराज्य',
    'Forbundsrepublikken Tyskland',
    'Ομοσπονδιακή Δημοκρατία της Γερμανίας',
    'הרפובליקה הפדרלית של גרמניה',
  ],
  CN: [
    'República Popular China',
    'Китайська Народна Республіка',
    'चीनी जनवादी गणराज्य',
    'Folkerepublikken Kina',
    'Λαϊκή Δημοκρατία της Κίνας',
    'הרפובליקה העממית של סין',
  ],
  FR: ['Французька Республіка', 'फ़्रांसीसी गणराज्य', 'Den Franske Republik', 'Den franske republikk', 'Γαλλική Δημοκρατία', 'הרפובליקה הצרפתית'],
  KR: ['Республіка Корея', 'कोरिया गणराज्य', 'Republikken Korea', 'Δημοκρατία της Κορέας', 'הרפובליקה של קוריאה'],
  KP: [
    '朝鲜民主主义人民共和国',
    'Корейська Народно-Демократична Республіка',
    'कोरिया लोकतांत्रिक जनवादी गणराज्य',
    'Den Demokratiske Folkerepublik Korea',
    'Λαϊκή Δημοκρατία της Κορέας',
  ],
  IN: ['Республіка Індія', 'भारत गणराज्य', 'Republikken Indien', 'Republikken India', 'Δημοκρατία της Ινδίας', 'הרפובליקה של הודו'],
  UA: ['Україна', 'यूक्रेन'],
  IL: ['Держава Ізраїль', 'इज़राइल राज्य', 'Staten Israel', 'Κράτος του Ισραήλ', 'מדינת ישראל'],
  GR: ['Грецька Республіка', 'यूनानी गणराज्य', 'Den Hellenske Republik', 'Den hellenske republikk', 'Ελληνική Δημοκρατία', 'הרפובליקה ההלנית'],
  DK: ['Королівство Данія', 'डेनमार्क राजशाही', 'Kongeriget Danmark', 'Kongeriket Danmark', 'Βασίλειο της Δανίας', 'ממלכת דנמרק'],
  NO: ['Королівство Норвегія', 'नॉर्वे राजशाही', 'Kongeriget Norge', 'Kongeriket Norge', 'Βασίλειο της Νορβηγίας', 'ממלכת נורבגיה'],
  IR: [
    'Ісламська Республіка Іран',
    'ईरान इस्लामी गणराज्य',
    'Den Islamiske Republik Iran',
    'Den islamske republikk Iran',
    'Ισλαμική Δημοκρατία του Ιράν',
    'הרפובליקה האסלאמית של איראן',
  ],
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

/** CLDR locales whose standard and short region names are read: ours, and Traditional Chinese. */
const CLDR_LOCALES = [...COUNTRY_NAME_LOCALES.map((l) => l.locale), 'zh-Hant'];

/** world-countries' keys (ISO 639-2) for the languages of COUNTRY_NAME_LOCALES it translates into. */
const WORLD_COUNTRIES_LANGUAGES = new Set([
  'ara',
  'ces',
  'deu',
  'fin',
  'fra',
  'ita',
  'jpn',
  'kor',
  'nld',
  'per',
  'pol',
  'por',
  'rus',
  'spa',
  'swe',
  'tur',
  'zho',
]);

const worldCountries = worldCountriesData as unknown as Countries;

/** Prepositions that end the second half of an inverted name ("Korea, Republic of", "Corée, République de"). */
const INVERTED = /^(.+?),\s*(.+\s(?:of|of the|de|de la|du|des|del|di|da|do|der|van|von))$/i;
/** Leading articles a person may add to a country's name ("the Netherlands", "La France", "Die Schweiz"). */
const LEADING_ARTICLE = /^(?:the|la|le|les|l'|el|los|las|il|lo|gli|os|as|o|a|die|der|das|de|het)\s+/i;

/** A name and the forms derived from it: a bracketed alternative on its own, an inverted name turned round. */
function namesFrom(name: string): string[] {
  const out = [name];
  const bracketed = /^(.*?)\s*\(([^)]+)\)\s*$/.exec(name);
  if (bracketed) out.push(bracketed[1]!, bracketed[2]!);
  const inverted = INVERTED.exec(name);
  if (inverted) out.push(`${inverted[2]} ${inverted[1]}`);
  return out.filter((n) => n.trim());
}

type NameIndex = Map<string, NameEntry>;

function put(index: NameIndex, name: string, country: string, region?: string): void {
  const key = foldForLookup(name);
  if (!key) return;
  const entry = index.get(key) ?? { countries: new Set<string>() };
  entry.countries.add(country);
  if (region) entry.region = region;
  index.set(key, entry);
}

interface Source {
  /** Names as the source lists them. */
  listed: NameIndex;
  /** Forms derived from them (namesFrom). */
  derived: NameIndex;
}

type Add = (name: string, country: string, region?: string) => void;

function source(fill: (add: Add) => void): () => Source {
  let built: Source | undefined;
  return () => {
    if (!built) {
      const b: Source = { listed: new Map(), derived: new Map() };
      fill((name, country, region) => {
        const [itself, ...forms] = namesFrom(name);
        put(b.listed, itself!, country, region);
        for (const form of forms) put(b.derived, form, country, region);
      });
      built = b;
    }
    return built;
  };
}

/**
 * The sources, best first. A name is settled by the first source that lists it, so a later source
 * only fills gaps and never makes a name ambiguous that an earlier one settled (world-countries has
 * "Guyana" for French Guiana in Dutch, and Korean "인도" for the British Indian Ocean Territory);
 * within one source, a name listed for two countries stays ambiguous. Names as listed outrank forms
 * derived from them: "США" is the United States, though "Виргинские о-ва (США)" yields it as its
 * bracketed part. Each source is indexed on first need: a common name is found in the first two
 * (a few milliseconds to build); CLDR and world-countries (~50 ms more) are read only for a name
 * those do not know.
 */
const SOURCES: readonly (() => Source)[] = [
  source((add) => {
    for (const [name, { country, region }] of Object.entries(EXTRA_ALIASES)) add(name, country, region);
  }),
  source((add) => {
    for (const locale of COUNTRY_NAME_LOCALES) {
      for (const [code, names] of Object.entries(locale.countries)) {
        for (const name of Array.isArray(names) ? names : [names]) add(name, code);
      }
    }
  }),
  source((add) => {
    const codes = Object.keys(en.countries);
    for (const locale of CLDR_LOCALES) {
      for (const style of ['long', 'short'] as const) {
        const names = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
        for (const code of codes) {
          // A two-letter short form that is also a code never gets here: codes are read first
          // (CLDR's Spanish "RU" for the United Kingdom stays Russia).
          const name = names.of(code);
          if (name) add(name, code);
        }
      }
    }
  }),
  source((add) => {
    for (const [code, names] of Object.entries(LONG_FORMS)) for (const name of names) add(name, code);
  }),
  source((add) => {
    for (const c of worldCountries) {
      if (!countryCodes.isValid(c.cca2)) continue;
      add(c.name.common, c.cca2);
      add(c.name.official, c.cca2);
      for (const native of Object.values(c.name.native ?? {})) {
        add(native.common, c.cca2);
        add(native.official, c.cca2);
      }
      for (const [language, t] of Object.entries(c.translations)) {
        if (!WORLD_COUNTRIES_LANGUAGES.has(language)) continue;
        add(t.common, c.cca2);
        add(t.official, c.cca2);
      }
      for (const spelling of c.altSpellings) if (spelling.length > 2) add(spelling, c.cca2);
    }
  }),
];

function lookupName(name: string): NameEntry | undefined {
  const key = foldForLookup(name);
  if (!key) return undefined;
  for (const s of SOURCES) {
    const entry = s().listed.get(key);
    if (entry) return entry;
  }
  for (const s of SOURCES) {
    const entry = s().derived.get(key);
    if (entry) return entry;
  }
  return undefined;
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

  const withoutArticle = given.replace(LEADING_ARTICLE, '');
  const entry = lookupName(given) ?? (withoutArticle !== given ? lookupName(withoutArticle) : undefined);
  if (!entry) return keptAsGiven(given, `unknown country "${given}" kept as given`);
  if (entry.countries.size > 1) {
    return keptAsGiven(given, `ambiguous country "${given}" (${[...entry.countries].sort().join(' or ')}) kept as given`);
  }
  const code = [...entry.countries][0]!;
  const outcome: CountryOutcome = recognised(code, `country name "${given}"`);
  if (entry.region) outcome.impliedRegion = entry.region;
  return outcome;
}
