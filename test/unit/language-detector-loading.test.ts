/**
 * The language detector (ELD and its n-gram database) is imported on first need, not with the
 * module that uses it: building its database was most of the stamp and api functions' cold start
 * (docs/costs.md#cold-start). Each test gets a fresh copy of the modules, so "loaded" means
 * loaded by what that test did.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeCase } from '../support/fixtures.js';

type Normalise = typeof import('../../functions/core/normalise/index.js');
let normalise: Normalise;

beforeEach(async () => {
  vi.resetModules();
  normalise = await import('../../functions/core/normalise/index.js');
});

describe('the language detector is loaded only when a language must be detected', () => {
  it('is not loaded by importing normalisation, nor by a case that names its language', async () => {
    expect(normalise.languageDetectorLoaded()).toBe(false);
    const named = makeCase({ language: 'Deutsch', subject: 'Meine Karte ist noch nicht angekommen', description: 'Bitte helfen Sie mir.' });
    expect(normalise.caseNeedsLanguageDetection(named)).toBe(false);
    const { case: out } = await normalise.normaliseCaseLoadingDetector(named);
    expect(out.language).toBe('de');
    expect(normalise.languageDetectorLoaded()).toBe(false);
  });

  it('is not loaded for a script only one language writes, nor for a case without letters', () => {
    expect(normalise.detectLanguage('Λάθος τιμολόγιο').language).toBe('el');
    expect(normalise.detectLanguage('1234 5678').reason).toBe('no text to detect from');
    expect(normalise.languageDetectorLoaded()).toBe(false);
  });

  it('is loaded for a case with text and no readable language, which is then detected', async () => {
    const unnamed = makeCase({
      language: undefined,
      subject: 'Meine Karte ist noch nicht angekommen',
      description: 'Bitte helfen Sie mir, ich warte seit zwei Wochen.',
    });
    expect(normalise.caseNeedsLanguageDetection(unnamed)).toBe(true);
    const { case: out } = await normalise.normaliseCaseLoadingDetector(unnamed);
    expect(normalise.languageDetectorLoaded()).toBe(true);
    expect(out.language).toBe('de');
  });

  it('says clearly when a caller detects without loading it first', () => {
    expect(() => normalise.detectLanguage('Meine Karte ist noch nicht angekommen')).toThrow(/loadLanguageDetector/);
  });
});
