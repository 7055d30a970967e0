import type { MetricPoint, MetricsSink } from '../core/metrics.js';
import { metricsOfEvents } from '../core/metrics.js';
import type { EmailStore } from '../core/ports/email-intake.js';
import type { AssignmentStore, CaseRepository } from '../core/ports/repositories.js';

/**
 * Metering decorators for the ports that write case events: each passes the call through and, once
 * the write has committed, records the data points of its events (functions/core/metrics.ts).
 * Every method not named here is the wrapped one, unchanged.
 */

/** Where a metric that could not be recorded is reported (the composition root passes the process's logger). */
export type MeteringWarning = (message: string, details: { error: Error }) => void;

const unreported: MeteringWarning = () => undefined;

function safely(sink: MetricsSink, points: MetricPoint[], warn: MeteringWarning): void {
  if (points.length === 0) return;
  try {
    sink.record(points);
  } catch (error) {
    // A metric is never worth a failed request.
    warn('could not record metrics', { error: error as Error });
  }
}

export function meterCaseRepository(repo: CaseRepository, sink: MetricsSink, warn: MeteringWarning = unreported): CaseRepository {
  return {
    ...repo,
    async create(command) {
      const result = await repo.create(command);
      if (result.created) safely(sink, metricsOfEvents(command.events, command.case), warn);
      return result;
    },
    async update(next, expectedVersion, events, decisions) {
      const updated = await repo.update(next, expectedVersion, events, decisions);
      safely(sink, metricsOfEvents(events, updated), warn);
      return updated;
    },
    async addMessage(next, expectedVersion, message, events) {
      const updated = await repo.addMessage(next, expectedVersion, message, events);
      safely(sink, metricsOfEvents(events, updated), warn);
      return updated;
    },
  };
}

export function meterAssignmentStore(store: AssignmentStore, sink: MetricsSink, warn: MeteringWarning = unreported): AssignmentStore {
  return {
    ...store,
    async claim(input) {
      const result = await store.claim(input);
      if (result.claimed) safely(sink, metricsOfEvents(input.events, result.case), warn);
      return result;
    },
    async transfer(input) {
      const result = await store.transfer(input);
      if (result.claimed) safely(sink, metricsOfEvents(input.events, result.case), warn);
      return result;
    },
    async release(input) {
      const released = await store.release(input);
      safely(sink, metricsOfEvents(input.events, released), warn);
      return released;
    },
  };
}

export function meterEmailStore(store: EmailStore, sink: MetricsSink, warn: MeteringWarning = unreported): EmailStore {
  return {
    ...store,
    async createCase(command) {
      const result = await store.createCase(command);
      if (result.created) safely(sink, metricsOfEvents(command.events, command.case), warn);
      return result;
    },
    async appendMessage(command) {
      const result = await store.appendMessage(command);
      if (result.appended) safely(sink, metricsOfEvents(command.events), warn);
      return result;
    },
    async recordOutbound(command) {
      await store.recordOutbound(command);
      safely(sink, metricsOfEvents(command.events), warn);
    },
    async appendEvents(events) {
      await store.appendEvents(events);
      safely(sink, metricsOfEvents(events), warn);
    },
  };
}
