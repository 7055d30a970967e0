/**
 * Web-to-case: `GET /web-to-case` serves the customer form, `POST /web-to-case` takes a submission
 * as a plain HTML form post or as JSON. An adapter only: parse ▶ makeSubmitWebCase ▶ map the result.
 *
 * A form post is answered in HTML whatever happens (thank-you page, the form again with its errors
 * and the customer's words kept, or an error page); a JSON post is answered in JSON by the error table.
 */
import { RateLimitedError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.js';
import { parseWebSubmission } from '../core/intake.js';
import { intakeFailure } from '../core/metrics.js';
import type { SubmitWebCaseResult } from '../core/use-cases/submit-web-case.js';
import type { AppDeps } from '../composition/deps.js';
import { awsWebDeps } from '../composition/lambda.js';
import { makeWebIntake } from '../composition/web-intake.js';
import { errorBody, errorHeaders, httpStatusOf } from '../http/errors.js';
import type { HttpEvent, HttpResult } from '../http/api-gateway.js';
import {
  assertWellFormedText,
  bodyBytes,
  bodyText,
  decodeUtf8KeepingErrors,
  header,
  html,
  httpHandler,
  isWellFormedText,
  json,
  redirect,
} from '../http/api-gateway.js';
import { lazy } from '../runtime/lambda.js';
import { logger } from '../runtime/observability.js';
import type { RoutingConfig } from '../core/config.js';
import { chooseLanguage, webFormChoices, webFormLanguages, webFormText } from '../core/web-form-text.js';
import type { FormLocale, FormValues } from './web-to-case/form-page.js';
import { renderError, renderForm, renderThankYou } from './web-to-case/form-page.js';

/** The largest submission taken, counted as the customer's text in UTF-8 (see contentBytes). */
export const MAX_BODY_BYTES = 64 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

type BodyKind = 'form' | 'json';

export function createHandler(deps: AppDeps) {
  const submitWebCase = makeWebIntake(deps);

  /** The language this request gets (`?lang=`, then Accept-Language, then the default) and the configured choices. */
  async function localeOf(event: HttpEvent): Promise<WebFormLocale> {
    // Without a configuration the form still works, in English with the built-in types.
    const config = (await deps.configs.getCurrent().catch(() => undefined))?.config;
    return formLocale(config, event.queryStringParameters?.lang, header(event, 'accept-language'));
  }

  async function handleJson(event: HttpEvent): Promise<HttpResult> {
    assertSize(event, 'json');
    const text = bodyText(event);
    const input = parseJsonBody(text);
    // Bad bytes (or a JSON escape of half a surrogate pair) are refused by field, as in a form post.
    assertWellFormedText(input, text);
    const submission = parseWebSubmission(input);
    const result = await submitWebCase(submission, { clientIp: clientIp(event) });
    // Whether an acknowledgement went out is not said: a honeypot answer could not say it truthfully,
    // so saying it would tell a bot it was caught (docs/web-form.md#the-honeypot).
    const body = { caseId: result.caseId, caseNumber: result.caseNumber, status: result.status };
    // Idempotent replay (same idempotencyKey, or the same words again within the dedupe window):
    // nothing new was created, so 200 with the existing case instead of 201.
    return json(result.outcome === 'duplicate' ? 200 : 201, body);
  }

  async function handleForm(event: HttpEvent, page: PageContext): Promise<HttpResult> {
    let values: FormValues | undefined;
    const locale = await localeOf(event);
    const form = { action: page.action, embed: page.embed, locale, languageHref: page.languageHref };
    try {
      assertSize(event, 'form');
      const text = bodyText(event);
      values = parseFormBody(text);
      let submission;
      try {
        assertWellFormedText(values, text);
        submission = parseWebSubmission(values);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return html(400, renderForm({ ...form, values: displayable(keepKey(values, deps)), errors: error.issues }));
      }
      const result = await submitWebCase(submission, { clientIp: clientIp(event) });
      return formSuccess(result, page, deps.webFormReturnUrl, locale);
    } catch (error) {
      const status = httpStatusOf(error);
      if (status >= 500) {
        logger.error('request failed', { error: error as Error });
        deps.metrics.record([intakeFailure('web')]);
      } else logger.info('request rejected', { status, error: (error as Error)?.message });
      const headers = errorHeaders(error);
      // Once the fields are read, the customer gets the form back with everything they wrote.
      // A configured choice the form no longer offers is shown at its field, like any other.
      if (values && error instanceof ValidationError) {
        return html(400, renderForm({ ...form, values: displayable(keepKey(values, deps)), errors: error.issues }), headers);
      }
      if (values) {
        return html(status, renderForm({ ...form, values: displayable(keepKey(values, deps)), formError: formErrorText(error, locale) }), headers);
      }
      return html(status, renderError({ ...errorPageText(error, locale), formHref: page.action, embed: page.embed, locale }), headers);
    }
  }

  return httpHandler(async (event) => {
    const method = event.requestContext?.http?.method?.toUpperCase();
    const path = event.rawPath ?? '/web-to-case';
    if (path.replace(/\/+$/, '').endsWith('/web-to-case/options')) {
      if (method !== 'GET') return json(405, { error: 'MethodNotAllowed', message: 'use GET' }, { allow: 'GET' });
      return json(200, formOptions(await localeOf(event)), { 'cache-control': 'public, max-age=60', vary: 'accept-language' });
    }
    const page = pageContext(event);
    if (method === 'GET') {
      const locale = await localeOf(event);
      // A fresh key per page load: a double click, a retry or a reload of this page is one case.
      // The preferred language starts as the page's, so the acknowledgement speaks it too.
      return html(
        200,
        renderForm({
          values: { idempotencyKey: deps.ids.next(), language: locale.language },
          action: page.action,
          embed: page.embed,
          locale,
          languageHref: page.languageHref,
        }),
        { 'content-language': locale.language, vary: 'accept-language' },
      );
    }
    if (method !== 'POST') {
      return json(405, { error: 'MethodNotAllowed', message: 'use GET for the form or POST to submit' }, { allow: 'GET, POST' });
    }
    if (bodyKind(header(event, 'content-type')) === 'form') return handleForm(event, page);
    return handleJson(event).catch((error: unknown) => {
      // The error table answers it; a 5xx is a submission we failed to take (IntakeFailures).
      if (httpStatusOf(error) >= 500) deps.metrics.record([intakeFailure('web')]);
      throw error;
    });
  });
}

export const handler = lazy(() => createHandler(awsWebDeps()));

// ---------------------------------------------------------------------------------------------

interface PageContext {
  embed: boolean;
  /** Relative, so the page posts back to itself behind any API stage or path prefix; it keeps `lang`. */
  action: string;
  /** The page in another language (the picker's links). */
  languageHref: (code: string) => string;
}

function pageContext(event: HttpEvent): PageContext {
  const flag = event.queryStringParameters?.embed;
  const embed = flag === '1' || flag === 'true';
  const path = event.rawPath ?? '/web-to-case';
  const base = path.endsWith('/') ? './' : (path.split('/').filter(Boolean).pop() ?? 'web-to-case');
  const lang = event.queryStringParameters?.lang;
  const href = (language: string | undefined) => {
    const query = new URLSearchParams();
    if (embed) query.set('embed', '1');
    if (language && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(language)) query.set('lang', language.toLowerCase());
    const q = query.toString();
    return q ? `${base}?${q}` : base;
  };
  return { embed, action: href(lang), languageHref: href };
}

/** The form's locale from the configuration: its languages (the acknowledgement templates'), the one chosen, the choices in it. */
type WebFormLocale = FormLocale & { typesRestricted: boolean; productsRestricted: boolean };

export function formLocale(config: RoutingConfig | undefined, asked: string | undefined, acceptLanguage: string | undefined): WebFormLocale {
  const { languages, defaultLanguage } = webFormLanguages(config);
  const language = chooseLanguage({ ...(asked ? { asked } : {}), ...(acceptLanguage ? { acceptLanguage } : {}), offered: languages, defaultLanguage });
  const choices = webFormChoices(config, language);
  return {
    language,
    text: webFormText(language),
    languages: languages.map((code) => ({ code, name: webFormText(code).name })),
    types: choices.types,
    ...(choices.products ? { products: choices.products } : {}),
    typesRestricted: choices.restrictTypes,
    productsRestricted: choices.restrictProducts,
  };
}

/** GET /web-to-case/options: the languages and choices, for customers' own front ends (WebFormOptions). */
function formOptions(locale: WebFormLocale) {
  const label = (c: { value: string; label: string }) => ({ id: c.value, label: c.label });
  return {
    language: locale.language,
    defaultLanguage: locale.languages[0]?.code ?? locale.language,
    languages: locale.languages,
    types: locale.types.map(label),
    ...(locale.products ? { products: locale.products.map(label) } : {}),
    typesRestricted: locale.typesRestricted,
    productsRestricted: locale.productsRestricted,
  };
}

function formSuccess(result: SubmitWebCaseResult, page: PageContext, returnUrl: string | undefined, locale: FormLocale): HttpResult {
  // Inside an iframe the customer's site (the usual return URL) would most likely refuse to be
  // framed, so the embedded form always shows its own thank-you page.
  if (returnUrl && !page.embed) {
    const target = new URL(returnUrl);
    target.searchParams.set('caseNumber', result.caseNumber);
    return redirect(target.toString());
  }
  // A honeypot hit gets the same page as a real case: the bot must not learn it was caught.
  const status = result.outcome === 'duplicate' ? 200 : 201;
  return html(status, renderThankYou({ caseNumber: result.caseNumber, formHref: page.action, embed: page.embed, locale }));
}

/** Values as the page can show them: bytes that were not UTF-8 appear as U+FFFD where they were. */
function displayable(values: FormValues): FormValues {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === undefined || isWellFormedText(v) ? v : Buffer.from(v, 'utf8').toString('utf8')]));
}

/** A re-rendered form keeps its idempotency key, so fixing a field and sending again is still one case. */
function keepKey(values: FormValues, deps: Pick<AppDeps, 'ids'>): FormValues {
  return values.idempotencyKey ? values : { ...values, idempotencyKey: deps.ids.next() };
}

function formErrorText(error: unknown, locale: FormLocale): string {
  const t = locale.text;
  if (error instanceof RateLimitedError) return t.problems.rateLimited(humanDuration(error.retryAfterSeconds, t));
  if (httpStatusOf(error) >= 500) return t.problems.ours;
  return errorBody(error).message;
}

function errorPageText(error: unknown, locale: FormLocale): { title: string; message: string } {
  const t = locale.text.problems;
  if (error instanceof PayloadTooLargeError) return { title: t.tooLongTitle, message: t.tooLong };
  if (error instanceof ValidationError) {
    return { title: t.unreadableTitle, message: error.issues.map((i) => `${i.field} ${i.message}`).join('; ') };
  }
  if (httpStatusOf(error) >= 500) return { title: t.oursTitle, message: t.oursPage };
  return { title: locale.text.notSent, message: errorBody(error).message };
}

function humanDuration(seconds: number, t: FormLocale['text']): string {
  if (seconds < 90) return t.durations.seconds(Math.max(1, Math.round(seconds)));
  const minutes = Math.ceil(seconds / 60);
  return minutes < 90 ? t.durations.minutes(minutes) : t.durations.hours(Math.ceil(minutes / 60));
}

function clientIp(event: HttpEvent): string {
  return event.requestContext?.http?.sourceIp || 'unknown';
}

/** The media type, with any charset required to be UTF-8 (JSON is UTF-8 by definition, and the form says so). */
export function bodyKind(contentType: string | undefined): BodyKind {
  const [type = '', ...params] = (contentType ?? '').split(';').map((p) => p.trim());
  const mediaType = type.toLowerCase();
  const kind: BodyKind | undefined = mediaType === FORM_TYPE ? 'form' : mediaType === JSON_TYPE ? 'json' : undefined;
  if (!kind) {
    const accepted = `send ${JSON_TYPE} or ${FORM_TYPE}`;
    throw new UnsupportedMediaTypeError(mediaType ? `Content-Type ${mediaType} is not supported: ${accepted}` : `Content-Type is missing: ${accepted}`);
  }
  for (const param of params) {
    const [name = '', raw = ''] = param.split('=').map((s) => s.trim());
    if (name.toLowerCase() !== 'charset') continue;
    const charset = raw.replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') throw new UnsupportedMediaTypeError(`charset ${charset} is not supported: send ${mediaType} in UTF-8`);
  }
  return kind;
}

/**
 * The submission's size as the customer's text in UTF-8, checked before anything is parsed. A form
 * post percent-encodes every non-ASCII byte (one Chinese character becomes nine bytes on the wire),
 * so counting the wire bytes would give a Chinese customer a third of an English one's room. Each
 * `%XX` counts as the one byte it stands for; a hard cap on the wire size bounds the work.
 */
export function contentBytes(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>, kind: BodyKind): number {
  const wire = bodyBytes(event);
  if (kind === 'json' || wire > MAX_BODY_BYTES * 3) return wire;
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('latin1') : (event.body ?? '');
  let escapes = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x25) escapes++;
  return wire - 2 * escapes;
}

function assertSize(event: HttpEvent, kind: BodyKind): void {
  if (contentBytes(event, kind) > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`the submission is larger than ${MAX_BODY_BYTES / 1024} KB`);
  }
}

function parseJsonBody(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: 'body', message: text.trim() ? 'is not valid JSON' : 'is required' }]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError([{ field: 'body', message: 'must be a JSON object' }]);
  }
  return parsed;
}

/**
 * `application/x-www-form-urlencoded` as browsers send it: `+` is a space, `%XX` runs are UTF-8
 * bytes (decoded strictly), the first occurrence of a name wins, and the CRLF line breaks the HTML
 * spec mandates for textareas become the `\n` the customer typed.
 */
export function parseFormBody(text: string): Record<string, string> {
  const fields = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeFormComponent(eq < 0 ? '' : pair.slice(eq + 1));
    if (!fields.has(name)) fields.set(name, value.replace(/\r\n?/g, '\n'));
  }
  // fromEntries defines own properties, so a field named `__proto__` is just a field.
  return Object.fromEntries(fields);
}

function decodeFormComponent(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  if (!spaced.includes('%')) return spaced;
  // A character's bytes are always one contiguous run of escapes, so each run decodes on its own;
  // a `%` not followed by two hex digits stays as it is, as in URLSearchParams. Bytes that are not
  // UTF-8 stay visible (decodeUtf8KeepingErrors), so the field is refused by name afterwards.
  return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => decodeUtf8KeepingErrors(Buffer.from(run.replace(/%/g, ''), 'hex')));
}
