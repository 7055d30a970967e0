/**
 * The customer web form, its thank-you page and its error page, as plain server-rendered HTML:
 * no script (the CSP forbids it), one inline stylesheet, UTF-8 throughout. Pure functions of their
 * input, so the handler stays an adapter and the markup is unit-tested on its own.
 *
 * Every interpolated value goes through `markup`, which escapes by default; only fragments built by
 * `markup` itself pass through unescaped. A forgotten escape is therefore not possible by omission.
 */
import type { FieldIssue } from '../../core/errors.js';
import type { WebFormChoice, WebFormText } from '../../core/web-form-text.js';
import { webFormText } from '../../core/web-form-text.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** A fragment of markup that is already safe. */
export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

type Interpolation = Markup | string | number | boolean | null | undefined | readonly Interpolation[];

function interpolate(value: Interpolation): string {
  if (value instanceof Markup) return value.html;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Tagged template: interpolations are escaped unless they are Markup; arrays are joined; nullish and false vanish. */
export function markup(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += interpolate(values[i]!) + strings[i + 1]!;
  return new Markup(out);
}

// ---------------------------------------------------------------------------------------------
// Fields

export interface FieldOption {
  value: string;
  label: string;
  /** Language of the label, for options written in their own language. */
  lang?: string;
}

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'email' | 'tel' | 'textarea' | 'select';
  required?: boolean;
  /** Mirrors WebSubmissionSchema (test/unit/web-form.test.ts checks they agree). */
  maxLength: number;
  autocomplete?: string;
  hint?: string;
  options?: readonly FieldOption[];
  /** The empty choice of a select. */
  placeholderOption?: string;
  /** Grid span: short fields sit side by side on wide screens. */
  size?: 'full' | 'half' | 'third';
}

/** ISO 3166-1 alpha-2 (plus XK): territories match on these codes, so the form sends codes, not names. */
const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
  'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
  'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
  'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
  'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'
).split(' ');

/** Languages offered by name in their own script; any code the schema accepts still round-trips. */
const LANGUAGE_CODES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'uk', 'ru', 'tr', 'ar', 'fa', 'he', 'hi', 'zh', 'ja', 'ko'];

function displayName(locale: string, type: 'region' | 'language', code: string): string {
  try {
    return new Intl.DisplayNames([locale], { type, fallback: 'code' }).of(code) ?? code;
  } catch {
    return code;
  }
}

const COUNTRY_OPTIONS: readonly FieldOption[] = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  const collator = new Intl.Collator('en');
  return COUNTRY_CODES.map((code) => ({ value: code, label: names.of(code) ?? code })).sort((a, b) => collator.compare(a.label, b.label));
})();

const LANGUAGE_OPTIONS: readonly FieldOption[] = LANGUAGE_CODES.map((code) => {
  const own = displayName(code, 'language', code);
  const english = displayName('en', 'language', code);
  const ownCapitalised = own.charAt(0).toLocaleUpperCase(code) + own.slice(1);
  return { value: code, label: own === english ? english : `${ownCapitalised} (${english})`, lang: code };
});

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export const WEB_FORM_FIELDS: readonly FieldSpec[] = [
  { name: 'name', label: 'Your name', kind: 'text', maxLength: 200, autocomplete: 'name', size: 'half' },
  { name: 'email', label: 'Email', kind: 'email', required: true, maxLength: 254, autocomplete: 'email', size: 'half', hint: 'We reply to this address.' },
  { name: 'phone', label: 'Phone', kind: 'tel', maxLength: 40, autocomplete: 'tel', size: 'half' },
  { name: 'company', label: 'Company', kind: 'text', maxLength: 200, autocomplete: 'organization', size: 'half' },
  {
    name: 'country',
    label: 'Country',
    kind: 'select',
    maxLength: 100,
    autocomplete: 'country',
    options: COUNTRY_OPTIONS,
    placeholderOption: 'Choose a country',
    size: 'third',
  },
  { name: 'region', label: 'State or region', kind: 'text', maxLength: 100, autocomplete: 'address-level1', size: 'third', hint: 'Code, e.g. CA or BY' },
  { name: 'postalCode', label: 'Postal code', kind: 'text', maxLength: 20, autocomplete: 'postal-code', size: 'third' },
  { name: 'subject', label: 'Subject', kind: 'text', required: true, maxLength: 300 },
  {
    name: 'description',
    label: 'Description',
    kind: 'textarea',
    required: true,
    maxLength: 20_000,
    hint: 'How can we help? Describe the problem, what you expected, and any error messages.',
  },
  { name: 'product', label: 'Product', kind: 'text', maxLength: 100, size: 'half' },
  {
    name: 'type',
    label: 'Type of request',
    kind: 'select',
    maxLength: 100,
    size: 'half',
    placeholderOption: 'Choose a type',
    options: [
      { value: 'question', label: 'Question' },
      { value: 'problem', label: 'Problem' },
      { value: 'feature_request', label: 'Feature request' },
      { value: 'other', label: 'Other' },
    ],
  },
  {
    name: 'severity',
    label: 'Severity',
    kind: 'select',
    maxLength: 40,
    size: 'half',
    placeholderOption: 'Not sure',
    options: SEVERITIES.map((s) => ({ value: s, label: s.charAt(0).toUpperCase() + s.slice(1) })),
  },
  {
    name: 'language',
    label: 'Preferred language',
    kind: 'select',
    maxLength: 20,
    size: 'half',
    options: LANGUAGE_OPTIONS,
    placeholderOption: 'Same as my message',
  },
];

const FIELD_GROUPS: readonly { legend: keyof WebFormText['legends']; fields: readonly string[] }[] = [
  { legend: 'you', fields: ['name', 'email', 'phone', 'company'] },
  { legend: 'where', fields: ['country', 'region', 'postalCode'] },
  { legend: 'request', fields: ['subject', 'description', 'product', 'type', 'severity', 'language'] },
];

/**
 * The language a page speaks and the choices it offers (docs/web-form.md#languages): the words from
 * the catalogue (functions/core/web-form-text.ts), the type and product choices from the
 * configuration (webFormChoices), and the languages of the picker.
 */
export interface FormLocale {
  language: string;
  text: WebFormText;
  /** The languages the form speaks, for the picker (none shown when there is only one). */
  languages: readonly { code: string; name: string }[];
  types: readonly WebFormChoice[];
  /** Configured products: a select; absent, the product is free text. */
  products?: readonly WebFormChoice[];
}

export const ENGLISH: FormLocale = (() => {
  const text = webFormText('en');
  return {
    language: 'en',
    text,
    languages: [{ code: 'en', name: text.name }],
    types: (Object.keys(text.types) as (keyof WebFormText['types'])[]).map((value) => ({ value, label: text.types[value] })),
  };
})();

const RTL = new Set(['ar', 'fa', 'he', 'ur', 'yi']);
const directionOf = (language: string) => (RTL.has(language.split('-')[0]!) ? 'rtl' : 'ltr');

const countryOptionsCache = new Map<string, readonly FieldOption[]>();
function countryOptions(language: string): readonly FieldOption[] {
  let options = countryOptionsCache.get(language);
  if (!options) {
    let names: Intl.DisplayNames;
    let collator: Intl.Collator;
    try {
      names = new Intl.DisplayNames([language, 'en'], { type: 'region', fallback: 'code' });
      collator = new Intl.Collator([language, 'en']);
    } catch {
      return COUNTRY_OPTIONS;
    }
    options = COUNTRY_CODES.map((code) => ({ value: code, label: names.of(code) ?? code })).sort((a, b) => collator.compare(a.label, b.label));
    if (countryOptionsCache.size < 32) countryOptionsCache.set(language, options);
  }
  return options;
}

/** WEB_FORM_FIELDS in the locale's words, with its choices. */
export function localisedFields(locale: FormLocale): FieldSpec[] {
  if (locale === ENGLISH) return [...WEB_FORM_FIELDS];
  const t = locale.text;
  return WEB_FORM_FIELDS.map((spec) => {
    const label = t.labels[spec.name as keyof WebFormText['labels']] ?? spec.label;
    const hint = spec.hint ? t.hints[spec.name as keyof WebFormText['hints']] : undefined;
    const placeholderOption = spec.placeholderOption ? t.placeholders[spec.name as keyof WebFormText['placeholders']] : undefined;
    const out: FieldSpec = { ...spec, label, ...(hint ? { hint } : {}), ...(placeholderOption ? { placeholderOption } : {}) };
    if (spec.name === 'country') out.options = countryOptions(locale.language);
    if (spec.name === 'type') out.options = locale.types;
    if (spec.name === 'severity') out.options = SEVERITIES.map((v) => ({ value: v, label: t.severities[v] }));
    if (spec.name === 'product' && locale.products) {
      Object.assign(out, { kind: 'select', options: locale.products, placeholderOption: t.placeholders.product });
    }
    return out;
  });
}

/** The hidden field only bots fill in (see WEB_HONEYPOT_FIELD in core/intake.ts). */
const HONEYPOT_FIELD = 'website';

// ---------------------------------------------------------------------------------------------
// Pages

export type FormValues = Readonly<Record<string, string | undefined>>;

export interface RenderFormInput {
  /** What the customer entered (kept on a re-render), plus `idempotencyKey`. */
  values?: FormValues;
  /** Field errors from a ValidationError; fields without a visible input are listed in the summary. */
  errors?: readonly FieldIssue[];
  /** Where the form posts: relative, so the page works behind any stage or path prefix. */
  action: string;
  /** A problem with the whole submission (rate limit, outage); the entered values are kept. */
  formError?: string;
  /** Minimal chrome for an iframe. */
  embed?: boolean;
  /** The page's language and choices; default English with the built-in types. */
  locale?: FormLocale;
  /** `?lang=<code>` links of the language picker are made from this (the page's own path, with `embed` kept). */
  languageHref?: (code: string) => string;
}

export interface RenderThankYouInput {
  caseNumber: string;
  /** Link back to a fresh form. */
  formHref?: string;
  embed?: boolean;
  locale?: FormLocale;
}

export interface RenderErrorInput {
  title: string;
  message: string;
  formHref?: string;
  embed?: boolean;
  locale?: FormLocale;
}

export function renderForm(input: RenderFormInput): string {
  const locale = input.locale ?? ENGLISH;
  const t = locale.text;
  const fields = localisedFields(locale);
  const values = input.values ?? {};
  const errors = input.errors ?? [];
  const errorByField = new Map<string, string>();
  for (const e of errors) if (!errorByField.has(e.field)) errorByField.set(e.field, e.message);
  const hasProblem = errors.length > 0 || Boolean(input.formError);
  // Without script the only way to move focus is autofocus: the first field at fault.
  const firstInvalid = fields.find((f) => errorByField.has(f.name))?.name;

  const summary = hasProblem
    ? markup`<div class="summary" role="alert" aria-labelledby="summary-title">
  <h2 id="summary-title">${errors.length > 0 ? t.checkTheForm : t.notSent}</h2>
  ${input.formError ? markup`<p>${input.formError}</p>` : ''}
  ${errors.length > 0 ? markup`<ul>${[...errorByField].map(([field, message]) => summaryItem({ field, message }, values, fields, t))}</ul>` : ''}
</div>`
    : '';

  const groups = FIELD_GROUPS.map(
    (group) => markup`<fieldset>
  <legend>${t.legends[group.legend]}</legend>
  <div class="grid">${group.fields.map((name) => field(specOf(fields, name), values, errorByField, name === firstInvalid, t))}</div>
</fieldset>`,
  );

  const picker =
    input.languageHref && locale.languages.length > 1
      ? markup`<nav class="languages" aria-label="${t.pickLanguage}"><ul>${locale.languages.map((l) =>
          l.code === locale.language
            ? markup`<li><a href="${input.languageHref!(l.code)}" lang="${l.code}" hreflang="${l.code}" aria-current="true">${l.name}</a></li>`
            : markup`<li><a href="${input.languageHref!(l.code)}" lang="${l.code}" hreflang="${l.code}">${l.name}</a></li>`,
        )}</ul></nav>`
      : '';

  const body = markup`<main class="card">
  ${picker}
  <h1${input.embed ? markup` class="visually-hidden"` : ''}>${t.siteTitle}</h1>
  <p class="lead">${t.lead}</p>
  ${summary}
  <form method="post" action="${input.action}" accept-charset="UTF-8" novalidate>
    <input type="hidden" name="idempotencyKey" value="${values.idempotencyKey ?? ''}">
    <div class="hp" aria-hidden="true">
      <label for="${HONEYPOT_FIELD}">${t.honeypot}</label>
      <input type="text" id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" value="" tabindex="-1" autocomplete="off">
    </div>
    ${groups}
    <div class="actions"><button type="submit">${t.submit}</button></div>
  </form>
</main>`;

  return page({ title: hasProblem ? `${t.errorPrefix}${t.siteTitle}` : t.siteTitle, body, embed: input.embed, language: locale.language });
}

export function renderThankYou(input: RenderThankYouInput): string {
  const locale = input.locale ?? ENGLISH;
  const t = locale.text.thanks;
  const body = markup`<main class="card done">
  <h1>${t.title}</h1>
  <p>${t.numberIs}</p>
  <p class="case-number" id="case-number">${input.caseNumber}</p>
  <p>${t.quote}</p>
  ${input.formHref ? markup`<p><a href="${input.formHref}">${t.another}</a></p>` : ''}
</main>`;
  return page({ title: t.pageTitle(input.caseNumber), body, embed: input.embed, language: locale.language });
}

export function renderError(input: RenderErrorInput): string {
  const locale = input.locale ?? ENGLISH;
  const t = locale.text.problems;
  const body = markup`<main class="card">
  <h1>${input.title}</h1>
  <p>${input.message}</p>
  ${input.formHref ? markup`<p><a href="${input.formHref}">${t.back}</a></p>` : ''}
</main>`;
  return page({ title: t.pageTitle(input.title), body, embed: input.embed, language: locale.language });
}

// ---------------------------------------------------------------------------------------------
// Pieces

function specOf(fields: readonly FieldSpec[], name: string): FieldSpec {
  const spec = fields.find((f) => f.name === name);
  if (!spec) throw new Error(`no field ${name}`);
  return spec;
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** The schema says "must be an email address" for an empty email; on the page, "is required" is what helps. */
function messageFor(spec: FieldSpec | undefined, message: string, value: string | undefined, t: WebFormText): string {
  if (spec?.required && isBlank(value)) return t.messages.required;
  if (spec && /too big|too long/i.test(message)) return t.messages.tooLong(spec.maxLength.toLocaleString(t === ENGLISH.text ? 'en' : undefined));
  if (t !== ENGLISH.text && /email address/i.test(message)) return t.messages.email;
  if (t !== ENGLISH.text && /must be one of/i.test(message)) return t.messages.choice;
  return message;
}

function summaryItem(issue: FieldIssue, values: FormValues, fields: readonly FieldSpec[], t: WebFormText): Markup {
  const spec = fields.find((f) => f.name === issue.field);
  const text = spec ? `${spec.label} ${messageFor(spec, issue.message, values[issue.field], t)}` : `${issue.field}: ${issue.message}`;
  return spec ? markup`<li><a href="#${spec.name}">${text}</a></li>` : markup`<li>${text}</li>`;
}

function field(spec: FieldSpec, values: FormValues, errors: ReadonlyMap<string, string>, autofocus: boolean, t: WebFormText): Markup {
  const value = values[spec.name] ?? '';
  const error = errors.get(spec.name);
  const hintId = spec.hint ? `${spec.name}-hint` : undefined;
  const errorId = error ? `${spec.name}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  const common = markup`id="${spec.name}" name="${spec.name}"${spec.required ? markup` required` : ''}${
    describedBy ? markup` aria-describedby="${describedBy}"` : ''
  }${error ? markup` aria-invalid="true"` : ''}${autofocus ? markup` autofocus` : ''}${spec.autocomplete ? markup` autocomplete="${spec.autocomplete}"` : ''}`;

  let control: Markup;
  if (spec.kind === 'textarea') {
    // The newline after the tag is eaten by the HTML parser, so a value starting with one survives.
    control = markup`<textarea ${common} rows="8" maxlength="${spec.maxLength}" dir="auto">\n${value}</textarea>`;
  } else if (spec.kind === 'select') {
    const options = spec.options ?? [];
    // A value from an older page or an API client is kept rather than silently dropped.
    const extra: FieldOption[] = value && !options.some((o) => o.value === value) ? [{ value, label: value }] : [];
    control = markup`<select ${common}>
      <option value="">${spec.placeholderOption ?? ''}</option>
      ${[...options, ...extra].map(
        (o) => markup`<option value="${o.value}"${o.lang ? markup` lang="${o.lang}"` : ''}${o.value === value ? markup` selected` : ''}>${o.label}</option>`,
      )}
    </select>`;
  } else {
    const inputMode = spec.kind === 'email' ? markup` spellcheck="false"` : '';
    control = markup`<input type="${spec.kind}" ${common} value="${value}" maxlength="${spec.maxLength}" dir="auto"${inputMode}>`;
  }

  return markup`
    <div class="field ${spec.size ?? 'full'}${error ? ' invalid' : ''}">
      <label for="${spec.name}">${spec.label}${spec.required ? markup` <span class="req" aria-hidden="true">*</span>` : ''}</label>
      ${spec.hint ? markup`<p class="hint" id="${hintId}">${spec.hint}</p>` : ''}
      ${error ? markup`<p class="error" id="${errorId}"><span class="visually-hidden">${t.errorPrefix}</span>${spec.label} ${messageFor(spec, error, value, t)}</p>` : ''}
      ${control}
    </div>`;
}

function page(input: { title: string; body: Markup; embed?: boolean; language?: string }): string {
  const language = input.language ?? 'en';
  return markup`<!doctype html>
<html lang="${language}" dir="${directionOf(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${input.title}</title>
<style>${new Markup(STYLES)}</style>
</head>
<body${input.embed ? markup` class="embed"` : ''}>
${input.body}
</body>
</html>
`.html;
}

const STYLES = `
:root{--fg:#1d2330;--muted:#5a6375;--bg:#f3f5f9;--card:#fff;--line:#c9cfdb;--accent:#2957d6;--accent-fg:#fff;--err:#b3261e;--err-bg:#fdecea;--focus:#ffbf47}
@media (prefers-color-scheme:dark){:root{--fg:#e8ebf2;--muted:#a7afc0;--bg:#12151c;--card:#1b2029;--line:#3a4252;--accent:#7d9cff;--accent-fg:#0b1020;--err:#ff8a80;--err-bg:#3a1d1c}}
*{box-sizing:border-box}
body{margin:0;padding:2rem 1rem;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans CJK SC","Vazirmatn",sans-serif}
body.embed{padding:0;background:transparent}
.card{max-width:46rem;margin:0 auto;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.embed .card{border:0;box-shadow:none;border-radius:0;padding:1rem;background:transparent;max-width:none}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.15rem;margin:0 0 .5rem}
.lead{color:var(--muted);margin:0 0 1.5rem}
fieldset{border:0;margin:0 0 1.25rem;padding:0;min-width:0}
legend{font-weight:650;font-size:1.05rem;padding:0;margin-bottom:.5rem}
.grid{display:grid;grid-template-columns:repeat(6,1fr);gap:0 1rem}
.field{grid-column:span 6;margin-bottom:1rem;min-width:0;display:flex;flex-direction:column}
.field>input,.field>select,.field>textarea{margin-top:auto}
@media (min-width:40rem){.field.half{grid-column:span 3}.field.third{grid-column:span 2}}
label{display:block;font-weight:600;margin-bottom:.25rem}
.req{color:var(--err)}
.hint{margin:0 0 .35rem;color:var(--muted);font-size:.9rem}
input,select,textarea{width:100%;font:inherit;color:inherit;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.55rem .65rem;unicode-bidi:plaintext}
input,select{height:2.75rem}
textarea{resize:vertical;min-height:9rem}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid var(--focus);outline-offset:1px}
.invalid input,.invalid select,.invalid textarea{border:2px solid var(--err)}
.error{margin:0 0 .35rem;color:var(--err);font-weight:600}
.summary{border:2px solid var(--err);background:var(--err-bg);border-radius:8px;padding:1rem 1.25rem;margin:0 0 1.5rem}
.summary ul{margin:0;padding-inline-start:1.25rem}
.summary a{color:var(--err);font-weight:600}
.summary p{margin:0 0 .5rem}
.actions{margin-top:.5rem}
button{font:inherit;font-weight:650;color:var(--accent-fg);background:var(--accent);border:0;border-radius:6px;padding:.7rem 1.5rem;cursor:pointer}
button:hover{filter:brightness(1.08)}
a{color:var(--accent)}
.done{text-align:center}
.case-number{font-size:2rem;font-weight:700;letter-spacing:.08em;font-variant-numeric:tabular-nums;margin:.25rem 0 1rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.languages ul{list-style:none;margin:0 0 1rem;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;justify-content:flex-end}
.languages a[aria-current]{font-weight:700;text-decoration:none;color:var(--fg)}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
`;
