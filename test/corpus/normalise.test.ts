/**
 * Language detection on real text from the corpus folder (CASEFLOW_DATA_DIR): banking77's customer
 * queries and mail decoded from many charsets. test/unit/normalise.test.ts checks the same over our
 * own fixtures.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import PostalMime from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectLanguage, loadLanguageDetector, textForDetection } from '../../functions/core/normalise/index.js';
import { corpusPath } from '../support/corpus.js';

// The detector is imported on first need (functions/core/normalise/language.ts); these tests detect.
beforeAll(() => loadLanguageDetector());

const readShared = (path: string) => readFileSync(corpusPath(...path.split('/')));

describe('detectLanguage on real text', () => {
  let banking77: string[];
  beforeAll(() => {
    const rows = (file: string) => parse(readShared(`tickets_text/banking77/${file}`), { columns: true }) as { text: string }[];
    banking77 = [...rows('test.csv'), ...rows('train.csv')].map((r) => r.text);
  });

  it('finds English in at least 95 % of 500 banking77 queries, and names another language for at most 1 %', () => {
    const step = Math.floor(banking77.length / 500);
    const sample = Array.from({ length: 500 }, (_, i) => banking77[i * step]!);
    const results = sample.map((q) => detectLanguage(textForDetection(q, '')).language);
    const english = results.filter((l) => l === 'en').length;
    const wrong = results.filter((l) => l !== undefined && l !== 'en').length;
    expect(english / sample.length).toBeGreaterThanOrEqual(0.95);
    expect(wrong / sample.length).toBeLessThanOrEqual(0.01);
  });

  it('over all 13,083 banking77 queries: ≥ 99 % English, < 0.1 % another language', () => {
    const results = banking77.map((q) => detectLanguage(textForDetection(q, '')).language);
    const english = results.filter((l) => l === 'en').length / results.length;
    const wrong = results.filter((l) => l !== undefined && l !== 'en').length / results.length;
    // Measured: 99.7 % English, 0.07 % (nine queries of 2-4 words) another language, 0.2 % undetermined.
    expect(english).toBeGreaterThanOrEqual(0.99);
    expect(wrong).toBeLessThan(0.001);
  });

  // Real messages from mail-parser test suites, decoded from their charsets (Shift_JIS, ISO-2022-JP,
  // GB2312, Big5, EUC-KR, KOI8-R, ISO-8859-1...). Only messages whose text is in one language.
  const emails: [string, string][] = [
    ['charsets/zbateson__m0001.txt', 'de'],
    ['charsets/mikel__japanese_shift_jis.eml', 'ja'],
    ['charsets/mimekit__japanese.txt', 'ja'],
    ['bounces_dsn/php__failure.eml', 'ja'],
    ['charsets/mikel__raw_email.eml', 'ko'],
    ['charsets/mikel__raw_email_with_partially_quoted_subject.eml', 'ko'],
    ['charsets/sa__gb2312.1.eml', 'zh'],
    ['charsets/sa__gb2312.2.eml', 'zh'],
    ['charsets/spamscope__mail_test_9.eml', 'zh'],
    ['charsets/sa__big5-base64.1.eml', 'zh'],
    ['charsets/sa__unicode2.eml', 'zh'],
    ['auto_replies/php__issue212.eml', 'pl'],
    ['auto_replies/php__issue149.eml', 'he'],
    ['bounces_dsn/sisimai__lhost-qmail-01.eml', 'en'],
    ['charsets/sa__iso-2022-jp.1.eml', 'en'],
    ['charsets/php__issue230.eml', 'en'],
    ['auto_replies/sisimai__rfc3834-01.eml', 'en'],
    ['auto_replies/sisimai__rfc3834-04.eml', 'en'],
  ];

  const decode = async (path: string) => {
    const mail = await PostalMime.parse(readShared(`emails/${path}`));
    const text = mail.text ?? (mail.html ?? '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
    return textForDetection(mail.subject, text);
  };

  it.each(emails)('%s is %s', async (path, language) => {
    const detection = detectLanguage(await decode(path));
    expect(detection.language).toBe(language);
  });

  it('never names the wrong language for a bounce that mixes Russian and English', async () => {
    const detection = detectLanguage(await decode('bounces_dsn/sisimai__lhost-mailru-01.eml'));
    expect(detection.bestGuess).toBe('ru');
    expect([undefined, 'ru']).toContain(detection.language);
  });
});
