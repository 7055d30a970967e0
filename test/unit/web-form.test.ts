import { describe, expect, it } from 'vitest';
import { WebSubmissionSchema } from '../../functions/core/intake.js';
import { WEB_FORM_FIELDS, escapeHtml, markup, renderError, renderForm, renderThankYou } from '../../functions/handlers/web-to-case/form-page.js';

/** The opening tag of the element with this id. */
function tagWithId(html: string, id: string): string {
  const match = new RegExp(`<(?:input|textarea|select)\\b[^>]*\\bid="${id}"[^>]*>`).exec(html);
  if (!match) throw new Error(`no control with id ${id}`);
  return match[0];
}

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<script>alert("x")</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(escapeHtml(`it's "quoted"`)).toBe('it&#39;s &quot;quoted&quot;');
    expect(escapeHtml('Tom & Jerry &amp;')).toBe('Tom &amp; Jerry &amp;amp;');
  });

  it('leaves other text, including non-Latin scripts, untouched', () => {
    const text = 'Привет, 你好, سلام — 100% ok';
    expect(escapeHtml(text)).toBe(text);
  });
});

describe('markup', () => {
  it('escapes interpolations unless they are markup already', () => {
    const inner = markup`<b>${'<i>'}</b>`;
    expect(markup`<p title="${'"x"'}">${inner}${['<a>', markup`<br>`]}${undefined}${false}${0}</p>`.html).toBe(
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;a&gt;<br>0</p>',
    );
  });
});

describe('renderForm', () => {
  const page = renderForm({ action: 'web-to-case', values: { idempotencyKey: 'key-1' } });

  it('is a complete UTF-8 HTML5 page with a language, a title and no script', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toMatch(/<html lang="en"/);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<title>Contact support</title>');
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<form method="post" action="web-to-case" accept-charset="UTF-8" novalidate>');
  });

  it('labels every field and marks the required ones', () => {
    for (const f of WEB_FORM_FIELDS) {
      expect(page).toContain(`<label for="${f.name}">`);
      const tag = tagWithId(page, f.name);
      expect(tag).toContain(`name="${f.name}"`);
      expect(tag.includes(' required')).toBe(Boolean(f.required));
    }
    expect(WEB_FORM_FIELDS.filter((f) => f.required).map((f) => f.name)).toEqual(['email', 'subject', 'description']);
  });

  it('lets text inputs follow the direction of what is typed', () => {
    for (const id of ['name', 'subject', 'description', 'company']) expect(tagWithId(page, id)).toContain('dir="auto"');
  });

  it('offers the severities and sends country codes', () => {
    const severity = /<select[^>]*id="severity"[^>]*>([\s\S]*?)<\/select>/.exec(page)![1]!;
    expect([...severity.matchAll(/value="([^"]*)"/g)].map((m) => m[1])).toEqual(['', 'low', 'medium', 'high', 'critical']);
    expect(page).toMatch(/<option value="DE">Germany<\/option>/);
    expect(page).toMatch(/<option value="fa" lang="fa">فارسی \(Persian\)<\/option>/);
  });

  it('hides the honeypot from people and assistive technology', () => {
    expect(page).toMatch(/<div class="hp" aria-hidden="true">/);
    const honeypot = tagWithId(page, 'website');
    expect(honeypot).toContain('tabindex="-1"');
    expect(honeypot).toContain('autocomplete="off"');
    expect(page).toMatch(/\.hp\{position:absolute;left:-10000px/);
  });

  it('carries the idempotency key of this page load', () => {
    expect(page).toContain('<input type="hidden" name="idempotencyKey" value="key-1">');
  });

  it('keeps what was entered, escaped, and puts each error next to its field', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const html = renderForm({
      action: 'web-to-case',
      values: { email: 'not-an-email', subject: hostile, description: `line 1\n${hostile}`, country: 'RU', language: 'xx', idempotencyKey: 'k"2' },
      errors: [
        { field: 'email', message: 'must be an email address' },
        { field: 'description', message: 'Too big: expected string to have <=20000 characters' },
      ],
    });
    expect(html).not.toContain('<script>');
    expect(tagWithId(html, 'subject')).toContain(`value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"`);
    expect(html).toContain(`<textarea id="description"`);
    expect(html).toContain(`>\nline 1\n&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</textarea>`);
    expect(html).toContain('name="idempotencyKey" value="k&quot;2"');
    expect(html).toMatch(/<option value="RU" selected>Russia<\/option>/);
    // A value the list does not know is kept rather than dropped.
    expect(html).toMatch(/<option value="xx" selected>xx<\/option>/);

    const email = tagWithId(html, 'email');
    expect(email).toContain('aria-invalid="true"');
    expect(email).toContain('aria-describedby="email-hint email-error"');
    expect(email).toContain('autofocus');
    expect(email).toContain('value="not-an-email"');
    expect(html).toContain('<p class="error" id="email-error"><span class="visually-hidden">Error: </span>Email must be an email address</p>');
    expect(tagWithId(html, 'description')).toContain('aria-describedby="description-hint description-error"');
    expect(html).toContain('Description is too long (at most 20,000 characters)');
    expect(tagWithId(html, 'subject')).not.toContain('aria-invalid');
    expect(tagWithId(html, 'subject')).not.toContain('autofocus');

    expect(html).toContain('<title>Error: Contact support</title>');
    expect(html).toContain('<li><a href="#email">Email must be an email address</a></li>');
  });

  it('says "is required" for an empty required field, whatever the schema said', () => {
    const html = renderForm({ action: 'x', values: { email: ' ' }, errors: [{ field: 'email', message: 'must be an email address' }] });
    expect(html).toContain('Email is required');
  });

  it('shows a problem with the whole submission above the form, keeping the values', () => {
    const html = renderForm({ action: 'x', values: { subject: 'Мой принтер' }, formError: 'Please try again in 5 minutes.' });
    expect(html).toContain('<h2 id="summary-title">Your request was not sent</h2>');
    expect(html).toContain('<p>Please try again in 5 minutes.</p>');
    expect(tagWithId(html, 'subject')).toContain('value="Мой принтер"');
  });

  it('has a minimal-chrome version for iframes', () => {
    const html = renderForm({ action: 'web-to-case?embed=1', embed: true });
    expect(html).toContain('<body class="embed">');
    expect(html).toContain('action="web-to-case?embed=1"');
    expect(html).toContain('<h1 class="visually-hidden">');
  });

  it('limits each field to what the schema accepts', () => {
    for (const f of WEB_FORM_FIELDS) {
      const base = { email: 'a@example.com', subject: 's', description: 'd' };
      // A local part is at most 64 characters (RFC 5321), so a long address has a long domain.
      const ok = WebSubmissionSchema.safeParse({ ...base, [f.name]: f.name === 'email' ? `a@${'b'.repeat(f.maxLength - 6)}.com` : 'x'.repeat(f.maxLength) });
      const tooLong = WebSubmissionSchema.safeParse({
        ...base,
        [f.name]: f.name === 'email' ? `a@${'b'.repeat(f.maxLength - 5)}.com` : 'x'.repeat(f.maxLength + 1),
      });
      expect({ field: f.name, ok: ok.success, tooLong: tooLong.success }).toEqual({ field: f.name, ok: true, tooLong: false });
    }
  });
});

describe('renderThankYou', () => {
  it('shows the case number, escaped', () => {
    const html = renderThankYou({ caseNumber: '00001024', formHref: 'web-to-case' });
    expect(html).toContain('<p class="case-number" id="case-number">00001024</p>');
    expect(html).toContain('<title>Request received: case 00001024</title>');
    expect(html).toContain('<a href="web-to-case">Send another request</a>');
    expect(renderThankYou({ caseNumber: '<b>1</b>' })).toContain('&lt;b&gt;1&lt;/b&gt;');
  });
});

describe('renderError', () => {
  it('escapes the title and the message', () => {
    const html = renderError({ title: 'Too <big>', message: 'a & b', formHref: 'web-to-case' });
    expect(html).toContain('<h1>Too &lt;big&gt;</h1>');
    expect(html).toContain('<p>a &amp; b</p>');
    expect(html).toContain('<title>Error: Too &lt;big&gt;</title>');
  });
});
