import { allCountries } from 'country-region-data';
import { isKnownCountryCode } from './country.js';
import { foldForLookup, tidy } from './fold.js';
import { keptAsGiven, recognised, type FieldOutcome } from './outcome.js';

/**
 * Region ▶ ISO 3166-2 (`US-CA`, `DE-BY`, `CA-ON`), given the case's normalised country. Accepts the
 * full code, the bare subdivision code (`CA` in the US) or a name. The subdivision list and its
 * primary names come from country-region-data (mostly the local name: Bayern, Île-de-France); the
 * English and other common names people also write are listed below.
 */

/** Common names that are not the dataset's primary one, by ISO 3166-2 code. */
const REGION_ALIASES: Record<string, readonly string[]> = {
  // The UK's nations are ISO 3166-2 subdivisions but absent from the dataset's council-level list.
  'GB-ENG': ['England'],
  'GB-SCT': ['Scotland', 'Schottland', 'Écosse', 'Escocia'],
  'GB-WLS': ['Wales', 'Cymru', 'Pays de Galles', 'Gales'],
  'GB-NIR': ['Northern Ireland', 'Nordirland', 'Irlande du Nord', 'Irlanda del Norte'],
  'DE-BY': ['Bavaria', 'Bavière', 'Baviera'],
  'DE-BW': ['Baden-Wuerttemberg', 'Baden-Wurttemberg'],
  'DE-NI': ['Lower Saxony', 'Basse-Saxe', 'Baja Sajonia'],
  'DE-NW': ['North Rhine-Westphalia', 'NRW', 'Rhénanie-du-Nord-Westphalie', 'Renania del Norte-Westfalia'],
  'DE-HE': ['Hesse'],
  'DE-SN': ['Saxony', 'Saxe', 'Sajonia'],
  'DE-ST': ['Saxony-Anhalt'],
  'DE-TH': ['Thuringia', 'Thueringen', 'Thuringe'],
  'DE-RP': ['Rhineland-Palatinate'],
  'DE-MV': ['Mecklenburg-Western Pomerania', 'Mecklenburg-West Pomerania'],
  'AT-2': ['Carinthia'],
  'AT-3': ['Lower Austria'],
  'AT-4': ['Upper Austria'],
  'AT-6': ['Styria'],
  'AT-7': ['Tyrol'],
  'AT-9': ['Vienna', 'Vienne'],
  'CH-GE': ['Geneva', 'Genf', 'Genève', 'Ginevra'],
  'CH-ZH': ['Zurich'],
  'CH-BE': ['Berne'],
  'CH-LU': ['Lucerne'],
  'CH-GR': ['Grisons'],
  'CH-SG': ['St. Gallen', 'St Gallen'],
  'CH-TI': ['Tessin'],
  'CH-VS': ['Wallis'],
  'CH-VD': ['Waadt'],
  'IT-25': ['Lombardy', 'Lombardei', 'Lombardie'],
  'IT-21': ['Piedmont', 'Piemont'],
  'IT-52': ['Tuscany', 'Toskana', 'Toscane'],
  'IT-82': ['Sicily', 'Sizilien', 'Sicile'],
  'IT-88': ['Sardinia', 'Sardinien', 'Sardaigne'],
  'IT-75': ['Apulia', 'Apulien', 'Pouilles'],
  'IT-62': ['Latium'],
  'IT-23': ['Aosta Valley'],
  'IT-32': ['Trentino-South Tyrol', 'Trentino-Südtirol'],
  'ES-AN': ['Andalusia', 'Andalucía', 'Andalusien', 'Andalousie'],
  'ES-AR': ['Aragon', 'Aragón'],
  'ES-PM': ['Balearic Islands', 'Balearen', 'Baleares'],
  'ES-CN': ['Canary Islands', 'Kanaren', 'Islas Canarias'],
  'NL-NH': ['North Holland', 'Nordholland'],
  'NL-ZH': ['South Holland', 'Südholland'],
  'NL-NB': ['North Brabant', 'Nordbrabant'],
  'BE-VLG': ['Vlaanderen', 'Flandre', 'Flandern'],
  'BE-WAL': ['Wallonie', 'Wallonien'],
  'BE-BRU': ['Brussel', 'Bruxelles', 'Brüssel'],
  'PL-14': ['Masovia', 'Mazovia', 'Masowien'],
  'PL-12': ['Lesser Poland', 'Kleinpolen'],
  'PL-24': ['Silesia', 'Schlesien'],
  'PL-30': ['Greater Poland', 'Großpolen'],
  'PL-02': ['Lower Silesia', 'Niederschlesien'],
  'PL-22': ['Pomerania', 'Pommern'],
  'CA-QC': ['Québec'],
  'CA-NL': ['Newfoundland'],
  'US-DC': ['Washington DC', 'Washington D.C.', 'D.C.'],
};

interface CountryRegions {
  /** Subdivision codes without the country prefix (`CA`, `BY`, `25`). */
  codes: Set<string>;
  /** Folded name ▶ subdivision codes (more than one when a name is shared). */
  names: Map<string, Set<string>>;
}

let regionIndex: Map<string, CountryRegions> | undefined;

function regionsByCountry(): Map<string, CountryRegions> {
  if (regionIndex) return regionIndex;
  const index = new Map<string, CountryRegions>();
  const entryFor = (country: string) => {
    let entry = index.get(country);
    if (!entry) index.set(country, (entry = { codes: new Set(), names: new Map() }));
    return entry;
  };
  const addName = (entry: CountryRegions, name: string, code: string) => {
    const key = foldForLookup(name);
    if (!key) return;
    const codes = entry.names.get(key) ?? new Set<string>();
    codes.add(code);
    entry.names.set(key, codes);
  };
  for (const [, country, regions] of allCountries) {
    const entry = entryFor(country);
    for (const [name, code] of regions) {
      if (!code) continue;
      entry.codes.add(code);
      // Bilingual names are listed as "Valencia/València", "Navarra/Nafarroa": each half is a name.
      for (const part of [name, ...name.split('/')]) addName(entry, part, code);
    }
  }
  for (const [iso, names] of Object.entries(REGION_ALIASES)) {
    const [country, code] = iso.split('-') as [string, string];
    const entry = entryFor(country);
    entry.codes.add(code);
    for (const name of names) addName(entry, name, code);
  }
  regionIndex = index;
  return index;
}

export function isKnownRegionCode(code: string): boolean {
  const [country, sub] = code.split('-');
  return !!country && !!sub && (regionsByCountry().get(country)?.codes.has(sub) ?? false);
}

/**
 * @param country the case's country, already normalised to ISO alpha-2 (or unknown)
 */
export function normaliseRegion(input: string | undefined, country: string | undefined): FieldOutcome {
  if (input === undefined) return { value: undefined, recognised: true };
  const given = tidy(input);
  if (!given) return keptAsGiven(undefined, 'empty region removed');
  if (!country || !isKnownCountryCode(country)) {
    return keptAsGiven(given, 'region kept as given: the country is unknown');
  }
  const regions = regionsByCountry().get(country);
  if (!regions || regions.codes.size === 0) return keptAsGiven(given, `no subdivisions known for ${country}`);

  const upper = given.toUpperCase();
  const qualified = /^([A-Z]{2})[-\s_]([A-Z0-9]{1,3})$/.exec(upper);
  if (qualified) {
    const [, prefix, sub] = qualified as unknown as [string, string, string];
    if (prefix === country && regions.codes.has(sub)) return recognised(`${country}-${sub}`);
    if (prefix !== country && isKnownRegionCode(`${prefix}-${sub}`)) {
      return keptAsGiven(given, `region ${prefix}-${sub} belongs to ${prefix}, not to the case's country ${country}`);
    }
  }
  if (/^[A-Z0-9]{1,3}$/.test(upper) && regions.codes.has(upper)) {
    return recognised(`${country}-${upper}`, `subdivision code ${upper} in ${country}`);
  }

  const codes = regions.names.get(foldForLookup(given));
  if (!codes) return keptAsGiven(given, `unknown region "${given}" in ${country} kept as given`);
  if (codes.size > 1) {
    const options = [...codes]
      .sort()
      .map((c) => `${country}-${c}`)
      .join(' or ');
    return keptAsGiven(given, `ambiguous region "${given}" (${options}) kept as given`);
  }
  return recognised(`${country}-${[...codes][0]!}`, `region name "${given}"`);
}
