/**
 * A hold belongs to `on_hold` alone (docs/architecture.md#statuses): the case as written
 * (caseAsWritten) and the item the adapters put (caseItem, writtenCase) carry `hold` exactly when
 * the case is on hold, whatever status it moved to and however it was built.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CASE_STATUSES, caseAsWritten } from '../../functions/core/case.js';
import { caseItem, writtenCase } from '../../functions/adapters/case-repository.js';
import { makeCase } from '../support/fixtures.js';

const hold = fc.record(
  { since: fc.constant('2025-03-03T09:00:00.000Z'), reason: fc.string({ minLength: 1, maxLength: 20 }), until: fc.constant('2025-03-10T09:00:00.000Z') },
  { requiredKeys: ['since', 'reason'] },
);

describe('the hold as a case is written', () => {
  it('is kept on an on_hold case and dropped from every other status, in the case, the written copy and the stored item', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASE_STATUSES), fc.option(hold, { nil: undefined }), fc.boolean(), (status, h, keyPresent) => {
        const c = makeCase({ status, ...(h || keyPresent ? { hold: h } : {}) });
        const kept = status === 'on_hold' && h !== undefined;
        const written = caseAsWritten(c);
        const copy = writtenCase(c, 4);
        const item = caseItem(c);
        for (const out of [written, copy, item]) {
          expect(out.hold).toEqual(kept ? h : undefined);
          if (status !== 'on_hold') expect('hold' in out).toBe(false);
        }
        expect(copy.version).toBe(5);
        // Nothing else changes.
        const { hold: _a, ...rest } = c;
        const { hold: _b, ...restWritten } = written;
        expect(restWritten).toEqual(rest);
      }),
    );
  });

  it('returns the same case when there is nothing to drop', () => {
    const c = makeCase({ status: 'in_progress' });
    expect(caseAsWritten(c)).toBe(c);
  });
});
