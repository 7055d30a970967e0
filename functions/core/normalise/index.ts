import type { CaseRecord, Location } from '../case.js';
import { normaliseEmail } from './email.js';
import { detectLanguage, loadLanguageDetector, needsLanguageDetection, normaliseLanguageTag, textForDetection } from './language.js';
import type { FieldOutcome } from './outcome.js';
import type * as Place from './place.js';

/**
 * Normalisation before territory matching: every field a territory or rule matches on gets one
 * canonical spelling (ISO codes, E.164, lower-cased email, ISO 639-1), and every change is recorded
 * with the value before and after, so the stamping event shows exactly what the system assumed.
 */

export { normaliseEmail } from './email.js';
export {
  MIN_LETTERS,
  REQUIRED_LEAD,
  detectLanguage,
  languageDetectorLoaded,
  loadLanguageDetector,
  normaliseLanguageTag,
  textForDetection,
} from './language.js';

/** The country, region, postal-code and phone normalisers (./place.ts), with their data. */
export type PlaceNormalisers = typeof Place;

let place: PlaceNormalisers | undefined;
let loadingPlace: Promise<PlaceNormalisers> | undefined;

/**
 * Imports the place normalisers and their data (once per process; later calls return at once). Call
 * it before `normaliseCase` when `caseNeedsPlaceData` says a case needs them, as for the language
 * detector: most cases (email) have neither a location nor a phone, and the data is a good part of the
 * stamp function's start (docs/costs.md#cold-start).
 */
export function loadPlaceNormalisers(): Promise<PlaceNormalisers> {
  loadingPlace ??= import('./place.js').then(
    (module) => {
      place = module;
      return module;
    },
    (error: unknown) => {
      loadingPlace = undefined;
      throw error;
    },
  );
  return loadingPlace;
}

/** True once `loadPlaceNormalisers` has finished. */
export function placeNormalisersLoaded(): boolean {
  return place !== undefined;
}

/** Whether normalising this case reads the place data: it has a location or a phone number. */
export function caseNeedsPlaceData(c: CaseRecord): boolean {
  return c.location !== undefined || c.contact.phone !== undefined;
}

export type NormalisedField = 'location.country' | 'location.region' | 'location.postalCode' | 'contact.phone' | 'contact.email' | 'language';

export interface FieldChange {
  field: NormalisedField;
  before: string | undefined;
  after: string | undefined;
  note?: string;
  /** True when the value could not be recognised or validated and was kept as given. */
  flagged?: boolean;
  /** For a detected language: the detector's confidence (see LanguageDetection). */
  confidence?: number;
}

export interface NormaliseCaseResult {
  case: CaseRecord;
  changes: FieldChange[];
}

export interface NormaliseCaseOptions {
  /** Minimum confidence to accept a detected language (default DEFAULT_MIN_LANGUAGE_CONFIDENCE). */
  minLanguageConfidence?: number;
  /** The place normalisers, for a caller that imports ./place.ts itself; default: those loadPlaceNormalisers loaded. */
  place?: PlaceNormalisers;
}

/**
 * Whether `normaliseCase` will detect this case's language (its tag is missing or unreadable and it
 * has text): the caller then awaits `loadLanguageDetector()` first.
 */
export function caseNeedsLanguageDetection(c: CaseRecord): boolean {
  return needsLanguageDetection(c.language, textForDetection(c.subject, c.description));
}

/** `normaliseCase` with the language detector and the place data loaded first when this case needs them. */
export async function normaliseCaseLoadingDetector(c: CaseRecord, options: NormaliseCaseOptions = {}): Promise<NormaliseCaseResult> {
  if (caseNeedsLanguageDetection(c)) await loadLanguageDetector();
  if (caseNeedsPlaceData(c)) await loadPlaceNormalisers();
  return normaliseCase(c, options);
}

function placeFor(options: NormaliseCaseOptions): PlaceNormalisers {
  const loaded = options.place ?? place;
  if (!loaded) throw new Error('the place normalisers are not loaded: await loadPlaceNormalisers() before normalising a case with a location or phone');
  return loaded;
}

export function normaliseCase(c: CaseRecord, options: NormaliseCaseOptions = {}): NormaliseCaseResult {
  const changes: FieldChange[] = [];
  const record = (field: NormalisedField, before: string | undefined, outcome: FieldOutcome) => {
    // A recognised value that did not change needs no record; a flagged one does, every time.
    if (before === outcome.value && outcome.recognised) return;
    const change: FieldChange = { field, before, after: outcome.value };
    if (outcome.note) change.note = outcome.note;
    if (!outcome.recognised && outcome.value !== undefined) change.flagged = true;
    changes.push(change);
  };

  let location: Location | undefined;
  // Only a recognised country drives the region, postal code and phone rules.
  let countryCode: string | undefined;
  if (c.location) {
    const { normaliseCountry, normaliseRegion, normalisePostalCode } = placeFor(options);
    const given = c.location;
    const country = normaliseCountry(given.country);
    record('location.country', given.country, country);
    countryCode = country.recognised ? country.value : undefined;

    let region = normaliseRegion(given.region, countryCode);
    if (given.region === undefined && country.impliedRegion) {
      region = { value: country.impliedRegion, recognised: true, note: `implied by country "${given.country}"` };
    }
    record('location.region', given.region, region);

    const postalCode = normalisePostalCode(given.postalCode, countryCode);
    record('location.postalCode', given.postalCode, postalCode);

    location = withDefined({ ...given, country: country.value, region: region.value, postalCode: postalCode.value });
  }

  const phone = c.contact.phone === undefined ? { value: undefined, recognised: true } : placeFor(options).normalisePhone(c.contact.phone, countryCode);
  record('contact.phone', c.contact.phone, phone);
  // The contact's email is required on the record; an empty one stays empty rather than vanishing.
  const email = c.contact.email ? normaliseEmail(c.contact.email) : { value: c.contact.email, recognised: true };
  record('contact.email', c.contact.email, email);
  const contact = withDefined({ ...c.contact, phone: phone.value, email: email.value ?? '' });

  const language = normaliseCaseLanguage(c, options, changes);

  const next: CaseRecord = withDefined({ ...c, contact, language });
  if (location) next.location = location;
  return { case: next, changes };
}

/** A given tag wins; an unrecognisable tag or none at all falls back to detection from the text. */
function normaliseCaseLanguage(c: CaseRecord, options: NormaliseCaseOptions, changes: FieldChange[]): string | undefined {
  const tag = normaliseLanguageTag(c.language);
  if (c.language !== undefined && tag.recognised && tag.value) {
    if (tag.value !== c.language) {
      changes.push({ field: 'language', before: c.language, after: tag.value, ...(tag.note ? { note: tag.note } : {}) });
    }
    return tag.value;
  }

  const detection = detectLanguage(textForDetection(c.subject, c.description), { minConfidence: options.minLanguageConfidence });
  const unreadable = c.language !== undefined && tag.value !== undefined ? `given language "${c.language}" not recognised; ` : '';
  if (detection.language) {
    changes.push({
      field: 'language',
      before: c.language,
      after: detection.language,
      note: `${unreadable}detected from subject and description`,
      confidence: detection.confidence,
    });
    return detection.language;
  }
  const guess = detection.bestGuess ? ` (best guess ${detection.bestGuess})` : '';
  const kept = c.language !== undefined ? tag.value : undefined;
  changes.push({
    field: 'language',
    before: c.language,
    after: kept,
    note: `${unreadable}language undetermined: ${detection.reason ?? 'unknown'}${guess}`,
    confidence: detection.confidence,
    ...(kept !== undefined ? { flagged: true } : {}),
  });
  return kept;
}

/** Drops keys whose value is undefined, so a normalised record stores no empty attributes. */
function withDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
