import type { Principal } from '../authz.js';
import { assertAdmin } from '../authz.js';
import { OPEN_STATUSES } from '../case.js';
import type { RoutingConfig } from '../config.js';
import { parseRoutingConfig } from '../config.js';
import { PreconditionFailedError, ValidationError } from '../errors.js';
import type { TriageModelCatalogue } from '../triage/ports.js';
import { UNMATCHABLE_VERSION } from '../versions.js';
import type { Clock } from '../ports/clock.js';
import type { AgentStateRepository, CaseRepository, ConfigRepository, StoredConfig } from '../ports/repositories.js';
import type { DispatchToAgent } from './dispatch.js';
import type { RouteCase } from './route-case.js';
import type { WorkCase } from './work-case.js';

export interface ApplyConfigDeps {
  configs: ConfigRepository;
  cases: CaseRepository;
  agentStates: AgentStateRepository;
  clock: Clock;
  routeCase: RouteCase;
  dispatchToAgent: DispatchToAgent;
  /** Moves a case back to its queue on behalf of a manager (used when its owner disappears). */
  requeue: WorkCase['changeStatus'];
  /**
   * The stored triage model versions: a configuration naming a version that is not stored is refused
   * (docs/triage.md#the-configuration). Absent where no model store is configured: nothing to check against.
   */
  triageModels?: TriageModelCatalogue;
}

export interface ApplyConfigResult {
  stored: StoredConfig;
  /** What applying it did so no case is lost or stranded. */
  reconciled: { rerouted: string[]; requeued: string[]; dispatched: string[] };
}

/** A misspelt or deleted version would otherwise be found case by case, by the Stamp step. */
async function assertModelStored(triageModels: TriageModelCatalogue | undefined, version: string | undefined): Promise<void> {
  if (!version || !triageModels || (await triageModels.exists(version))) return;
  throw new ValidationError([
    {
      field: 'triage.modelVersion',
      message: `model version ${version} is not stored: name one that \`npm run triage -- list\` shows, or train one (\`npm run triage -- train\`)`,
    },
  ]);
}

/** The sections of the configuration whose entries have ids: a dry run lists what it adds, removes or changes in each. */
export const DIFFED_SECTIONS = ['agents', 'queues', 'rules', 'territories', 'slaPolicies', 'businessHours', 'pods'] as const;
export type DiffedSection = (typeof DIFFED_SECTIONS)[number];

export interface SectionChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface ConfigChanges {
  sections: Record<DiffedSection, SectionChanges>;
  /** The other top-level settings (priorities, email, web form, triage, ...) that differ. */
  settings: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What applying `next` over `previous` would change, by id (parsed configurations: defaults filled in on both sides). */
export function configChanges(previous: RoutingConfig | undefined, next: RoutingConfig): ConfigChanges {
  const byId = (list: unknown) => new Map((Array.isArray(list) ? list : []).map((e: { id: string }) => [e.id, e] as const));
  const sections = {} as Record<DiffedSection, SectionChanges>;
  for (const section of DIFFED_SECTIONS) {
    const before = byId(previous?.[section]);
    const after = byId(next[section]);
    sections[section] = {
      added: [...after.keys()].filter((id) => !before.has(id)),
      removed: [...before.keys()].filter((id) => !after.has(id)),
      changed: [...after.keys()].filter((id) => before.has(id) && !same(before.get(id), after.get(id))),
    };
  }
  const keys = new Set([...Object.keys(previous ?? {}), ...Object.keys(next)]);
  const settings = [...keys]
    .filter((k) => !(DIFFED_SECTIONS as readonly string[]).includes(k))
    .filter((k) => !same((previous as Record<string, unknown> | undefined)?.[k], (next as Record<string, unknown>)[k]))
    .sort();
  return { sections, settings };
}

export interface ConfigDryRun {
  /** The version an apply would replace (0: none yet): send it as If-Match to apply what was checked. */
  currentVersion: number;
  changes: ConfigChanges;
}

/**
 * Apply's validation in full (the schema with every cross-reference, the triage model stored) and
 * what applying would change, writing nothing: the configuration editor's check before Apply.
 */
export function makeValidateConfig(deps: Pick<ApplyConfigDeps, 'configs' | 'triageModels'>) {
  return async function validateConfig(p: Principal, document: unknown): Promise<ConfigDryRun> {
    assertAdmin(p);
    const next = parseRoutingConfig(document);
    await assertModelStored(deps.triageModels, next.triage.modelVersion);
    const current = await deps.configs.getCurrent();
    return { currentVersion: current?.version ?? 0, changes: configChanges(current?.config, next) };
  };
}

/** Upper bound of cases moved per removed queue or agent in one apply; the sweeps finish the rest. */
const RECONCILE_PAGE = 200;

/**
 * Validates and stores a new configuration version, then makes sure no case is lost or stranded:
 * cases waiting in a queue that no longer exists are routed again (their territory may point
 * elsewhere now), open cases of agents who were removed go back to routing, and every online agent
 * is offered queued work (capacities or memberships may have grown).
 */
export function makeApplyConfig(deps: ApplyConfigDeps) {
  return async function applyConfig(p: Principal, document: unknown, expectedVersion?: number): Promise<ApplyConfigResult> {
    assertAdmin(p);
    const next = parseRoutingConfig(document);
    await assertModelStored(deps.triageModels, next.triage.modelVersion);
    const current = await deps.configs.getCurrent();
    if (expectedVersion !== undefined && expectedVersion !== (current?.version ?? 0)) {
      throw new PreconditionFailedError(
        expectedVersion === UNMATCHABLE_VERSION
          ? 'If-Match is not an ETag of the configuration: send the ETag of GET /admin/config'
          : `the configuration is at version ${current?.version ?? 0}, not ${expectedVersion}: read it again`,
      );
    }
    const stored = await deps.configs.put(next, expectedVersion ?? current?.version ?? 0, p.agentId, deps.clock.now().toISOString());
    const reconciled = await reconcile(current?.config, next, p);
    return { stored, reconciled };
  };

  async function reconcile(previous: RoutingConfig | undefined, next: RoutingConfig, p: Principal) {
    const rerouted: string[] = [];
    const requeued: string[] = [];
    const dispatched: string[] = [];
    if (previous) {
      const queues = new Set(next.queues.map((q) => q.id));
      for (const gone of previous.queues.filter((q) => !queues.has(q.id))) {
        const page = await deps.cases.list({ queues: [gone.id], statuses: ['queued', 'new'], limit: RECONCILE_PAGE });
        for (const c of page.items) {
          // The case's territory may have changed too: route from the territory's queue again.
          await deps.routeCase(c.caseId, { actor: p.agentId });
          rerouted.push(c.caseId);
        }
      }
      const agents = new Set(next.agents.map((a) => a.id));
      for (const gone of previous.agents.filter((a) => !agents.has(a.id))) {
        const page = await deps.cases.list({ owner: gone.id, statuses: OPEN_STATUSES.filter((s) => s !== 'queued'), limit: RECONCILE_PAGE });
        for (const c of page.items) {
          await deps.requeue({ agentId: p.agentId, roles: ['admin'] }, c.caseId, {
            status: 'queued',
            comment: `agent ${gone.id} was removed from the configuration`,
          });
          requeued.push(c.caseId);
        }
      }
    }
    const states = await deps.agentStates.getMany(next.agents.map((a) => a.id));
    for (const [agentId, state] of states) {
      if (state.presence === 'online') dispatched.push(...(await deps.dispatchToAgent(agentId, { reason: 'configuration applied' })));
    }
    return { rerouted, requeued, dispatched };
  }
}
