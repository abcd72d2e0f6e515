import { consumeCapacity, type BackendState } from './backend-state.js';
import { provisionsThin } from './capacity.js';
import { backendStateFromReport, type CapabilityReport, type ServiceLiveness } from './capability-report.js';
import type { ScheduleRequest } from './schedule-request.js';
import { selectBackend, type SchedulerPolicy, type Selection } from './select-backend.js';

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/**
 * The scheduler's in-memory view of the backends, keyed by `host@backend` (Cinder's HostManager).
 * Fed by capability reports (fanout) and by the `services` rows; a report newer than the one held
 * replaces the backend's capacities, including what this scheduler consumed locally since.
 */
export class BackendStateView {
  readonly #states = new Map<string, BackendState>();

  list(): BackendState[] {
    return [...this.#states.values()];
  }

  get(host: string): BackendState | undefined {
    return this.#states.get(host);
  }

  /** Forgets a backend whose service stopped cleanly. */
  remove(host: string): void {
    this.#states.delete(host);
  }

  /**
   * A report from the fanout (no `service`: the report itself proves the worker alive) or from a
   * `services` row (its heartbeat and disabled flag).
   */
  apply(report: CapabilityReport, service?: ServiceLiveness): void {
    const current = this.#states.get(report.host);
    const liveness = this.#liveness(current, report, service);
    if (current && report.timestamp.getTime() <= current.reportedAt.getTime()) {
      this.#states.set(report.host, { ...current, ...liveness });
      return;
    }
    this.#states.set(report.host, backendStateFromReport(report, liveness));
  }

  /** Picks a backend and consumes the volume's size there at once, so a burst of creates spreads. */
  select(request: ScheduleRequest, policy: SchedulerPolicy): Selection {
    const selection = selectBackend(this.list(), request, policy);
    if (selection.kind === 'selected') {
      this.#states.set(selection.backend.host, consumeCapacity(selection.backend, request.sizeGb, provisionsThin(selection.backend, request)));
    }
    return selection;
  }

  #liveness(current: BackendState | undefined, report: CapabilityReport, service?: ServiceLiveness): ServiceLiveness {
    const seen = service?.heartbeatAt ?? report.timestamp;
    return {
      heartbeatAt: current ? later(current.heartbeatAt, seen) : seen,
      disabled: service?.disabled ?? current?.disabled ?? false,
    };
  }
}
