/**
 * A customer's own word on a case on hold resumes it (docs/architecture.md#statuses): the pure
 * decision behind the email intake's join and the status page's message. Only `on_hold` resumes,
 * never on automated mail, never when the configuration keeps holds; the reasons say which.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CASE_STATUSES } from '../../functions/core/case.js';
import { configSchemas, parseRoutingConfig } from '../../functions/core/config.js';
import { emailSettingsOf } from '../../functions/core/email-ack.js';
import { decideResumeOnCustomerWord } from '../../functions/core/hold.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

describe('decideResumeOnCustomerWord', () => {
  it('resumes exactly a held case, on a person’s message, when the setting is on', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASE_STATUSES), fc.boolean(), fc.boolean(), (status, automated, setting) => {
        const d = decideResumeOnCustomerWord({ case: { caseNumber: 'CF-1', status }, automated, resumeHeldCasesOnReply: setting });
        expect(d.resumes).toBe(status === 'on_hold' && !automated && setting);
        // A case not on hold has nothing to say about a hold; a held one always says why.
        expect(d.reasons.length).toBe(status === 'on_hold' ? 1 : 0);
      }),
    );
  });

  it('names the cause in its reasons', () => {
    const held = { caseNumber: 'CF-7', status: 'on_hold' as const };
    expect(decideResumeOnCustomerWord({ case: held, automated: false, resumeHeldCasesOnReply: true }).reasons[0]).toMatch(/CF-7.*resumes/);
    expect(decideResumeOnCustomerWord({ case: held, automated: true, resumeHeldCasesOnReply: true }).reasons[0]).toMatch(/automated mail never resumes/);
    expect(decideResumeOnCustomerWord({ case: held, automated: false, resumeHeldCasesOnReply: false }).reasons[0]).toMatch(/resumeHeldCasesOnReply is off/);
  });
});

describe('email.resumeHeldCasesOnReply', () => {
  it('defaults to true, with or without an email section', () => {
    expect(configSchemas().EmailSettingsSchema.parse({}).resumeHeldCasesOnReply).toBe(true);
    expect(emailSettingsOf(parseRoutingConfig(makeRoutingConfigInput({}))).resumeHeldCasesOnReply).toBe(true);
    expect(emailSettingsOf(parseRoutingConfig(makeRoutingConfigInput({ email: { resumeHeldCasesOnReply: false } } as never))).resumeHeldCasesOnReply).toBe(
      false,
    );
  });

  it('rejects a value that is not a boolean, naming the field', () => {
    const parsed = configSchemas().EmailSettingsSchema.safeParse({ resumeHeldCasesOnReply: 'yes' });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['resumeHeldCasesOnReply']);
  });
});
