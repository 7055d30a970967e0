import type { CaseRecord } from './case.js';
import type { Territory } from './config.js';

/**
 * Territory matching: which territory (and so which queue) owns a case. Overlapping territories
 * resolve by specificity (postal code > region > country > other attributes > catch-all), then by
 * the territory's priority, then by its position in the configuration. The case keeps the winner
 * and the runners-up, so a manager can see why.
 */

export interface TerritoryMatch {
  territoryId: string;
  queue: string;
  specificity: number;
  priority: number;
  /** Which attributes of the case matched which criteria. */
  matchedOn: string[];
}

export interface TerritoryDecision {
  winner?: TerritoryMatch;
  runnersUp: TerritoryMatch[];
}

const SPECIFICITY = { postalCodes: 400, regions: 300, countries: 200, other: 10 } as const;

const norm = (s: string | undefined) => s?.trim().toUpperCase();

/** A postal criterion is a prefix (`75`, `SW1`) or an inclusive range (`10000-14999`). */
export function postalCodeMatches(criterion: string, postalCode: string): boolean {
  const code = postalCode.replace(/\s+/g, '').toUpperCase();
  const range = /^([A-Z0-9]+)-([A-Z0-9]+)$/i.exec(criterion.replace(/\s+/g, ''));
  if (range) {
    const [lo, hi] = [range[1]!.toUpperCase(), range[2]!.toUpperCase()];
    // Compare on the range's width so `10000-14999` covers `12345` and `1234567` alike.
    const head = code.slice(0, Math.max(lo.length, hi.length)).padEnd(lo.length, '0');
    return head.localeCompare(lo, 'en', { numeric: true }) >= 0 && head.localeCompare(hi, 'en', { numeric: true }) <= 0;
  }
  return code.startsWith(criterion.replace(/\s+/g, '').toUpperCase());
}

function matchTerritory(territory: Territory, c: CaseRecord): TerritoryMatch | undefined {
  const m = territory.match;
  const matchedOn: string[] = [];
  let specificity = 0;

  const list = (criteria: string[] | undefined, value: string | undefined, label: string, weight: number) => {
    if (!criteria || criteria.length === 0) return true;
    const v = norm(value);
    if (!v || !criteria.some((x) => norm(x) === v)) return false;
    matchedOn.push(`${label}=${value}`);
    specificity = Math.max(specificity, weight);
    return true;
  };

  if (!list(m.countries, c.location?.country, 'country', SPECIFICITY.countries)) return undefined;
  if (m.regions && m.regions.length > 0) {
    // Regions are ISO 3166-2 (`US-CA`); a bare subdivision code is qualified by the case's country.
    const region = norm(c.location?.region);
    const country = norm(c.location?.country);
    const qualified = region && country && !region.includes('-') ? `${country}-${region}` : region;
    if (!qualified || !m.regions.some((r) => norm(r) === qualified || norm(r) === region)) return undefined;
    matchedOn.push(`region=${c.location?.region}`);
    specificity = Math.max(specificity, SPECIFICITY.regions);
  }
  if (m.postalCodes && m.postalCodes.length > 0) {
    const postal = c.location?.postalCode;
    if (!postal || !m.postalCodes.some((p) => postalCodeMatches(p, postal))) return undefined;
    matchedOn.push(`postalCode=${postal}`);
    specificity = Math.max(specificity, SPECIFICITY.postalCodes);
  }
  const segment = c.account?.segment ?? c.account?.tier;
  if (!list(m.segments, segment, 'segment', SPECIFICITY.other)) return undefined;
  if (!list(m.products, c.product, 'product', SPECIFICITY.other)) return undefined;
  if (!list(m.languages, c.language, 'language', SPECIFICITY.other)) return undefined;

  // Each extra attribute that matched adds a little, so "DE + product X" beats plain "DE".
  const bonus = Math.max(0, matchedOn.length - 1);
  return {
    territoryId: territory.id,
    queue: territory.queue,
    specificity: specificity + bonus,
    priority: territory.priority,
    matchedOn,
  };
}

export function decideTerritory(territories: readonly Territory[], c: CaseRecord): TerritoryDecision {
  const matches = territories
    .map((t, index) => ({ match: matchTerritory(t, c), index }))
    .filter((x): x is { match: TerritoryMatch; index: number } => x.match !== undefined)
    .sort((a, b) => b.match.specificity - a.match.specificity || b.match.priority - a.match.priority || a.index - b.index)
    .map((x) => x.match);
  const [winner, ...runnersUp] = matches;
  return winner ? { winner, runnersUp } : { runnersUp: [] };
}
