import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../functions/core/agent-state.js';
import { emptyLoad } from '../../functions/core/agent-state.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { compileRouting, decideRouting } from '../../functions/core/routing/engine.js';
import { decideTerritory } from '../../functions/core/territory.js';
import { onlineState } from '../support/fixtures.js';

/**
 * The seven routings of the acceptance scenario, decided by the pure engine on the shipped example
 * configuration. test/e2e/seven-routings.test.ts runs the same scenario through the local stack.
 */
const config = parseRoutingConfig(JSON.parse(readFileSync(new URL('../../config/examples/seven-routings.config.json', import.meta.url), 'utf8')));
const compiled = compileRouting(config);

const INCIDENT_DAY_EVENING = new Date('2026-11-20T18:30:00Z'); // 19:30 Berlin, outside the day shift
const NIGHT = new Date('2026-11-23T21:00:00Z'); // Monday 22:00 Berlin

function online(over: Record<string, Partial<AgentState>> = {}): Map<string, AgentState> {
  return new Map(config.agents.map((a) => [a.id, onlineState(a.id, NIGHT, over[a.id])]));
}

function stamped(over: Partial<CaseRecord>, at: Date): CaseRecord {
  const c: CaseRecord = {
    caseId: 'c',
    caseNumber: '00001000',
    channel: 'phone',
    status: 'new',
    priority: 'medium',
    priorityRank: 2,
    subject: 's',
    description: 'd',
    contact: { email: 'x@example.com' },
    routing: { excludedAgents: [], attempts: 0 },
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    version: 1,
    ...over,
  };
  const t = decideTerritory(config.territories, c).winner!;
  return { ...c, territory: t.territoryId, queue: t.queue };
}

const winner = (c: CaseRecord, at: Date, states = online(), history = {}) => {
  const d = decideRouting({ case: c, compiled, states, history, now: at });
  return { agent: d.ranking[0]?.agentId, rule: d.rule?.id, reasons: d.reasons };
};

describe('the seven routings', () => {
  it('1. workload: billing goes to Luke, and to Leia when Luke has no spare capacity', () => {
    const c = stamped({ type: 'billing' }, NIGHT);
    expect(winner(c, NIGHT).agent).toBe('luke');
    const full = winner(c, NIGHT, online({ luke: { load: { ...emptyLoad(), phone: 2 } } }));
    expect(full).toMatchObject({ agent: 'leia', rule: 'billing-luke-then-leia' });
  });

  it('2. competence: a low or medium lamp fault goes to Obi-Wan', () => {
    for (const priority of ['low', 'medium']) {
      expect(winner(stamped({ product: 'fluorescent-lamp', priority }, NIGHT), NIGHT)).toMatchObject({ agent: 'obiwan', rule: 'lamp-fault-routine' });
    }
  });

  it('3. priority: a high lamp fault goes straight to Yoda', () => {
    expect(winner(stamped({ product: 'fluorescent-lamp', priority: 'high', priorityRank: 1 }, NIGHT), NIGHT)).toMatchObject({
      agent: 'yoda',
      rule: 'lamp-fault-urgent',
    });
  });

  it('4. customer history: account group 66 goes to Anakin, who resolved its last case', () => {
    const c = stamped({ account: { id: 'acme', group: '66' } }, NIGHT);
    const busyAnakin = online({ anakin: { load: { ...emptyLoad(), email: 3 } } });
    expect(winner(c, NIGHT, busyAnakin).agent).not.toBe('anakin');
    const d = winner(c, NIGHT, busyAnakin, { accountResolver: 'anakin' });
    expect(d).toMatchObject({ agent: 'anakin', rule: 'account-group-66' });
    expect(d.reasons).toContain("anakin preferred: resolved this account's last case");
  });

  it('5. working hours: a case created between 08:00 and 16:00 Berlin goes to Padmé', () => {
    const morning = new Date('2026-11-23T09:15:00Z'); // 10:15 Berlin
    expect(winner(stamped({}, morning), morning)).toMatchObject({ agent: 'padme', rule: 'day-shift' });
    expect(winner(stamped({}, NIGHT), NIGHT).rule).toBeUndefined();
  });

  it('6. region: a case from North America goes to Han', () => {
    expect(winner(stamped({ location: { country: 'CA' } }, NIGHT), NIGHT)).toMatchObject({ agent: 'han', rule: 'north-america' });
  });

  it('7. topic: a website outage reported on the incident date goes to Chewie', () => {
    expect(winner(stamped({ type: 'website_outage' }, INCIDENT_DAY_EVENING), INCIDENT_DAY_EVENING)).toMatchObject({
      agent: 'chewie',
      rule: 'website-outage-incident',
    });
    const dayAfter = new Date('2026-11-21T10:00:00Z');
    expect(winner(stamped({ type: 'website_outage' }, dayAfter), dayAfter).agent).not.toBe('chewie');
  });
});
