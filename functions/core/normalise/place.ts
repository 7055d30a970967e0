/**
 * Where a case is and how to call it: the country, region, postal-code and phone normalisers, with
 * their data (country names in 25 languages, world-countries, ISO 3166-2 regions, libphonenumber's
 * metadata). This module is imported only when a case has a location or a phone number
 * (loadPlaceNormalisers in ./index.ts), so the stamp function's start does not evaluate that data
 * (docs/costs.md#cold-start).
 */
export { normaliseCountry } from './country.js';
export { normalisePhone } from './phone.js';
export { normalisePostalCode } from './postal-code.js';
export { normaliseRegion } from './region.js';
