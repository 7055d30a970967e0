import type { Principal } from '../authz.js';
import { canReadCase } from '../authz.js';
import type { CaseRecord } from '../case.js';
import { formatCaseNumber } from '../case.js';
import { ValidationError } from '../errors.js';
import type { CaseRepository } from '../ports.js';
import { loadConfig, type ConfigSource } from './load-config.js';

export interface SearchCasesDeps {
  cases: Pick<CaseRepository, 'getByNumber' | 'listByContact'>;
  configs: ConfigSource;
}

/** How many of a customer's cases are read to fill one page after authorisation removes some. */
const CONTACT_READ_FACTOR = 4;

/**
 * Finding a case the way people ask (GET /cases/search): by the number a customer quotes (`1024`,
 * `#00001024`: one lookup of the number pointer), or by the customer's email (the contact index,
 * newest first). Only cases the caller may read are returned, so a search reveals nothing a
 * `GET /cases/{id}` would not. Words of the subject need an index of their own (designed in the
 * console's API notes); until it exists such a query is a 400 that says what works.
 */
export function makeSearchCases(deps: SearchCasesDeps) {
  return async function searchCases(principal: Principal, q: string, limit: number): Promise<CaseRecord[]> {
    const text = q.trim();
    const config = await loadConfig(deps.configs);
    let found: CaseRecord[];
    const number = /^#?(\d{1,8})$/.exec(text);
    if (number) {
      const c = await deps.cases.getByNumber(formatCaseNumber(Number(number[1])));
      found = c ? [c] : [];
    } else if (/^[^\s@]+@[^\s@]+$/.test(text)) {
      found = await deps.cases.listByContact(text.toLowerCase(), limit * CONTACT_READ_FACTOR);
    } else {
      throw new ValidationError([{ field: 'q', message: 'search by a case number (e.g. 1024) or a customer email; subject words are not searchable yet' }]);
    }
    return found.filter((c) => canReadCase(principal, c, config)).slice(0, limit);
  };
}
