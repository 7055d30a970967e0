import { readFileSync } from 'node:fs';
import PostalMime from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import {
  detectLanguage,
  loadLanguageDetector,
  loadPlaceNormalisers,
  normaliseCase,
  normaliseEmail,
  normaliseLanguageTag,
  textForDetection,
} from '../../functions/core/normalise/index.js';
import { normaliseCountry, normalisePhone, normalisePostalCode, normaliseRegion } from '../../functions/core/normalise/place.js';
import { loadEmailFixtures, readEmailFixture } from '../support/email-fixtures.js';

// The detector is imported on first need (functions/core/normalise/language.ts); these tests detect.
beforeAll(() => Promise.all([loadLanguageDetector(), loadPlaceNormalisers()]));

const base: CaseRecord = {
  caseId: 'c-1',
  caseNumber: '00001000',
  channel: 'web',
  status: 'new',
  priority: 'medium',
  priorityRank: 2,
  subject: 'My card has not arrived yet',
  description: 'I ordered a new debit card two weeks ago and it still has not been delivered.',
  contact: { email: 'anna@example.com' },
  routing: { excludedAgents: [], attempts: 0 },
  createdAt: '2026-11-23T10:00:00Z',
  updatedAt: '2026-11-23T10:00:00Z',
  version: 1,
};

describe('normaliseCountry', () => {
  it.each([
    ['Deutschland', 'DE'],
    ['Germany', 'DE'],
    ['Германия', 'DE'],
    ['德国', 'DE'],
    ['آلمان', 'DE'],
    ['Allemagne', 'DE'],
    ['Alemania', 'DE'],
    ['ドイツ', 'DE'],
    ['ألمانيا', 'DE'],
    ['  germany ', 'DE'],
    ['GERMANY', 'DE'],
    ['de', 'DE'],
    ['DEU', 'DE'],
    ['276', 'DE'],
    ['USA', 'US'],
    ['U.S.', 'US'],
    ['U.S.A.', 'US'],
    ['United States of America', 'US'],
    ['united states', 'US'],
    ['UK', 'GB'],
    ['Great Britain', 'GB'],
    ['United Kingdom', 'GB'],
    ['Holland', 'NL'],
    ['The Netherlands', 'NL'],
    ['Nederland', 'NL'],
    ['Côte d’Ivoire', 'CI'],
    ['COTE D IVOIRE', 'CI'],
    ['Österreich', 'AT'],
    ['Oesterreich', 'AT'],
    ['Suisse', 'CH'],
    ['Türkiye', 'TR'],
    ['Россия', 'RU'],
    ['日本', 'JP'],
    ['EL', 'GR'],
  ])('%s ▶ %s', (input, expected) => {
    const outcome = normaliseCountry(input);
    if (expected === undefined) {
      expect(outcome.recognised).toBe(false);
    } else {
      expect(outcome).toMatchObject({ value: expected, recognised: true });
    }
  });

  it('reads England as GB and keeps the nation as the implied region GB-ENG', () => {
    expect(normaliseCountry('England')).toEqual({ value: 'GB', recognised: true, note: 'country name "England"', impliedRegion: 'GB-ENG' });
    expect(normaliseCountry('Scotland').impliedRegion).toBe('GB-SCT');
  });

  it('keeps an unknown country as given, with a note, and never throws', () => {
    expect(normaliseCountry('Narnia')).toEqual({ value: 'Narnia', recognised: false, note: 'unknown country "Narnia" kept as given' });
    expect(normaliseCountry('XX').recognised).toBe(false);
    expect(normaliseCountry('')).toMatchObject({ value: undefined, recognised: false });
    expect(normaliseCountry(undefined)).toEqual({ value: undefined, recognised: true });
  });

  it('refuses to guess between two countries that share a name', () => {
    const outcome = normaliseCountry('Congo');
    expect(outcome).toMatchObject({ value: 'Congo', recognised: false });
    expect(outcome.note).toContain('CD or CG');
  });

  it('says how a code was read', () => {
    expect(normaliseCountry('DE')).toEqual({ value: 'DE', recognised: true });
    expect(normaliseCountry('USA').note).toBe('ISO alpha-3 USA');
    expect(normaliseCountry('UK').note).toBe('UK is not the ISO code; GB is');
  });
});

describe('normaliseRegion', () => {
  it.each([
    ['CA', 'US', 'US-CA'],
    ['California', 'US', 'US-CA'],
    ['california', 'US', 'US-CA'],
    ['US-CA', 'US', 'US-CA'],
    ['us ca', 'US', 'US-CA'],
    ['Bayern', 'DE', 'DE-BY'],
    ['Bavaria', 'DE', 'DE-BY'],
    ['BY', 'DE', 'DE-BY'],
    ['Nordrhein-Westfalen', 'DE', 'DE-NW'],
    ['North Rhine-Westphalia', 'DE', 'DE-NW'],
    ['Baden Württemberg', 'DE', 'DE-BW'],
    ['Ontario', 'CA', 'CA-ON'],
    ['ON', 'CA', 'CA-ON'],
    ['Quebec', 'CA', 'CA-QC'],
    ['Québec', 'CA', 'CA-QC'],
    ['Île-de-France', 'FR', 'FR-IDF'],
    ['Ile de France', 'FR', 'FR-IDF'],
    ['Lombardy', 'IT', 'IT-25'],
    ['Zurich', 'CH', 'CH-ZH'],
    ['Scotland', 'GB', 'GB-SCT'],
    ['Tokyo', 'JP', 'JP-13'],
  ])('%s in %s ▶ %s', (region, country, expected) => {
    expect(normaliseRegion(region, country)).toMatchObject({ value: expected, recognised: true });
  });

  it('keeps a region it cannot place, with the reason', () => {
    expect(normaliseRegion('Texas', 'DE')).toEqual({ value: 'Texas', recognised: false, note: 'unknown region "Texas" in DE kept as given' });
    expect(normaliseRegion('Bavaria', undefined)).toMatchObject({ value: 'Bavaria', recognised: false, note: 'region kept as given: the country is unknown' });
    expect(normaliseRegion('DE-BY', 'US')).toMatchObject({ value: 'DE-BY', recognised: false });
    expect(normaliseRegion('DE-BY', 'US').note).toContain('belongs to DE');
  });
});

describe('normalisePostalCode', () => {
  it.each([
    ['12345', 'US', '12345'],
    ['123456789', 'US', '12345-6789'],
    ['12345-6789', 'US', '12345-6789'],
    ['k1a0b1', 'CA', 'K1A 0B1'],
    ['K1A 0B1', 'CA', 'K1A 0B1'],
    ['sw1a1aa', 'GB', 'SW1A 1AA'],
    ['SW1A 1AA', 'GB', 'SW1A 1AA'],
    ['ec1a  1bb', 'GB', 'EC1A 1BB'],
    ['1234ab', 'NL', '1234 AB'],
    ['1234 ab', 'NL', '1234 AB'],
    ['10115', 'DE', '10115'],
    ['D-10115', 'DE', '10115'],
    ['75001', 'FR', '75001'],
    ['75 001', 'FR', '75001'],
    ['1234567', 'JP', '123-4567'],
    ['123-4567', 'JP', '123-4567'],
    ['12345678', 'BR', '12345-678'],
    ['12345-678', 'BR', '12345-678'],
    ['12345', 'PL', '12-345'],
    ['12-345', 'PL', '12-345'],
    ['12345', 'SE', '123 45'],
    ['SE-123 45', 'SE', '123 45'],
    ['1000', 'LV', 'LV-1000'],
    ['1234567', 'PT', '1234-567'],
    ['d02x285', 'IE', 'D02 X285'],
    ['11000', 'CZ', '110 00'],
  ])('%s in %s ▶ %s', (code, country, expected) => {
    expect(normalisePostalCode(code, country)).toEqual({ value: expected, recognised: true });
  });

  it('keeps an invalid code as given and flags it', () => {
    expect(normalisePostalCode('2134', 'US')).toEqual({ value: '2134', recognised: false, note: '"2134" is not a valid US postal code; kept as given' });
    expect(normalisePostalCode('ABCDE', 'DE').recognised).toBe(false);
    expect(normalisePostalCode('1234', 'NL').recognised).toBe(false);
  });

  it('does not check a code when the country is unknown or has no known format', () => {
    expect(normalisePostalCode('12345', 'Narnia')).toMatchObject({
      value: '12345',
      recognised: false,
      note: 'postal code not checked: the country is unknown',
    });
    expect(normalisePostalCode('12345', 'AE')).toMatchObject({ value: '12345', recognised: false });
  });
});

describe('normalisePhone', () => {
  it.each([
    ['030 1234567', 'DE', '+49301234567'],
    ['0049 30 1234567', 'DE', '+49301234567'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['+33 6 12 34 56 78', 'DE', '+33612345678'],
    ['090-1234-5678', 'JP', '+819012345678'],
  ])('%s in %s ▶ %s', (phone, country, expected) => {
    expect(normalisePhone(phone, country)).toEqual({ value: expected, recognised: true });
  });

  it('keeps an invalid number as given and flags it', () => {
    expect(normalisePhone('+49 1234', 'DE')).toEqual({ value: '+49 1234', recognised: false, note: '+491234 is not a valid number in DE; kept as given' });
    expect(normalisePhone('call me', 'DE').recognised).toBe(false);
    expect(normalisePhone('020 7946 0958', undefined)).toMatchObject({ value: '020 7946 0958', recognised: false });
  });

  it('notes a dropped extension', () => {
    expect(normalisePhone('415-555-2671 ext. 12', 'US')).toEqual({ value: '+14155552671', recognised: true, note: 'extension 12 dropped from E.164' });
  });
});

describe('normaliseEmail', () => {
  it.each([
    ['  Anna@Example.COM ', 'anna@example.com'],
    ['Anna <Anna@Example.com>', 'anna@example.com'],
    ['mailto:Bob@Example.org', 'bob@example.org'],
    ['jürgen@Müller.DE', 'jürgen@xn--mller-kva.de'],
  ])('%s ▶ %s', (email, expected) => {
    expect(normaliseEmail(email)).toMatchObject({ value: expected, recognised: true });
  });

  it('lower-cases and flags what is not an address', () => {
    expect(normaliseEmail('Not-An-Email')).toMatchObject({ value: 'not-an-email', recognised: false });
    expect(normaliseEmail('a@localhost')).toMatchObject({ value: 'a@localhost', recognised: false });
  });
});

describe('normaliseLanguageTag', () => {
  it.each([
    ['German', 'de'],
    ['deu', 'de'],
    ['ger', 'de'],
    ['de-DE', 'de'],
    ['de_AT', 'de'],
    ['DE', 'de'],
    ['Deutsch', 'de'],
    ['allemand', 'de'],
    ['Немецкий', 'de'],
    ['en-US', 'en'],
    ['english', 'en'],
    ['Español', 'es'],
    ['fra', 'fr'],
    ['zh-Hant-TW', 'zh'],
    ['中文', 'zh'],
    ['Chinese', 'zh'],
    ['per', 'fa'],
    ['Farsi', 'fa'],
    ['iw', 'he'],
    ['jpn', 'ja'],
  ])('%s ▶ %s', (tag, expected) => {
    expect(normaliseLanguageTag(tag)).toMatchObject({ value: expected, recognised: true });
  });

  it('keeps a language without an ISO 639-1 code as its ISO 639 code, and an unknown one as given', () => {
    expect(normaliseLanguageTag('haw')).toMatchObject({ value: 'haw', recognised: true });
    expect(normaliseLanguageTag('Klingonish')).toMatchObject({ value: 'Klingonish', recognised: false });
    expect(normaliseLanguageTag('xx')).toMatchObject({ value: 'xx', recognised: false });
  });
});

describe('detectLanguage on short support texts', () => {
  it.each([
    ['en', 'My card still has not arrived, can you help me?'],
    ['de', 'Meine Karte ist noch nicht angekommen. Bitte helfen Sie mir.'],
    ['de', 'Ich kann mich nicht anmelden'],
    ['fr', "Ma carte n'est pas encore arrivée, pouvez-vous m'aider ?"],
    ['fr', 'Je ne peux pas me connecter à mon compte'],
    ['es', 'Mi tarjeta todavía no ha llegado, ¿pueden ayudarme?'],
    ['es', 'No puedo acceder a mi cuenta'],
    ['ru', 'Моя карта до сих пор не пришла, помогите пожалуйста.'],
    ['ru', 'Не могу войти в аккаунт'],
    ['uk', 'Моя картка досі не прийшла, допоможіть будь ласка.'],
    ['zh', '我的银行卡还没有到，请帮忙。'],
    ['zh', '我无法登录我的账户'],
    ['fa', 'سلام، کارت بانکی من هنوز نرسیده است. لطفا کمک کنید.'],
    ['fa', 'نمی توانم وارد حساب کاربری خود شوم'],
    ['ja', 'カードがまだ届いていません。助けてください。'],
    ['ja', 'アカウントにログインできません'],
    ['ar', 'مرحبا، لم تصل بطاقتي المصرفية بعد. أرجو المساعدة.'],
    ['ar', 'لا أستطيع تسجيل الدخول إلى حسابي'],
    ['it', 'La mia carta non è ancora arrivata, potete aiutarmi?'],
    ['pt', 'Meu cartão ainda não chegou, podem me ajudar?'],
    ['nl', 'Mijn kaart is nog steeds niet aangekomen, kunnen jullie helpen?'],
    ['pl', 'Moja karta jeszcze nie dotarła, proszę o pomoc.'],
    ['tr', 'Kartım hâlâ gelmedi, yardım eder misiniz?'],
    ['ko', '카드가 아직 도착하지 않았습니다. 도와주세요.'],
    ['hi', 'मेरा कार्ड अभी तक नहीं आया है, कृपया मदद करें।'],
    ['sv', 'Mitt kort har fortfarande inte kommit, kan ni hjälpa mig?'],
  ])('%s: %s', (language, text) => {
    const detection = detectLanguage(text);
    expect(detection.language).toBe(language);
    expect(detection.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it.each(['ok', 'Hi', 'Merci', '12345', 'asdf qwer', 'Re: Fwd:', '', '!!!'])('leaves "%s" undetermined rather than guessing', (text) => {
    const detection = detectLanguage(text);
    expect(detection.language).toBeUndefined();
    expect(detection.reason).toBeTruthy();
  });

  it('reports its best guess and confidence when it is not sure', () => {
    const detection = detectLanguage('My card broke.');
    expect(detection).toMatchObject({ language: undefined });
    expect(detection.confidence).toBeLessThan(0.5);
    expect(detection.reason).toBeTruthy();
  });

  it('reads the customer, not the quoted reply, the links or the reference numbers', () => {
    const text = textForDetection(
      'AW: Ihre Bestellung 123-ABC',
      'Die Lieferung fehlt immer noch.\n> Your order has shipped and will arrive soon.\n> Track it at https://example.com/track?id=42\n-- \nSent from my phone',
    );
    expect(text).toBe('AW: Ihre Bestellung Die Lieferung fehlt immer noch.');
    expect(detectLanguage(text).language).toBe('de');
    // No spaces in CJK: a URL or an order code must not take the sentence with it.
    expect(textForDetection('订单A123没有到', '请看http://example.com/x谢谢')).toBe('订单 没有到 请看 谢谢');
  });
});

// Our own fixtures: English support queries, and hand-written mail in many charsets. The same checks over
// real-world text (banking77, mail from parser test suites) are in test/corpus/normalise.test.ts.
describe('detectLanguage on whole messages', () => {
  const queries = readFileSync(new URL('../fixtures/text/english-support-queries.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'));

  it('finds English in at least 95 % of 100 support queries, and names another language for at most 1 %', () => {
    expect(queries).toHaveLength(100);
    const results = queries.map((q) => detectLanguage(textForDetection(q, '')).language);
    const english = results.filter((l) => l === 'en').length;
    const wrong = results.filter((l) => l !== undefined && l !== 'en');
    expect(english / queries.length).toBeGreaterThanOrEqual(0.95);
    expect(wrong.length / queries.length, wrong.join()).toBeLessThanOrEqual(0.01);
  });

  // Decoded from their charsets (ISO-8859-1, Shift_JIS, ISO-2022-JP, GB2312, Big5, EUC-KR, KOI8-R, raw UTF-8 headers).
  const emails = loadEmailFixtures()
    .filter((e) => e.expected_language)
    .map((e) => [e.local, e.expected_language!] as const);

  const decode = async (local: string) => {
    const mail = await PostalMime.parse(readEmailFixture(local));
    const text = mail.text ?? (mail.html ?? '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
    return textForDetection(mail.subject, text);
  };

  it('has a message in each of eight languages', () => {
    expect(new Set(emails.map(([, language]) => language))).toEqual(new Set(['de', 'fr', 'ja', 'zh', 'ko', 'ru', 'sv', 'en']));
  });

  it.each(emails)('%s is %s', async (path, language) => {
    const detection = detectLanguage(await decode(path));
    expect(detection.language).toBe(language);
  });

  it('never names the wrong language for a bounce that mixes Russian and English', async () => {
    const detection = detectLanguage(await decode('emails/bounces_dsn/russian-english-bounce.eml'));
    expect(detection.bestGuess).toBe('ru');
    expect([undefined, 'ru']).toContain(detection.language);
  });
});

describe('normaliseCase', () => {
  it('normalises every field and records before, after and why', () => {
    const input: CaseRecord = {
      ...base,
      location: { country: 'Deutschland', region: 'Bavaria', postalCode: 'D-80331', city: 'München' },
      contact: { email: ' Anna.Schmidt@Example.DE ', name: 'Anna Schmidt', phone: '089 1234567' },
      language: 'German',
    };
    const { case: out, changes } = normaliseCase(input);
    expect(out.location).toEqual({ country: 'DE', region: 'DE-BY', postalCode: '80331', city: 'München' });
    expect(out.contact).toEqual({ email: 'anna.schmidt@example.de', name: 'Anna Schmidt', phone: '+49891234567' });
    expect(out.language).toBe('de');
    expect(changes).toEqual([
      { field: 'location.country', before: 'Deutschland', after: 'DE', note: 'country name "Deutschland"' },
      { field: 'location.region', before: 'Bavaria', after: 'DE-BY', note: 'region name "Bavaria"' },
      { field: 'location.postalCode', before: 'D-80331', after: '80331' },
      { field: 'contact.phone', before: '089 1234567', after: '+49891234567' },
      { field: 'contact.email', before: ' Anna.Schmidt@Example.DE ', after: 'anna.schmidt@example.de' },
      { field: 'language', before: 'German', after: 'de', note: 'language name "German"' },
    ]);
    // The input is left as it was: the use case writes the new record with its own version check.
    expect(input.location?.country).toBe('Deutschland');
  });

  it('records nothing for a case that is already normal, so it is idempotent', () => {
    const first = normaliseCase({ ...base, location: { country: 'Holland', postalCode: '1012ab' }, contact: { email: 'A@B.NL', phone: '020 123 4567' } });
    const second = normaliseCase(first.case);
    expect(second.changes).toEqual([]);
    expect(second.case).toEqual(first.case);
  });

  it('keeps what it cannot recognise, flagged, and still normalises the rest', () => {
    const { case: out, changes } = normaliseCase({
      ...base,
      location: { country: 'Narnia', region: 'Lantern Waste', postalCode: '12345' },
      contact: { email: 'x@example.com', phone: '555 0100' },
      language: 'en',
    });
    expect(out.location).toEqual({ country: 'Narnia', region: 'Lantern Waste', postalCode: '12345' });
    expect(changes.map((c) => [c.field, c.flagged])).toEqual([
      ['location.country', true],
      ['location.region', true],
      ['location.postalCode', true],
      ['contact.phone', true],
    ]);
    expect(changes[0]!.note).toBe('unknown country "Narnia" kept as given');
  });

  it('sets the region a country name implies when the case has none', () => {
    const { case: out, changes } = normaliseCase({ ...base, location: { country: 'England', postalCode: 'sw1a1aa' } });
    expect(out.location).toEqual({ country: 'GB', region: 'GB-ENG', postalCode: 'SW1A 1AA' });
    expect(changes.find((c) => c.field === 'location.region')).toEqual({
      field: 'location.region',
      before: undefined,
      after: 'GB-ENG',
      note: 'implied by country "England"',
    });
  });

  it('uses the normalised country for phone numbers', () => {
    const { case: out } = normaliseCase({ ...base, location: { country: 'Canada' }, contact: { email: 'a@b.ca', phone: '(613) 555-0199' } });
    expect(out.contact.phone).toBe('+16135550199');
  });

  it('detects the language when none is given, with its confidence', () => {
    const { case: out, changes } = normaliseCase({
      ...base,
      subject: 'Karte gesperrt',
      description: 'Meine Karte wurde gesperrt und ich kann nicht mehr bezahlen.',
    });
    expect(out.language).toBe('de');
    const change = changes.find((c) => c.field === 'language');
    expect(change).toMatchObject({ before: undefined, after: 'de', note: 'detected from subject and description' });
    expect(change?.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it('records an undetermined language without setting one', () => {
    const { case: out, changes } = normaliseCase({ ...base, subject: 'Help', description: 'ok' });
    expect(out.language).toBeUndefined();
    expect('language' in out).toBe(false);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ field: 'language', before: undefined, after: undefined });
    expect(changes[0]!.note).toMatch(/^language undetermined/);
  });

  it('falls back to detection when the given language is not recognisable', () => {
    const { case: out, changes } = normaliseCase({
      ...base,
      language: 'Klingonish',
      subject: 'Ma carte est bloquée',
      description: 'Je ne peux plus payer avec ma carte depuis hier.',
    });
    expect(out.language).toBe('fr');
    expect(changes.find((c) => c.field === 'language')?.note).toBe('given language "Klingonish" not recognised; detected from subject and description');
  });
});
