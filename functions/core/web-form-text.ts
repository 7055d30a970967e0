import type { RoutingConfig } from './config.js';

/**
 * The web form in the customer's language (docs/web-form.md#languages): the words of the form, its
 * thank-you page and its messages, one catalogue per language, and the choice of language. Pure.
 *
 * The form speaks the languages the acknowledgement templates have (`email.acknowledgement.templates`),
 * so a customer who wrote in German also gets the German acknowledgement. A template language with
 * no catalogue here shows English words around it (the acknowledgement is still the customer's).
 */

export interface WebFormText {
  /** The language's own name, for the language picker. */
  name: string;
  siteTitle: string;
  lead: string;
  required: string;
  legends: { you: string; where: string; request: string };
  labels: Record<
    'name' | 'email' | 'phone' | 'company' | 'country' | 'region' | 'postalCode' | 'subject' | 'description' | 'product' | 'type' | 'severity' | 'language',
    string
  >;
  hints: { email: string; region: string; description: string };
  placeholders: { country: string; type: string; product: string; severity: string; language: string };
  severities: Record<'low' | 'medium' | 'high' | 'critical', string>;
  /** The built-in request types, when the configuration names none. */
  types: Record<'question' | 'problem' | 'feature_request' | 'other', string>;
  submit: string;
  checkTheForm: string;
  notSent: string;
  errorPrefix: string;
  messages: { required: string; tooLong: (max: string) => string; email: string; choice: string };
  honeypot: string;
  pickLanguage: string;
  thanks: { title: string; numberIs: string; quote: string; another: string; pageTitle: (caseNumber: string) => string };
  problems: {
    rateLimited: (wait: string) => string;
    ours: string;
    tooLongTitle: string;
    tooLong: string;
    unreadableTitle: string;
    oursTitle: string;
    oursPage: string;
    back: string;
    pageTitle: (title: string) => string;
  };
  /** Durations in words: `seconds(n)`, `minutes(n)`, `hours(n)`. */
  durations: { seconds: (n: number) => string; minutes: (n: number) => string; hours: (n: number) => string };
}

const plural = (one: string, many: string) => (n: number) => `${n} ${n === 1 ? one : many}`;

const EN: WebFormText = {
  name: 'English',
  siteTitle: 'Contact support',
  lead: 'Tell us what you need and we will reply by email. Fields marked * are required.',
  required: 'required',
  legends: { you: 'About you', where: 'Where you are', request: 'Your request' },
  labels: {
    name: 'Your name',
    email: 'Email',
    phone: 'Phone',
    company: 'Company',
    country: 'Country',
    region: 'State or region',
    postalCode: 'Postal code',
    subject: 'Subject',
    description: 'Description',
    product: 'Product',
    type: 'Type of request',
    severity: 'Severity',
    language: 'Preferred language',
  },
  hints: {
    email: 'We reply to this address.',
    region: 'Code, e.g. CA or BY',
    description: 'How can we help? Describe the problem, what you expected, and any error messages.',
  },
  placeholders: { country: 'Choose a country', type: 'Choose a type', product: 'Choose a product', severity: 'Not sure', language: 'Same as my message' },
  severities: { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
  types: { question: 'Question', problem: 'Problem', feature_request: 'Feature request', other: 'Other' },
  submit: 'Send request',
  checkTheForm: 'Please check the form',
  notSent: 'Your request was not sent',
  errorPrefix: 'Error: ',
  messages: {
    required: 'is required',
    tooLong: (max) => `is too long (at most ${max} characters)`,
    email: 'must be an email address',
    choice: 'is not one of the choices',
  },
  honeypot: 'Leave this field empty',
  pickLanguage: 'Language',
  thanks: {
    title: 'Thank you, we have your request',
    numberIs: 'Your case number is',
    quote: 'Please quote it if you write to us about this request. We will reply by email.',
    another: 'Send another request',
    pageTitle: (n) => `Request received: case ${n}`,
  },
  problems: {
    rateLimited: (wait) => `We have received too many requests from you in a short time. Please try again in ${wait}; what you wrote is kept below.`,
    ours: 'Something went wrong on our side and your request was not sent. Please try again in a few minutes; what you wrote is kept below.',
    tooLongTitle: 'Your message is too long',
    tooLong: 'Please shorten the description and send it again.',
    unreadableTitle: 'We could not read the form',
    oursTitle: 'Something went wrong',
    oursPage: 'Your request was not sent. Please try again in a few minutes.',
    back: 'Back to the form',
    pageTitle: (t) => `Error: ${t}`,
  },
  durations: { seconds: plural('second', 'seconds'), minutes: plural('minute', 'minutes'), hours: plural('hour', 'hours') },
};

const DE: WebFormText = {
  name: 'Deutsch',
  siteTitle: 'Support kontaktieren',
  lead: 'Sagen Sie uns, was Sie brauchen; wir antworten per E-Mail. Mit * markierte Felder sind Pflichtfelder.',
  required: 'Pflichtfeld',
  legends: { you: 'Über Sie', where: 'Wo Sie sind', request: 'Ihre Anfrage' },
  labels: {
    name: 'Ihr Name',
    email: 'E-Mail',
    phone: 'Telefon',
    company: 'Firma',
    country: 'Land',
    region: 'Bundesland oder Region',
    postalCode: 'Postleitzahl',
    subject: 'Betreff',
    description: 'Beschreibung',
    product: 'Produkt',
    type: 'Art der Anfrage',
    severity: 'Dringlichkeit',
    language: 'Bevorzugte Sprache',
  },
  hints: {
    email: 'An diese Adresse antworten wir.',
    region: 'Kürzel, z. B. BY oder NRW',
    description: 'Wie können wir helfen? Beschreiben Sie das Problem, was Sie erwartet haben, und etwaige Fehlermeldungen.',
  },
  placeholders: { country: 'Land wählen', type: 'Art wählen', product: 'Produkt wählen', severity: 'Weiß nicht', language: 'Wie meine Nachricht' },
  severities: { low: 'Niedrig', medium: 'Mittel', high: 'Hoch', critical: 'Kritisch' },
  types: { question: 'Frage', problem: 'Problem', feature_request: 'Funktionswunsch', other: 'Sonstiges' },
  submit: 'Anfrage senden',
  checkTheForm: 'Bitte prüfen Sie das Formular',
  notSent: 'Ihre Anfrage wurde nicht gesendet',
  errorPrefix: 'Fehler: ',
  messages: {
    required: 'ist ein Pflichtfeld',
    tooLong: (max) => `ist zu lang (höchstens ${max} Zeichen)`,
    email: 'muss eine E-Mail-Adresse sein',
    choice: 'ist keine der Auswahlmöglichkeiten',
  },
  honeypot: 'Dieses Feld leer lassen',
  pickLanguage: 'Sprache',
  thanks: {
    title: 'Vielen Dank, wir haben Ihre Anfrage erhalten',
    numberIs: 'Ihre Fallnummer lautet',
    quote: 'Bitte geben Sie sie an, wenn Sie uns zu dieser Anfrage schreiben. Wir antworten per E-Mail.',
    another: 'Weitere Anfrage senden',
    pageTitle: (n) => `Anfrage erhalten: Fall ${n}`,
  },
  problems: {
    rateLimited: (wait) =>
      `Wir haben in kurzer Zeit zu viele Anfragen von Ihnen erhalten. Bitte versuchen Sie es in ${wait} erneut; Ihr Text bleibt unten erhalten.`,
    ours: 'Bei uns ist etwas schiefgegangen, Ihre Anfrage wurde nicht gesendet. Bitte versuchen Sie es in einigen Minuten erneut; Ihr Text bleibt unten erhalten.',
    tooLongTitle: 'Ihre Nachricht ist zu lang',
    tooLong: 'Bitte kürzen Sie die Beschreibung und senden Sie sie erneut.',
    unreadableTitle: 'Wir konnten das Formular nicht lesen',
    oursTitle: 'Etwas ist schiefgegangen',
    oursPage: 'Ihre Anfrage wurde nicht gesendet. Bitte versuchen Sie es in einigen Minuten erneut.',
    back: 'Zurück zum Formular',
    pageTitle: (t) => `Fehler: ${t}`,
  },
  durations: { seconds: plural('Sekunde', 'Sekunden'), minutes: plural('Minute', 'Minuten'), hours: plural('Stunde', 'Stunden') },
};

const FR: WebFormText = {
  name: 'Français',
  siteTitle: 'Contacter le support',
  lead: 'Dites-nous ce dont vous avez besoin ; nous vous répondrons par e-mail. Les champs marqués * sont obligatoires.',
  required: 'obligatoire',
  legends: { you: 'Vous', where: 'Où vous êtes', request: 'Votre demande' },
  labels: {
    name: 'Votre nom',
    email: 'E-mail',
    phone: 'Téléphone',
    company: 'Entreprise',
    country: 'Pays',
    region: 'État ou région',
    postalCode: 'Code postal',
    subject: 'Objet',
    description: 'Description',
    product: 'Produit',
    type: 'Type de demande',
    severity: 'Gravité',
    language: 'Langue préférée',
  },
  hints: {
    email: 'Nous répondons à cette adresse.',
    region: 'Code, p. ex. IDF ou QC',
    description: "Comment pouvons-nous vous aider ? Décrivez le problème, ce que vous attendiez et les messages d'erreur éventuels.",
  },
  placeholders: {
    country: 'Choisissez un pays',
    type: 'Choisissez un type',
    product: 'Choisissez un produit',
    severity: 'Je ne sais pas',
    language: 'Celle de mon message',
  },
  severities: { low: 'Faible', medium: 'Moyenne', high: 'Élevée', critical: 'Critique' },
  types: { question: 'Question', problem: 'Problème', feature_request: 'Demande de fonctionnalité', other: 'Autre' },
  submit: 'Envoyer la demande',
  checkTheForm: 'Veuillez vérifier le formulaire',
  notSent: "Votre demande n'a pas été envoyée",
  errorPrefix: 'Erreur : ',
  messages: {
    required: 'est obligatoire',
    tooLong: (max) => `est trop long (${max} caractères au plus)`,
    email: 'doit être une adresse e-mail',
    choice: "n'est pas l'un des choix proposés",
  },
  honeypot: 'Laissez ce champ vide',
  pickLanguage: 'Langue',
  thanks: {
    title: 'Merci, nous avons bien reçu votre demande',
    numberIs: 'Votre numéro de dossier est',
    quote: 'Merci de le rappeler si vous nous écrivez au sujet de cette demande. Nous vous répondrons par e-mail.',
    another: 'Envoyer une autre demande',
    pageTitle: (n) => `Demande reçue : dossier ${n}`,
  },
  problems: {
    rateLimited: (wait) =>
      `Nous avons reçu trop de demandes de votre part en peu de temps. Veuillez réessayer dans ${wait} ; votre texte est conservé ci-dessous.`,
    ours: "Un problème est survenu de notre côté et votre demande n'a pas été envoyée. Veuillez réessayer dans quelques minutes ; votre texte est conservé ci-dessous.",
    tooLongTitle: 'Votre message est trop long',
    tooLong: 'Veuillez raccourcir la description et la renvoyer.',
    unreadableTitle: "Nous n'avons pas pu lire le formulaire",
    oursTitle: 'Un problème est survenu',
    oursPage: "Votre demande n'a pas été envoyée. Veuillez réessayer dans quelques minutes.",
    back: 'Retour au formulaire',
    pageTitle: (t) => `Erreur : ${t}`,
  },
  durations: { seconds: plural('seconde', 'secondes'), minutes: plural('minute', 'minutes'), hours: plural('heure', 'heures') },
};

const ES: WebFormText = {
  name: 'Español',
  siteTitle: 'Contactar con soporte',
  lead: 'Cuéntenos qué necesita y le responderemos por correo electrónico. Los campos marcados con * son obligatorios.',
  required: 'obligatorio',
  legends: { you: 'Sobre usted', where: 'Dónde está', request: 'Su solicitud' },
  labels: {
    name: 'Su nombre',
    email: 'Correo electrónico',
    phone: 'Teléfono',
    company: 'Empresa',
    country: 'País',
    region: 'Estado o región',
    postalCode: 'Código postal',
    subject: 'Asunto',
    description: 'Descripción',
    product: 'Producto',
    type: 'Tipo de solicitud',
    severity: 'Gravedad',
    language: 'Idioma preferido',
  },
  hints: {
    email: 'Responderemos a esta dirección.',
    region: 'Código, p. ej. MD o CT',
    description: '¿Cómo podemos ayudarle? Describa el problema, lo que esperaba y los mensajes de error que haya visto.',
  },
  placeholders: { country: 'Elija un país', type: 'Elija un tipo', product: 'Elija un producto', severity: 'No lo sé', language: 'El de mi mensaje' },
  severities: { low: 'Baja', medium: 'Media', high: 'Alta', critical: 'Crítica' },
  types: { question: 'Pregunta', problem: 'Problema', feature_request: 'Solicitud de función', other: 'Otro' },
  submit: 'Enviar solicitud',
  checkTheForm: 'Revise el formulario',
  notSent: 'Su solicitud no se ha enviado',
  errorPrefix: 'Error: ',
  messages: {
    required: 'es obligatorio',
    tooLong: (max) => `es demasiado largo (${max} caracteres como máximo)`,
    email: 'debe ser una dirección de correo electrónico',
    choice: 'no es una de las opciones',
  },
  honeypot: 'Deje este campo vacío',
  pickLanguage: 'Idioma',
  thanks: {
    title: 'Gracias, hemos recibido su solicitud',
    numberIs: 'Su número de caso es',
    quote: 'Indíquelo si nos escribe sobre esta solicitud. Le responderemos por correo electrónico.',
    another: 'Enviar otra solicitud',
    pageTitle: (n) => `Solicitud recibida: caso ${n}`,
  },
  problems: {
    rateLimited: (wait) => `Hemos recibido demasiadas solicitudes suyas en poco tiempo. Vuelva a intentarlo dentro de ${wait}; su texto se conserva abajo.`,
    ours: 'Algo ha fallado por nuestra parte y su solicitud no se ha enviado. Vuelva a intentarlo dentro de unos minutos; su texto se conserva abajo.',
    tooLongTitle: 'Su mensaje es demasiado largo',
    tooLong: 'Acorte la descripción y vuelva a enviarla.',
    unreadableTitle: 'No hemos podido leer el formulario',
    oursTitle: 'Algo ha fallado',
    oursPage: 'Su solicitud no se ha enviado. Vuelva a intentarlo dentro de unos minutos.',
    back: 'Volver al formulario',
    pageTitle: (t) => `Error: ${t}`,
  },
  durations: { seconds: plural('segundo', 'segundos'), minutes: plural('minuto', 'minutos'), hours: plural('hora', 'horas') },
};

/** The catalogues, by primary language subtag. */
export const WEB_FORM_TEXT: Readonly<Record<string, WebFormText>> = { en: EN, de: DE, fr: FR, es: ES };

const primary = (tag: string) => tag.toLowerCase().split('-')[0]!;

/** The words for a language: its catalogue, else English. */
export function webFormText(language: string): WebFormText {
  return WEB_FORM_TEXT[primary(language)] ?? EN;
}

/** The languages the form offers: those of the acknowledgement templates (English when there are none), the default first. */
export function webFormLanguages(config: Pick<RoutingConfig, 'email'> | undefined): { languages: string[]; defaultLanguage: string } {
  const ack = config?.email?.acknowledgement;
  const templates = [...new Set(Object.keys(ack?.templates ?? {}).map((l) => l.toLowerCase()))];
  const wanted = (ack?.defaultLanguage ?? 'en').toLowerCase();
  if (templates.length === 0) return { languages: [wanted], defaultLanguage: wanted };
  const defaultLanguage = templates.includes(wanted) ? wanted : templates[0]!;
  return { languages: [defaultLanguage, ...templates.filter((l) => l !== defaultLanguage)], defaultLanguage };
}

/** `de-AT,de;q=0.9,en;q=0.5` ▶ `['de-at', 'de', 'en']`, by quality (ties keep their order); `q=0` is a refusal. */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, 1000)
    .split(',')
    .slice(0, 30)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((l) => /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(l.tag) && Number.isFinite(l.q) && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((l) => l.tag);
}

/**
 * The language to show: the one asked for (`?lang=`, a picker) when offered, else the first of
 * Accept-Language that is offered (exactly, then by its primary subtag: `de-AT` ▶ `de`), else the default.
 */
export function chooseLanguage(input: { asked?: string; acceptLanguage?: string; offered: readonly string[]; defaultLanguage: string }): string {
  const offered = input.offered.map((l) => l.toLowerCase());
  const find = (tag: string) => offered.find((l) => l === tag) ?? offered.find((l) => primary(l) === primary(tag));
  const asked = input.asked?.trim().toLowerCase();
  if (asked) {
    const hit = find(asked);
    if (hit) return hit;
  }
  for (const tag of parseAcceptLanguage(input.acceptLanguage)) {
    const hit = find(tag);
    if (hit) return hit;
  }
  return offered.includes(input.defaultLanguage.toLowerCase()) ? input.defaultLanguage.toLowerCase() : (offered[0] ?? 'en');
}

export interface WebFormChoice {
  value: string;
  label: string;
}

/** A configured choice's label in `language`: that language, its primary subtag, the default language, English, then the id. */
function labelOf(labels: Readonly<Record<string, string>>, language: string, defaultLanguage: string, id: string): string {
  const byLang = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k.toLowerCase(), v]));
  return byLang[language] ?? byLang[primary(language)] ?? byLang[defaultLanguage] ?? byLang.en ?? Object.values(byLang)[0] ?? id;
}

/**
 * The type and product choices the form offers in `language`: the configuration's (`webForm.types`,
 * `webForm.products`) when it names them, else the built-in request types and a free-text product.
 * `restricted` says whether a submitted value must be one of them.
 */
export function webFormChoices(
  config: Pick<RoutingConfig, 'webForm' | 'email'> | undefined,
  language: string,
): { types: WebFormChoice[]; products?: WebFormChoice[]; restrictTypes: boolean; restrictProducts: boolean } {
  const text = webFormText(language);
  const { defaultLanguage } = webFormLanguages(config);
  const form = config?.webForm;
  const choices = (list: readonly { id: string; label: Record<string, string> }[]) =>
    list.map((c) => ({ value: c.id, label: labelOf(c.label, language.toLowerCase(), defaultLanguage, c.id) }));
  return {
    types: form?.types
      ? choices(form.types)
      : (Object.keys(text.types) as (keyof WebFormText['types'])[]).map((value) => ({ value, label: text.types[value] })),
    ...(form?.products ? { products: choices(form.products) } : {}),
    restrictTypes: Boolean(form?.types),
    restrictProducts: Boolean(form?.products),
  };
}
