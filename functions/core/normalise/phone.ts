// The "max" metadata validates numbers against each country's number plans (not only their length);
// it costs ~75 kB more than "min" in the bundle, and a wrong number reaching an agent costs more.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { isKnownCountryCode } from './country.js';
import { tidy } from './fold.js';
import { keptAsGiven, recognised, type FieldOutcome } from './outcome.js';

/**
 * Phone ▶ E.164 (`+4930123456`). A national number is read in the case's country; an international
 * one (`+44…`, `0044…` from a country whose exit code is 00) stands on its own.
 */
export function normalisePhone(input: string | undefined, country: string | undefined): FieldOutcome {
  if (input === undefined) return { value: undefined, recognised: true };
  const given = tidy(input);
  if (!given) return keptAsGiven(undefined, 'empty phone removed');

  const defaultCountry = country && isKnownCountryCode(country) ? (country as CountryCode) : undefined;
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(given, defaultCountry ? { defaultCountry } : {});
  } catch {
    // The library only throws on inputs it cannot even tokenise; that is an invalid number here.
    parsed = undefined;
  }
  if (!parsed) {
    return keptAsGiven(
      given,
      defaultCountry ? `"${given}" is not a phone number; kept as given` : `"${given}" has no country code and the case's country is unknown; kept as given`,
    );
  }
  if (!parsed.isValid()) {
    return keptAsGiven(given, `${parsed.number} is not a valid number in ${parsed.country ?? `+${parsed.countryCallingCode}`}; kept as given`);
  }
  const note = parsed.ext ? `extension ${parsed.ext} dropped from E.164` : undefined;
  return recognised(parsed.number, note);
}
