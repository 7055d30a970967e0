import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  absentAgentIndexKeys,
  agentStateKey,
  caseIndexKeys,
  caseKey,
  caseNumberCounterKey,
  caseNumberKey,
  chatConversationKey,
  configCurrentKey,
  configVersionKey,
  decisionSortKey,
  emailContactKey,
  eventIndexKeys,
  eventSortKey,
  idempotencyKey,
  inboundHashKey,
  inboundMessageIdKey,
  mailLogKey,
  messageSortKey,
  outboundMessageIdKey,
  rateLimitKey,
  subjectWordKey,
} from '../../functions/adapters/keys.js';
import { TABLE } from '../../functions/adapters/table-definition.js';
import { ROOT, generatedDocs, slug } from '../../bin/docs.js';

/**
 * The documentation as a part of the build: generated pages match the code they are generated from,
 * every relative link in README.md and docs/ lands on a file and heading that exist, the key table
 * of docs/architecture.md is the one keys.ts builds, and no code cites a design document that is not
 * in the repository.
 */

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('generated pages (npm run docs)', () => {
  for (const doc of generatedDocs()) {
    it(`${doc.path} is up to date with the code`, () => {
      const committed = existsSync(join(ROOT, doc.path)) ? read(doc.path) : '(missing)';
      // A plain equality would print two whole documents; say what to do instead.
      expect(committed === doc.content, `${doc.path} is stale: run \`npm run docs\` and commit the result`).toBe(true);
    });
  }

  it('the configuration reference lists every top-level section of the schema, and the OpenAPI file every route', () => {
    const reference = read('docs/configuration-reference.md');
    for (const section of ['businessHours', 'priorities', 'territories', 'queues', 'agents', 'rules', 'slaPolicies', 'sweeps', 'email', 'prioritisation']) {
      expect(reference).toContain(`| \`${section}\` |`);
    }
    const openApi = JSON.parse(read('docs/openapi.json')) as { paths: Record<string, unknown> };
    expect(Object.keys(openApi.paths)).toContain('/cases/{id}/status');
  });
});

/** README.md and every page of docs/, relative to the root. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs];
}

/** Anchors a page offers: GitHub's heading slugs (with -1, -2 for repeats) and explicit `id`/`name` anchors. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

/** Relative links outside code: `[text](target)`. */
function linksOf(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((raw, index) => {
    if (/^\s*```/.test(raw)) fenced = !fenced;
    if (fenced) return;
    const line = raw.replace(/`[^`]*`/g, 'code');
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      links.push({ target, line: index + 1 });
    }
  });
  return links;
}

describe('links in README.md and docs/', () => {
  const files = markdownFiles();

  it('finds the pages', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', join('docs', 'architecture.md'), join('docs', 'api.md')]));
  });

  for (const file of files) {
    it(`every relative link of ${file} resolves to a file and heading that exist`, () => {
      const broken: string[] = [];
      for (const { target, line } of linksOf(read(file))) {
        const [path, anchor] = target.split('#', 2) as [string, string | undefined];
        const absolute = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURI(path));
        if (!existsSync(absolute)) {
          broken.push(`${file}:${line} ${target}: no such file`);
          continue;
        }
        if (anchor === undefined || !absolute.endsWith('.md') || statSync(absolute).isDirectory()) continue;
        if (!anchorsOf(readFileSync(absolute, 'utf8')).has(anchor))
          broken.push(`${file}:${line} ${target}: no heading #${anchor} in ${relative(ROOT, absolute)}`);
      }
      expect(broken).toEqual([]);
    });
  }

  it('the link checker catches a missing file and a missing heading', () => {
    expect(linksOf('see [x](nowhere.md) and `[y](in-code.md)`')).toEqual([{ target: 'nowhere.md', line: 1 }]);
    expect(anchorsOf('# Rules of the house\n## `GET /cases`\n## Rules of the house\n```\n# not a heading\n```')).toEqual(
      new Set(['rules-of-the-house', 'get-cases', 'rules-of-the-house-1']),
    );
  });
});

describe('the key table of docs/architecture.md', () => {
  const doc = read('docs/architecture.md');
  // Sample values that read as the placeholders the table uses; dates and numbers are mapped back.
  const at = '2026-11-20T09:00:00.000Z';
  const placeholders = (text: string) =>
    text
      .replaceAll(at, '<at>')
      .replaceAll('2026-11-20', '<yyyy-mm-dd>')
      .replaceAll('#1234567890', '#<windowStart>')
      .replace(/^(<status>)#07#/, '$1#<rank>#')
      // Sharded partitions end in their shard number (keys.ts shardOf).
      .replace(/^((?:STATUS|EVTDAY|DUE)#.*)#\d+$/, '$1#<shard>');

  const built: Record<string, string>[] = [
    caseKey('<caseId>'),
    { sk: messageSortKey('<messageId>') },
    { sk: eventSortKey('<eventId>') },
    { sk: decisionSortKey('<decisionId>') },
    caseNumberKey('<caseNumber>'),
    caseNumberCounterKey(),
    idempotencyKey('<scope>', '<key>'),
    inboundMessageIdKey('<messageId>'),
    inboundHashKey('<sha256>'),
    outboundMessageIdKey('<messageId>'),
    emailContactKey('<email>'),
    mailLogKey(at, '<id>'),
    rateLimitKey('<scope>', '<key>'),
    agentStateKey('<agentId>'),
    chatConversationKey('<channel>', '<threadTs>'),
    chatConversationKey('<channel>'),
    absentAgentIndexKeys('<presenceSince>', '<agentId>'),
    configCurrentKey(),
    configVersionKey(42),
    eventIndexKeys(at, '<eventId>'),
    {
      pk: subjectWordKey('abcdef', '<createdAt>', '<caseId>').pk.replace('abc', '<first 3 characters of the word>'),
      sk: subjectWordKey('<word>', '<createdAt>', '<caseId>').sk,
    },
    caseIndexKeys({
      caseId: '<caseId>',
      status: '<status>',
      priorityRank: 7,
      createdAt: '<createdAt>',
      owner: '<agentId>',
      queue: '<queueId>',
      contactEmail: '<email>',
      accountId: '<accountId>',
      due: { kind: '<kind>', at: '<dueAt>' },
    }),
  ];

  it('writes every key format keys.ts builds', () => {
    const missing = built.flatMap((keys) => Object.values(keys).map(placeholders)).filter((value) => !doc.includes(`\`${value}\``));
    expect(missing).toEqual([]);
  });

  it('names every index of the table definition', () => {
    for (const index of TABLE.indexes) expect(doc).toContain(`| \`${index.name}\` |`);
  });
});

describe('citations', () => {
  const TEXT = /\.(ts|js|mjs|json|jsonc|md|yml|yaml|sh)$/;
  const SKIP = new Set(['node_modules', '.git', 'cdk.out', 'coverage']);
  const self = relative(ROOT, new URL(import.meta.url).pathname);

  function files(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return SKIP.has(entry.name) || entry.name.startsWith('.caseflow') || entry.name.startsWith('.tmp-') ? [] : files(path);
      return TEXT.test(entry.name) || dir === '.ci' ? [path] : [];
    });
  }

  it('no file cites a design document, a design rule or an issue by number: the design is docs/architecture.md', () => {
    // Spelled in pieces, so a plain grep for these citations finds nothing in the repository, this file included.
    const citation = new RegExp(['DESI' + 'GN', '\\brul' + 'e [0-9]', '\\bissu' + 'e [0-9]'].join('|'));
    const found = files('.')
      .filter((path) => path !== self && path !== 'package-lock.json')
      .flatMap((path) =>
        read(path)
          .split('\n')
          .flatMap((line, i) => (citation.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(found).toEqual([]);
  });

  it('every docs/<page>.md#<anchor> that code and comments point at exists', () => {
    const pointer = /docs\/([\w-]+\.md)(?:#([\w-]+))?/g;
    const broken: string[] = [];
    let pointers = 0;
    for (const path of files('.').filter((p) => !p.endsWith('.md') && p !== self)) {
      for (const m of read(path).matchAll(pointer)) {
        pointers++;
        const page = join('docs', m[1]!);
        if (!existsSync(join(ROOT, page))) broken.push(`${path}: ${m[0]}: no such page`);
        else if (m[2] && !anchorsOf(read(page)).has(m[2])) broken.push(`${path}: ${m[0]}: no such heading`);
      }
    }
    expect(pointers).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });
});
