import type { CaseRecord } from '../case.js';
import { fieldReader } from '../conditions.js';
import type { Rule } from '../config.js';

/**
 * A discrimination index over the rules: each rule with an `eq`/`in` condition on a plain field
 * (at its top level or in its top-level `all`) is filed under that field's values, so a case only
 * evaluates the rules that could match it, still in configuration order. The index only prunes:
 * every rule it returns is evaluated in full.
 */
export interface RuleIndex {
  byField: { read: (c: CaseRecord) => unknown; values: Map<string, number[]> }[];
  always: number[];
}

function discriminator(rule: Rule): { field: string; values: unknown[] } | undefined {
  const node = rule.when;
  const conditions = 'all' in node ? node.all : 'field' in node ? [node] : [];
  for (const c of conditions) {
    if (!('field' in c) || c.field === 'now' || c.timezone) continue;
    if (c.op === 'eq' && (typeof c.value === 'string' || typeof c.value === 'number')) return { field: c.field, values: [c.value] };
    if (c.op === 'in' && Array.isArray(c.value) && c.value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return { field: c.field, values: c.value };
    }
  }
  return undefined;
}

export function buildRuleIndex(rules: readonly Rule[]): RuleIndex {
  const fields = new Map<string, Map<string, number[]>>();
  const always: number[] = [];
  rules.forEach((rule, i) => {
    const d = discriminator(rule);
    if (!d) return void always.push(i);
    let values = fields.get(d.field);
    if (!values) fields.set(d.field, (values = new Map()));
    for (const v of new Set(d.values.map((x) => String(x).toLowerCase()))) {
      const list = values.get(v);
      if (list) list.push(i);
      else values.set(v, [i]);
    }
  });
  return {
    always,
    byField: [...fields].map(([field, values]) => {
      const read = fieldReader(field);
      return { read: (c: CaseRecord) => read({ case: c, now: new Date(0) }), values };
    }),
  };
}
