import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMailCorpus } from '../../bench/email.js';
import { EMAIL_FIXTURES_DIR, FIXTURES_DIR, loadEmailFixtures } from '../support/email-fixtures.js';

describe('the email benchmark’s corpus', () => {
  it('is skipped without a data dir: the measurements over real-world mail need one, the rest run', async () => {
    expect(await loadMailCorpus(undefined)).toBeUndefined();
    expect(await loadMailCorpus('')).toBeUndefined();
  });

  it('reads every message its index lists from <data dir>/emails', async () => {
    const mail = (await loadMailCorpus(FIXTURES_DIR))!;
    expect(mail.dir).toBe(EMAIL_FIXTURES_DIR.replace(/\/$/, ''));
    expect(mail.messages).toHaveLength(loadEmailFixtures().length);
    expect(mail.messages.every((m) => m.byteLength > 0)).toBe(true);
  });

  it('says what it needs when the data dir given does not hold it', async () => {
    const wrong = join(FIXTURES_DIR, 'eventlogs');
    await expect(loadMailCorpus(wrong)).rejects.toMatchObject({
      name: 'MissingDataError',
      message: `the email benchmark needs a folder of real-world mail: emails/emails_index.json (a JSON list of { "local": "emails/<file>" }) and the messages it lists; ${join(wrong, 'emails', 'emails_index.json')} does not exist (--data-dir / CASEFLOW_DATA_DIR is ${wrong})`,
    });
  });
});
