import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canTransition, formatCaseNumber } from '../../functions/core/case.js';
import { parseRoutingConfig, priorityRank } from '../../functions/core/config.js';
import { ValidationError } from '../../functions/core/errors.js';
import { parseWebSubmission } from '../../functions/core/intake.js';

const demo = JSON.parse(readFileSync(new URL('../../config/demo.config.json', import.meta.url), 'utf8'));

describe('status machine', () => {
  it('allows the lifecycle (docs/architecture.md#statuses) and refuses shortcuts', () => {
    expect(canTransition('new', 'assigned')).toBe(true);
    expect(canTransition('assigned', 'in_progress')).toBe(true);
    expect(canTransition('in_progress', 'on_hold')).toBe(true);
    expect(canTransition('on_hold', 'in_progress')).toBe(true);
    expect(canTransition('resolved', 'in_progress')).toBe(true);
    expect(canTransition('new', 'in_progress')).toBe(false);
    expect(canTransition('queued', 'on_hold')).toBe(false);
    expect(canTransition('resolved', 'on_hold')).toBe(false);
  });

  it('formats case numbers as eight digits', () => {
    expect(formatCaseNumber(1024)).toBe('00001024');
  });
});

describe('routing configuration', () => {
  it('parses the demo configuration and adds defaults', () => {
    const cfg = parseRoutingConfig(demo);
    expect(cfg.agents).toHaveLength(10);
    expect(cfg.sweeps.acceptTimeout).toBe('PT5M');
    expect(priorityRank(cfg, 'critical')).toBe(0);
    expect(priorityRank(cfg, 'unknown')).toBe(cfg.priorities.length);
  });

  it('adds the review queue when the document omits it', () => {
    const cfg = parseRoutingConfig({ queues: [{ id: 'only', name: 'Only' }] });
    expect(cfg.queues.map((q) => q.id)).toEqual(['only', 'review']);
  });

  it('names the JSON path of every broken reference', () => {
    const broken = structuredClone(demo);
    broken.territories[2].queue = 'nowhere';
    broken.queues[0].members.push('ghost');
    broken.agents[0].capacity.web = -1;
    broken.rules = [{ id: 'r1', when: { field: 'product', op: 'eq', value: 'x' }, then: { setPriority: 'urgent' } }];
    try {
      parseRoutingConfig(broken);
      expect.unreachable('the configuration should have been rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).issues.map((i) => i.field);
      expect(fields).toContain('agents.0.capacity.web');
      // Reference checks run only once the shapes are valid, so fix the shape and look again.
      broken.agents[0].capacity.web = 1;
      const again = (() => {
        try {
          parseRoutingConfig(broken);
        } catch (e) {
          return (e as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);
        }
        return [];
      })();
      expect(again).toEqual(
        expect.arrayContaining([
          'territories.2.queue: unknown queue nowhere',
          'queues.0.members.3: unknown agent ghost',
          'rules.0.then.setPriority: unknown priority urgent',
        ]),
      );
    }
  });

  it('rejects bad durations', () => {
    const cfg = structuredClone(demo);
    cfg.sweeps.acceptTimeout = '5 minutes';
    expect(() => parseRoutingConfig(cfg)).toThrow(/sweeps.acceptTimeout: an ISO-8601 duration/);
  });

  it('rejects duplicate ids', () => {
    const cfg = structuredClone(demo);
    cfg.queues.push({ ...cfg.queues[0] });
    expect(() => parseRoutingConfig(cfg)).toThrow(/queues.5.id: duplicate id emea/);
  });
});

describe('web submission', () => {
  it('names every invalid field at once', () => {
    try {
      parseWebSubmission({ email: 'not-an-email', subject: '   ' });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.field).sort()).toEqual(['description', 'email', 'subject']);
      expect((error as ValidationError).issues.find((i) => i.field === 'description')?.message).toBe('is required');
    }
  });

  it('accepts internationalised addresses and says an empty email is required', () => {
    expect(parseWebSubmission({ email: 'иван@пример.рф', subject: 's', description: 'd' }).email).toBe('иван@пример.рф');
    expect(() => parseWebSubmission({ email: 'a@b', subject: 's', description: 'd' })).toThrow('email: must be an email address');
    expect(() => parseWebSubmission({ email: '  ', subject: 's', description: 'd' })).toThrow('email: is required');
  });

  it('trims and drops empty optional fields, keeping any script', () => {
    const s = parseWebSubmission({ email: ' A@Example.com ', subject: ' Привет ', description: '订单 ٣', phone: '' });
    expect(s).toMatchObject({ email: 'A@Example.com', subject: 'Привет', description: '订单 ٣' });
    expect(s.phone).toBeUndefined();
  });
});
