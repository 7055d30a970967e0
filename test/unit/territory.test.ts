import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import { configSchemas } from '../../functions/core/config.js';
import { decideTerritory, postalCodeMatches } from '../../functions/core/territory.js';
import { makeCase } from '../support/fixtures.js';

const base: CaseRecord = makeCase({ location: undefined, account: undefined, product: undefined, language: undefined });

const territories = [
  { id: 'global', name: 'Global', match: {}, queue: 'general' },
  { id: 'de', name: 'Germany', match: { countries: ['DE'] }, queue: 'emea' },
  { id: 'de-by', name: 'Bavaria', match: { countries: ['DE'], regions: ['DE-BY'] }, queue: 'bavaria' },
  { id: 'munich', name: 'Munich', match: { countries: ['DE'], postalCodes: ['80000-81999'] }, queue: 'munich' },
  { id: 'de-vip', name: 'Germany VIP', match: { countries: ['DE'] }, queue: 'vip', priority: 5 },
].map((t) => configSchemas().TerritorySchema.parse(t));

describe('decideTerritory', () => {
  it('prefers postal code over region over country, keeping the runners-up', () => {
    const d = decideTerritory(territories, { ...base, location: { country: 'DE', region: 'BY', postalCode: '80331' } });
    expect(d.winner?.territoryId).toBe('munich');
    expect(d.runnersUp.map((r) => r.territoryId)).toEqual(['de-by', 'de-vip', 'de', 'global']);
  });

  it('qualifies a bare region code with the country', () => {
    const d = decideTerritory(territories, { ...base, location: { country: 'DE', region: 'BY', postalCode: '90402' } });
    expect(d.winner?.territoryId).toBe('de-by');
  });

  it('resolves equal specificity by territory priority', () => {
    const d = decideTerritory(territories, { ...base, location: { country: 'de' } });
    expect(d.winner?.territoryId).toBe('de-vip');
    expect(d.winner?.matchedOn).toEqual(['country=de']);
  });

  it('falls back to the catch-all, and to nothing without one', () => {
    expect(decideTerritory(territories, { ...base, location: { country: 'FR' } }).winner?.territoryId).toBe('global');
    expect(decideTerritory(territories.slice(1), { ...base, location: { country: 'FR' } }).winner).toBeUndefined();
    expect(decideTerritory(territories.slice(1), base).winner).toBeUndefined();
  });
});

describe('postalCodeMatches', () => {
  it('matches prefixes and inclusive ranges', () => {
    expect(postalCodeMatches('SW1', 'sw1a 1aa')).toBe(true);
    expect(postalCodeMatches('SW1', 'SE1 7PB')).toBe(false);
    expect(postalCodeMatches('80000-81999', '81999')).toBe(true);
    expect(postalCodeMatches('80000-81999', '82000')).toBe(false);
    expect(postalCodeMatches('100-149', '12345')).toBe(true);
  });
});
