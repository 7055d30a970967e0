import type { Principal } from '../authz.js';
import { canReadCase } from '../authz.js';
import type { CaseRecord } from '../case.js';
import { formatCaseNumber } from '../case.js';
import { ValidationError } from '../errors.js';
import type { CaseRepository, Page, SubjectWordHit } from '../ports/repositories.js';
import type { SearchTerm } from '../subject-words.js';
import { searchTerms, subjectMatches } from '../subject-words.js';
import { loadConfig, type ConfigSource } from './load-config.js';

export interface SearchCasesDeps {
  cases: Pick<CaseRepository, 'getByNumber' | 'listByContact' | 'findBySubjectWord' | 'getMany'>;
  configs: ConfigSource;
}

/** How many of a customer's cases are read to fill one page after authorisation removes some. */
const CONTACT_READ_FACTOR = 4;
/** Index items read per word and per round trip. */
const WORD_PAGE = 100;
/** Pages of the driving word one search reads at most before it answers with a cursor. */
const MAX_WORD_PAGES = 5;

/** Where a word search stopped: the word it reads and that word's position in the index. */
interface WordCursor {
  w: string;
  p: boolean;
  c: string;
}

function encode(cursor: WordCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decode(text: string | undefined, terms: readonly SearchTerm[]): WordCursor | undefined {
  if (!text) return undefined;
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as WordCursor;
    if (typeof c.w === 'string' && typeof c.c === 'string' && terms.some((t) => t.word === c.w && t.prefix === c.p)) return c;
  } catch {
    // refused below
  }
  throw new ValidationError([{ field: 'cursor', message: 'is not a cursor of this search' }]);
}

/**
 * Finding a case the way people ask (GET /cases/search):
 *
 * - by the number a customer quotes (`1024`, `#00001024`): one lookup of the number pointer;
 * - by the customer's email: the contact index, newest first;
 * - by words of the subject: the subject-word index (functions/core/subject-words.ts). Each word's
 *   index is read (one Query each, a page of WORD_PAGE); the word with the fewest hits drives, and
 *   its cases are read (BatchGetItem) and kept when their subject holds every word, so the other
 *   words intersect without reading all of their (possibly huge) lists. A word whose whole list was
 *   read narrows the candidates before any case is read.
 *
 * Only cases the caller may read are returned, so a search reveals nothing a `GET /cases/{id}`
 * would not. A word search answers newest first within a word (a prefix: word by word), and a
 * cursor when there may be more: after the last case returned, or after MAX_WORD_PAGES pages read.
 */
export function makeSearchCases(deps: SearchCasesDeps) {
  async function byWords(
    principal: Principal,
    terms: SearchTerm[],
    limit: number,
    cursorText: string | undefined,
    config: Awaited<ReturnType<typeof loadConfig>>,
  ) {
    const cursor = decode(cursorText, terms);
    let driver: SearchTerm;
    let page: Page<SubjectWordHit>;
    let narrow: Set<string>[] = [];
    if (cursor) {
      driver = terms.find((t) => t.word === cursor.w && t.prefix === cursor.p)!;
      page = await deps.cases.findBySubjectWord(driver, WORD_PAGE, cursor.c);
    } else {
      const pages = await Promise.all(terms.map((t) => deps.cases.findBySubjectWord(t, WORD_PAGE)));
      // Fewest hits drives; a complete list beats a cut one of the same length.
      const d = pages.map((p, i) => ({ i, size: p.items.length + (p.cursor ? 0.5 : 0) })).sort((a, b) => a.size - b.size)[0]!.i;
      driver = terms[d]!;
      page = pages[d]!;
      // Words whose whole list is known narrow the candidates by id, before any case is read.
      narrow = pages.filter((p, i) => i !== d && !p.cursor).map((p) => new Set(p.items.map((h) => h.caseId)));
    }
    const next = (position: string) => encode({ w: driver.word, p: driver.prefix, c: position });
    const found: CaseRecord[] = [];
    for (let read = 1; ; read++) {
      const candidates = page.items.filter((h) => narrow.every((set) => set.has(h.caseId)));
      const cases = new Map((candidates.length ? await deps.cases.getMany(candidates.map((h) => h.caseId)) : []).map((c) => [c.caseId, c]));
      for (const [index, hit] of page.items.entries()) {
        const c = cases.get(hit.caseId);
        if (c && subjectMatches(c.subject, terms) && canReadCase(principal, c, config)) found.push(c);
        if (found.length === limit) {
          // Exactly where this page ended: the next search continues after the last case returned.
          const more = index < page.items.length - 1 || page.cursor !== undefined;
          return { items: found, ...(more ? { cursor: next(hit.position) } : {}) };
        }
      }
      if (!page.cursor) return { items: found };
      // Bounded work per request: the caller asks again with the cursor.
      if (read >= MAX_WORD_PAGES) return { items: found, cursor: next(page.cursor) };
      page = await deps.cases.findBySubjectWord(driver, WORD_PAGE, page.cursor);
    }
  }

  return async function searchCases(principal: Principal, q: string, limit: number, cursor?: string): Promise<{ items: CaseRecord[]; cursor?: string }> {
    const text = q.trim();
    const config = await loadConfig(deps.configs);
    const readable = (found: CaseRecord[]) => found.filter((c) => canReadCase(principal, c, config)).slice(0, limit);
    const number = /^#?(\d{1,8})$/.exec(text);
    if (number) {
      const c = await deps.cases.getByNumber(formatCaseNumber(Number(number[1])));
      return { items: readable(c ? [c] : []) };
    }
    if (/^[^\s@]+@[^\s@]+$/.test(text)) return { items: readable(await deps.cases.listByContact(text.toLowerCase(), limit * CONTACT_READ_FACTOR)) };
    const terms = searchTerms(q);
    if (terms.length === 0) {
      throw new ValidationError([
        { field: 'q', message: 'search by a case number (e.g. 1024), a customer email, or words of the subject (not only words such as "the")' },
      ]);
    }
    return byWords(principal, terms, limit, cursor, config);
  };
}
