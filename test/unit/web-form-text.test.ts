/**
 * The web form's languages and choices (functions/core/web-form-text.ts): which language a customer
 * sees, and which types and products the form offers, from the configuration.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { ValidationError } from '../../functions/core/errors.js';
import { WEB_FORM_TEXT, chooseLanguage, parseAcceptLanguage, webFormChoices, webFormLanguages, webFormText } from '../../functions/core/web-form-text.js';

const template = (subject: string) => ({ subject, text: `${subject} {{caseNumber}}` });
const config = (extra: Record<string, unknown> = {}) =>
  parseRoutingConfig({
    queues: [{ id: 'support', name: 'Support' }],
    email: {
      acknowledgement: {
        defaultLanguage: 'en',
        templates: { en: template('Hello'), de: template('Hallo'), fr: template('Bonjour'), ja: template('こんにちは') },
      },
    },
    ...extra,
  });

describe('the languages of the form', () => {
  it('are those of the acknowledgement templates, the default first', () => {
    expect(webFormLanguages(config())).toEqual({ languages: ['en', 'de', 'fr', 'ja'], defaultLanguage: 'en' });
    expect(webFormLanguages(parseRoutingConfig({ queues: [{ id: 'q', name: 'Q' }] }))).toEqual({ languages: ['en'], defaultLanguage: 'en' });
    // A default language without a template is not offered: the first template's language is.
    const frOnly = parseRoutingConfig({
      queues: [{ id: 'q', name: 'Q' }],
      email: { acknowledgement: { defaultLanguage: 'de', templates: { fr: template('x') } } },
    });
    expect(webFormLanguages(frOnly)).toEqual({ languages: ['fr'], defaultLanguage: 'fr' });
  });

  it('follow the choice, then Accept-Language by quality and primary subtag, then the default', () => {
    const offered = ['en', 'de', 'fr', 'ja'];
    const pick = (asked: string | undefined, acceptLanguage: string | undefined) => chooseLanguage({ asked, acceptLanguage, offered, defaultLanguage: 'en' });
    expect(pick('fr', 'de-AT,de;q=0.9')).toBe('fr');
    expect(pick('xx', 'de-AT,de;q=0.9')).toBe('de');
    expect(pick(undefined, 'pt-BR,pt;q=0.9,fr;q=0.8,de;q=0.7')).toBe('fr');
    expect(pick(undefined, 'de;q=0.1, ja;q=0.5')).toBe('ja');
    expect(pick(undefined, 'de;q=0, *;q=0.5')).toBe('en');
    expect(pick(undefined, undefined)).toBe('en');
  });

  it('never fail on any Accept-Language header (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (header) => {
        for (const tag of parseAcceptLanguage(header)) expect(tag).toMatch(/^[a-z]{1,8}(-[a-z0-9]{1,8})*$/);
        expect(['en', 'de']).toContain(chooseLanguage({ acceptLanguage: header, offered: ['en', 'de'], defaultLanguage: 'en' }));
      }),
    );
  });

  it('have words for English, German, French and Spanish, and English words for any other', () => {
    expect(Object.keys(WEB_FORM_TEXT).sort()).toEqual(['de', 'en', 'es', 'fr']);
    expect(webFormText('de-AT').submit).toBe('Anfrage senden');
    expect(webFormText('ja').submit).toBe('Send request');
  });
});

describe('the choices of the form', () => {
  const withChoices = config({
    webForm: {
      types: [
        { id: 'website_outage', label: { en: 'The website is down', de: 'Die Website ist nicht erreichbar' } },
        { id: 'billing', label: { en: 'Billing' } },
      ],
      products: [{ id: 'fluorescent-lamp', label: { fr: 'Lampe fluorescente' } }],
    },
  });

  it("come from the configuration, labelled in the customer's language, else the default's, else any", () => {
    expect(webFormChoices(withChoices, 'de')).toEqual({
      types: [
        { value: 'website_outage', label: 'Die Website ist nicht erreichbar' },
        { value: 'billing', label: 'Billing' },
      ],
      products: [{ value: 'fluorescent-lamp', label: 'Lampe fluorescente' }],
      restrictTypes: true,
      restrictProducts: true,
    });
  });

  it('are the built-in request types and a free-text product when the configuration names none', () => {
    const choices = webFormChoices(config(), 'fr');
    expect(choices.types.map((t) => t.value)).toEqual(['question', 'problem', 'feature_request', 'other']);
    expect(choices.types[1]!.label).toBe('Problème');
    expect(choices.products).toBeUndefined();
    expect(choices.restrictTypes).toBe(false);
  });

  it('are refused with the path of a duplicate id or a choice without a label', () => {
    const issues = (webForm: unknown) => {
      try {
        config({ webForm });
      } catch (error) {
        return (error as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);
      }
      return [];
    };
    expect(
      issues({
        types: [
          { id: 'a', label: { en: 'A' } },
          { id: 'a', label: { en: 'B' } },
        ],
      }),
    ).toEqual(['webForm.types.1.id: duplicate id a']);
    expect(issues({ products: [{ id: 'p', label: {} }] })).toEqual(['webForm.products.0.label: give a label in at least one language']);
  });
});
