/**
 * Acknowledgement templates come from the configuration an admin applies: only the documented
 * placeholders are filled, by own-property lookup on an allow-list, so a template cannot reach
 * object internals (`{{constructor}}` once rendered `function Object() { [native code] }`). A template
 * naming anything else is refused when the configuration is applied, with the JSON path at fault;
 * one stored before that check renders such a placeholder literally.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACK_PLACEHOLDERS, configSchemas, parseRoutingConfig } from '../../functions/core/config.js';
import { renderAcknowledgement } from '../../functions/core/email-ack.js';
import { ValidationError } from '../../functions/core/errors.js';

const VALUES = {
  caseNumber: '00001234',
  subject: 'Printer',
  name: 'Ada',
  email: 'ada@example.com',
  token: '[CF-00001234:abc]',
  statusLink: 'https://console.example/app/status/T',
};

/** Settings as a stored configuration holds them, without the apply-time check (an older version). */
function stored(text: string, subject = 'Re: {{subject}}') {
  const settings = configSchemas().EmailSettingsSchema.parse({});
  return { acknowledgement: { ...settings.acknowledgement, templates: { en: { subject, text } } } };
}

/** Names an object literal answers without owning them. */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

describe('filling a template', () => {
  it('fills the documented placeholders, with or without spaces inside the braces', () => {
    const ack = renderAcknowledgement(stored('{{name}} / {{ caseNumber }} / {{email}} / {{subject}}'), VALUES);
    expect(ack.text).toBe('Ada / 00001234 / ada@example.com / Printer');
    expect(ack.subject).toBe('Re: Printer [CF-00001234:abc]');
  });

  it.each(PROTOTYPE_NAMES)('leaves {{%s}} literal instead of reaching Object.prototype', (name) => {
    const ack = renderAcknowledgement(stored(`before {{${name}}} after`, `{{${name}}}`), VALUES);
    expect(ack.text).toBe(`before {{${name}}} after`);
    expect(ack.subject).toBe(`{{${name}}} [CF-00001234:abc]`);
  });

  it('property: whatever the placeholder name, only the allow-listed ones change the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, ...ACK_PLACEHOLDERS, 'token', 'language'), fc.stringMatching(/^\w{1,12}$/)), (name) => {
        const { text } = renderAcknowledgement(stored(`[{{${name}}}]`), VALUES);
        const allowed = (ACK_PLACEHOLDERS as readonly string[]).includes(name);
        expect(text).toBe(allowed ? `[${VALUES[name as keyof typeof VALUES]}]` : `[{{${name}}}]`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('applying a configuration', () => {
  const config = (templates: Record<string, { subject: string; text: string }>) => ({
    queues: [{ id: 'support', name: 'Support' }],
    email: { acknowledgement: { templates } },
  });

  function fieldsOf(input: unknown) {
    try {
      parseRoutingConfig(input);
    } catch (error) {
      if (error instanceof ValidationError) return error.issues;
      throw error;
    }
    return [];
  }

  it('refuses a template that names anything but the documented placeholders, with its JSON path', () => {
    const issues = fieldsOf(
      config({
        en: { subject: 'Got it: {{subject}}', text: 'Case {{caseNumber}} {{constructor}}' },
        de: { subject: '{{ __proto__ }} {{subjekt}}', text: 'Fall {{caseNumber}}' },
      }),
    );
    expect(issues).toEqual([
      { field: 'email.acknowledgement.templates.en.text', message: expect.stringContaining('{{constructor}}') },
      { field: 'email.acknowledgement.templates.de.subject', message: expect.stringContaining('{{ __proto__ }}') },
    ]);
    expect(issues[0]!.message).toContain('{{caseNumber}}, {{subject}}, {{name}}, {{email}}');
    expect(issues[1]!.message).toContain('{{subjekt}}');
  });

  it('takes the documented placeholders and text that merely contains braces', () => {
    expect(fieldsOf(config({ en: { subject: '{{subject}}', text: 'Hi {{ name }}, case {{caseNumber}} ({{email}}). JSON: {"a": {"b": 1}}' } }))).toEqual([]);
  });
});
