import type { Agent, RoutingConfig } from '../config.js';
import { parseRoutingConfig } from '../config.js';
import { SimulationOptionError } from './options.js';

/**
 * What-if staffing: `--agents QUEUE=N` (or `+k`, `-k`) sets how many members a queue has. New members
 * are copies of the queue's existing ones, taken in turn (same capacity, skills, languages, calendar,
 * territories), named `<id>.2`, `<id>.3`, ...; they join that queue only. Fewer members drops the
 * last-listed ones from that queue only: they keep working their other queues and any rule that
 * names them.
 */

export interface AgentsChange {
  queue: string;
  /** The number of members wanted (absolute), or... */
  count?: number;
  /** ...a change of it. */
  delta?: number;
}

/** `support=12`, `support=+2`, `support=-1`, or a bare `12` for the configuration's only staffed queue. */
export function parseAgentsOption(text: string, config: RoutingConfig, option = '--agents'): AgentsChange {
  const m = /^\s*(?:([A-Za-z0-9][A-Za-z0-9_.-]*)\s*=\s*)?([+-]?)(\d+)\s*$/.exec(text);
  if (!m) throw new SimulationOptionError(option, `"${text}" is not QUEUE=N, QUEUE=+N or QUEUE=-N (e.g. support=12)`);
  let queue = m[1];
  if (!queue) {
    const staffed = config.queues.filter((q) => q.members.length > 0 && q.id !== config.reviewQueue);
    if (staffed.length !== 1) {
      throw new SimulationOptionError(
        option,
        `name the queue (QUEUE=N): the configuration has ${staffed.length} staffed queues (${staffed.map((q) => q.id).join(', ')})`,
      );
    }
    queue = staffed[0]!.id;
  }
  if (!config.queues.some((q) => q.id === queue)) {
    throw new SimulationOptionError(option, `no queue "${queue}" in the configuration; queues: ${config.queues.map((q) => q.id).join(', ')}`);
  }
  const n = Number(m[3]);
  return m[2] ? { queue, delta: m[2] === '-' ? -n : n } : { queue, count: n };
}

function cloneId(base: string, taken: Set<string>): { id: string; n: number } {
  for (let n = 2; ; n++) {
    const id = `${base}.${n}`;
    if (!taken.has(id) && id.length <= 64) return { id, n };
  }
}

function cloneAgent(template: Agent, taken: Set<string>): Agent {
  const { id, n } = cloneId(template.id, taken);
  taken.add(id);
  const [local, domain] = template.email.split('@') as [string, string];
  return { ...template, id, name: `${template.name} (${n})`, email: `${local}+${n}@${domain}` };
}

/** The configuration with each change applied in order; validated again, so the result is one the engine accepts. */
export function applyAgentChanges(config: RoutingConfig, changes: readonly AgentsChange[]): { config: RoutingConfig; notes: string[] } {
  if (changes.length === 0) return { config, notes: [] };
  const agents = [...config.agents];
  const queues = config.queues.map((q) => ({ ...q, members: [...q.members] }));
  const taken = new Set(agents.map((a) => a.id));
  const notes: string[] = [];
  for (const change of changes) {
    const queue = queues.find((q) => q.id === change.queue);
    if (!queue) throw new SimulationOptionError('--agents', `no queue "${change.queue}" in the configuration`);
    const before = queue.members.length;
    const wanted = change.count ?? before + (change.delta ?? 0);
    if (wanted < 0) throw new SimulationOptionError('--agents', `queue ${queue.id} has ${before} members; it cannot have ${wanted}`);
    if (wanted > before) {
      if (before === 0) throw new SimulationOptionError('--agents', `queue ${queue.id} has no members to copy`);
      const templates = queue.members.map((id) => agents.find((a) => a.id === id)!);
      for (let i = before; i < wanted; i++) {
        const clone = cloneAgent(templates[(i - before) % templates.length]!, taken);
        agents.push(clone);
        queue.members.push(clone.id);
      }
      notes.push(`queue ${queue.id}: ${before} ▶ ${wanted} members (copies of ${templates.map((t) => t.id).join(', ')})`);
    } else if (wanted < before) {
      const dropped = queue.members.splice(wanted);
      notes.push(`queue ${queue.id}: ${before} ▶ ${wanted} members (without ${dropped.join(', ')})`);
    } else {
      notes.push(`queue ${queue.id}: ${before} members, unchanged`);
    }
  }
  return { config: parseRoutingConfig({ ...config, agents, queues }), notes };
}
