import type { MetricPoint, MetricsSink } from '../core/metrics.js';
import { metricsOfEvents } from '../core/metrics.js';
import type { AssignmentStore, CaseRepository, EmailStore } from '../core/ports.js';
import { logger } from '../runtime/observability.js';

/**
 * Metering decorators for the ports that write case events: each passes the call through and, once
 * the write has committed, records the data points of its events (functions/core/metrics.ts).
 * Every method not named here is the wrapped one, unchanged.
 */

function safely(sink: MetricsSink, points: MetricPoint[]): void {
  if (points.length === 0) return;
  try {
    sink.record(points);
  } catch (error) {
    // A metric is never worth a failed request.
    logger.warn('could not record metrics', { error: error as Error });
  }
}

export function meterCaseRepository(repo: CaseRepository, sink: MetricsSink): CaseRepository {
  return {
    ...repo,
    async create(command) {
      const result = await repo.create(command);
      if (result.created) safely(sink, metricsOfEvents(command.events, command.case));
      return result;
    },
    async update(next, expectedVersion, events, decisions) {
      const updated = await repo.update(next, expectedVersion, events, decisions);
      safely(sink, metricsOfEvents(events, updated));
      return updated;
    },
    async addMessage(next, expectedVersion, message, events) {
      const updated = await repo.addMessage(next, expectedVersion, message, events);
      safely(sink, metricsOfEvents(events, updated));
      return updated;
    },
  };
}

export function meterAssignmentStore(store: AssignmentStore, sink: MetricsSink): AssignmentStore {
  return {
    ...store,
    async claim(input) {
      const result = await store.claim(input);
      if (result.claimed) safely(sink, metricsOfEvents(input.events, result.case));
      return result;
    },
    async transfer(input) {
      const result = await store.transfer(input);
      if (result.claimed) safely(sink, metricsOfEvents(input.events, result.case));
      return result;
    },
    async release(input) {
      const released = await store.release(input);
      safely(sink, metricsOfEvents(input.events, released));
      return released;
    },
  };
}

export function meterEmailStore(store: EmailStore, sink: MetricsSink): EmailStore {
  return {
    ...store,
    async createCase(command) {
      const result = await store.createCase(command);
      if (result.created) safely(sink, metricsOfEvents(command.events, command.case));
      return result;
    },
    async appendMessage(command) {
      const result = await store.appendMessage(command);
      if (result.appended) safely(sink, metricsOfEvents(command.events));
      return result;
    },
    async recordOutbound(command) {
      await store.recordOutbound(command);
      safely(sink, metricsOfEvents(command.events));
    },
    async appendEvents(events) {
      await store.appendEvents(events);
      safely(sink, metricsOfEvents(events));
    },
  };
}
