/**
 * Country names in the languages the normaliser claims: official long forms ("Соединённые Штаты
 * Америки" was not recognised as US), common and short forms, and widespread aliases, each to its
 * ISO 3166-1 code; and the guard that a richer set of sources never turns a name one source settled
 * into an ambiguous or different one.
 */
import { describe, expect, it } from 'vitest';
import { COUNTRY_NAME_LOCALES } from '../../functions/core/normalise/country.js';
import { normaliseCountry } from '../../functions/core/normalise/place.js';

type Table = Record<string, [string, string][]>;

const FORMS: Table = {
  en: [
    ['United States of America', 'US'],
    ['the United States', 'US'],
    ['America', 'US'],
    ['United Kingdom of Great Britain and Northern Ireland', 'GB'],
    ['Republic of Korea', 'KR'],
    ["Democratic People's Republic of Korea", 'KP'],
    ['Russian Federation', 'RU'],
    ['Islamic Republic of Iran', 'IR'],
    ['Federal Republic of Germany', 'DE'],
    ["People's Republic of China", 'CN'],
    ['Republic of China', 'TW'],
    ['Czech Republic', 'CZ'],
    ['Republic of North Macedonia', 'MK'],
    ['Kingdom of the Netherlands', 'NL'],
    ['Kingdom of Saudi Arabia', 'SA'],
    ['Socialist Republic of Vietnam', 'VN'],
    ['Plurinational State of Bolivia', 'BO'],
    ['Bolivarian Republic of Venezuela', 'VE'],
    ['United Republic of Tanzania', 'TZ'],
    ['Democratic Republic of the Congo', 'CD'],
    ["Lao People's Democratic Republic", 'LA'],
    ['Syrian Arab Republic', 'SY'],
    ['Republic of Moldova', 'MD'],
  ],
  de: [
    ['Vereinigte Staaten von Amerika', 'US'],
    ['Vereinigtes Königreich Großbritannien und Nordirland', 'GB'],
    ['Russische Föderation', 'RU'],
    ['Bundesrepublik Deutschland', 'DE'],
    ['Volksrepublik China', 'CN'],
    ['Republik Korea', 'KR'],
    ['Republik Österreich', 'AT'],
    ['Schweizerische Eidgenossenschaft', 'CH'],
    ['Die Schweiz', 'CH'],
  ],
  fr: [
    ["États-Unis d'Amérique", 'US'],
    ['É.-U.', 'US'],
    ["Royaume-Uni de Grande-Bretagne et d'Irlande du Nord", 'GB'],
    ['Fédération de Russie', 'RU'],
    ["République fédérale d'Allemagne", 'DE'],
    ['République populaire de Chine', 'CN'],
    ['République française', 'FR'],
    ['République de Corée', 'KR'],
    ['Royaume de Belgique', 'BE'],
    ['La France', 'FR'],
  ],
  es: [
    ['Estados Unidos de América', 'US'],
    ['EE. UU.', 'US'],
    ['Los Estados Unidos', 'US'],
    ['Reino Unido de Gran Bretaña e Irlanda del Norte', 'GB'],
    ['Federación de Rusia', 'RU'],
    ['República Federal de Alemania', 'DE'],
    ['Reino de España', 'ES'],
    ['Estados Unidos Mexicanos', 'MX'],
    ['República Popular China', 'CN'],
    ['República de Corea', 'KR'],
  ],
  it: [
    ["Stati Uniti d'America", 'US'],
    ['Federazione Russa', 'RU'],
    ['Repubblica Federale di Germania', 'DE'],
    ['Repubblica Italiana', 'IT'],
    ['Repubblica Popolare Cinese', 'CN'],
  ],
  pt: [
    ['Estados Unidos da América', 'US'],
    ['EUA', 'US'],
    ['Federação Russa', 'RU'],
    ['República Federativa do Brasil', 'BR'],
    ['República Federal da Alemanha', 'DE'],
    ['República Portuguesa', 'PT'],
    ['República Democrática do Congo', 'CD'],
  ],
  nl: [
    ['Verenigde Staten van Amerika', 'US'],
    ['VS', 'US'],
    ['Koninkrijk der Nederlanden', 'NL'],
    ['Russische Federatie', 'RU'],
    ['Bondsrepubliek Duitsland', 'DE'],
  ],
  ru: [
    ['Соединённые Штаты Америки', 'US'],
    ['Соединенные Штаты Америки', 'US'],
    ['США', 'US'],
    ['Соединённое Королевство Великобритании и Северной Ирландии', 'GB'],
    ['Российская Федерация', 'RU'],
    ['Федеративная Республика Германия', 'DE'],
    ['Китайская Народная Республика', 'CN'],
    ['Республика Корея', 'KR'],
    ['Южная Корея', 'KR'],
  ],
  uk: [
    ['Сполучені Штати Америки', 'US'],
    ['Сполучені Штати', 'US'],
    ['Російська Федерація', 'RU'],
    ['Федеративна Республіка Німеччина', 'DE'],
    ['Китайська Народна Республіка', 'CN'],
    ['Україна', 'UA'],
    ['Сполучене Королівство', 'GB'],
  ],
  pl: [
    ['Stany Zjednoczone Ameryki', 'US'],
    ['Federacja Rosyjska', 'RU'],
    ['Republika Federalna Niemiec', 'DE'],
    ['Rzeczpospolita Polska', 'PL'],
    ['Chińska Republika Ludowa', 'CN'],
  ],
  tr: [
    ['Amerika Birleşik Devletleri', 'US'],
    ['ABD', 'US'],
    ['Rusya Federasyonu', 'RU'],
    ['Almanya Federal Cumhuriyeti', 'DE'],
    ['Türkiye Cumhuriyeti', 'TR'],
  ],
  ar: [
    ['الولايات المتحدة الأمريكية', 'US'],
    ['الولايات المتحدة الامريكية', 'US'],
    ['روسيا الاتحادية', 'RU'],
    ['المملكة العربية السعودية', 'SA'],
    ['الإمارات العربية المتحدة', 'AE'],
    ['جمهورية مصر العربية', 'EG'],
    ['جمهورية ألمانيا الاتحادية', 'DE'],
  ],
  fa: [
    ['ایالات متحده آمریکا', 'US'],
    ['آمریکا', 'US'],
    ['جمهوری اسلامی ایران', 'IR'],
    ['فدراسیون روسیه', 'RU'],
    ['آلمان', 'DE'],
  ],
  zh: [
    ['美利坚合众国', 'US'],
    ['美國', 'US'],
    ['中华人民共和国', 'CN'],
    ['中國', 'CN'],
    ['中華民國', 'TW'],
    ['俄罗斯联邦', 'RU'],
    ['大韩民国', 'KR'],
    ['朝鲜民主主义人民共和国', 'KP'],
    ['大不列颠及北爱尔兰联合王国', 'GB'],
  ],
  ja: [
    ['アメリカ合衆国', 'US'],
    ['米国', 'US'],
    ['日本国', 'JP'],
    ['中華人民共和国', 'CN'],
    ['ロシア連邦', 'RU'],
    ['大韓民国', 'KR'],
    ['グレートブリテン及び北アイルランド連合王国', 'GB'],
  ],
  ko: [
    ['미합중국', 'US'],
    ['아메리카 합중국', 'US'],
    ['대한민국', 'KR'],
    ['조선민주주의인민공화국', 'KP'],
    ['러시아 연방', 'RU'],
    ['중화인민공화국', 'CN'],
  ],
  hi: [
    ['संयुक्त राज्य अमेरिका', 'US'],
    ['अमेरिका', 'US'],
    ['भारत गणराज्य', 'IN'],
    ['रूसी संघ', 'RU'],
    ['चीनी जनवादी गणराज्य', 'CN'],
    ['यूनाइटेड किंगडम', 'GB'],
  ],
  sv: [
    ['Amerikas förenta stater', 'US'],
    ['Ryska federationen', 'RU'],
    ['Konungariket Sverige', 'SE'],
    ['Förbundsrepubliken Tyskland', 'DE'],
  ],
  da: [
    ['Amerikas Forenede Stater', 'US'],
    ['Kongeriget Danmark', 'DK'],
    ['Den Russiske Føderation', 'RU'],
    ['Forbundsrepublikken Tyskland', 'DE'],
  ],
  nb: [
    ['Amerikas forente stater', 'US'],
    ['Kongeriket Norge', 'NO'],
    ['Den russiske føderasjon', 'RU'],
    ['Det forente kongeriket Storbritannia og Nord-Irland', 'GB'],
  ],
  fi: [
    ['Amerikan yhdysvallat', 'US'],
    ['Suomen tasavalta', 'FI'],
    ['Venäjän federaatio', 'RU'],
    ['Saksan liittotasavalta', 'DE'],
  ],
  cs: [
    ['Spojené státy americké', 'US'],
    ['Česká republika', 'CZ'],
    ['Česko', 'CZ'],
    ['Ruská federace', 'RU'],
    ['Spolková republika Německo', 'DE'],
  ],
  el: [
    ['Ηνωμένες Πολιτείες της Αμερικής', 'US'],
    ['Ηνωμένες Πολιτείες Αμερικής', 'US'],
    ['ΗΠΑ', 'US'],
    ['Ελληνική Δημοκρατία', 'GR'],
    ['Ρωσική Ομοσπονδία', 'RU'],
    ['Ομοσπονδιακή Δημοκρατία της Γερμανίας', 'DE'],
    ['Ηνωμένο Βασίλειο της Μεγάλης Βρετανίας και της Βόρειας Ιρλανδίας', 'GB'],
  ],
  he: [
    ['ארצות הברית של אמריקה', 'US'],
    ['ארה"ב', 'US'],
    ['ארצות הברית', 'US'],
    ['מדינת ישראל', 'IL'],
    ['הפדרציה הרוסית', 'RU'],
    ['הרפובליקה הפדרלית של גרמניה', 'DE'],
  ],
};

describe.each(Object.entries(FORMS))('country names in %s', (_language, forms) => {
  it.each(forms)('%s ▶ %s', (name, code) => {
    expect(normaliseCountry(name)).toMatchObject({ value: code, recognised: true });
  });
});

describe('the table covers every language the normaliser claims', () => {
  it('has forms for each locale whose names it bundles', () => {
    const claimed = COUNTRY_NAME_LOCALES.map((l) => l.locale).sort();
    expect(Object.keys(FORMS).sort()).toEqual(claimed);
    for (const forms of Object.values(FORMS)) expect(forms.length).toBeGreaterThanOrEqual(4);
  });
});

describe('more sources never unsettle a name', () => {
  it('every name the bundled locales list still finds its own country, or stays ambiguous as it was', () => {
    // i18n-iso-countries' Portuguese swaps the two Congos; an explicit alias puts them right.
    const corrected = new Set(['República Democrática do Congo']);
    const wrong: string[] = [];
    for (const locale of COUNTRY_NAME_LOCALES) {
      for (const [code, names] of Object.entries(locale.countries)) {
        for (const name of Array.isArray(names) ? names : [names]) {
          const outcome = normaliseCountry(name);
          if (outcome.recognised && outcome.value !== code && !corrected.has(name))
            wrong.push(`${locale.locale} "${name}" ▶ ${outcome.value}, listed as ${code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a name that is truly shared stays ambiguous, and an unknown one is kept as given', () => {
    expect(normaliseCountry('Congo')).toMatchObject({ recognised: false });
    expect(normaliseCountry('Guinea')).toMatchObject({ value: 'GN', recognised: true });
    expect(normaliseCountry('Republic of Narnia')).toMatchObject({ value: 'Republic of Narnia', recognised: false });
  });

  it('an article is dropped only when the name is not found with it', () => {
    expect(normaliseCountry('El Salvador')).toMatchObject({ value: 'SV', recognised: true });
    expect(normaliseCountry('The Gambia')).toMatchObject({ value: 'GM', recognised: true });
    expect(normaliseCountry('the Netherlands')).toMatchObject({ value: 'NL', recognised: true });
  });

  it('a two-letter short form that is a code reads as the code', () => {
    // CLDR's Spanish short name of the United Kingdom is "RU".
    expect(normaliseCountry('RU')).toMatchObject({ value: 'RU', recognised: true });
    expect(normaliseCountry('VK')).toMatchObject({ value: 'GB', recognised: true });
  });
});
