import { consumeCapacity, type BackendState } from './backend-state.js';
import { provisionsThin } from './capacity.js';
import { backendStateFromReport, type CapabilityReport, type ServiceLiveness } from './capability-report.js';
import type { ScheduleRequest } from './schedule-request.js';
import { selectBackend, type SchedulerPolicy, type Selection } from './select-backend.js';

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/** This scheduler's placements on one backend: those whose `host` is not committed yet, and when the last one was. */
interface Placements {
  inFlight: number;
  settledAt: Date;
}

/**
 * The scheduler's in-memory view of the backends, keyed by `host@backend` (Cinder's HostManager).
 * Fed by capability reports (fanout) and by the `services` rows. A report replaces the backend's
 * capacities, and with them what this scheduler consumed locally, only when the backend began to
 * measure after every placement here was committed: the worker counts the volumes whose `host` it
 * finds in the database, so an earlier measure would hand back space already given away (as
 * Cinder, which ignores a report older than its last consume; the clocks are assumed in step).
 */
export class BackendStateView {
  readonly #states = new Map<string, BackendState>();
  readonly #placements = new Map<string, Placements>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  list(): BackendState[] {
    return [...this.#states.values()];
  }

  get(host: string): BackendState | undefined {
    return this.#states.get(host);
  }

  /** Forgets a backend whose service stopped cleanly. */
  remove(host: string): void {
    this.#states.delete(host);
    this.#placements.delete(host);
  }

  /**
   * A report from the fanout (no `service`: the report itself proves the worker alive) or from a
   * `services` row (its heartbeat and disabled flag).
   */
  apply(report: CapabilityReport, service?: ServiceLiveness): void {
    const current = this.#states.get(report.host);
    const liveness = this.#liveness(current, report, service);
    if (current && !this.#measuredAfterPlacements(report, current)) {
      this.#states.set(report.host, { ...current, ...liveness });
      return;
    }
    this.#states.set(report.host, backendStateFromReport(report, liveness));
  }

  /**
   * Picks a backend and consumes the volume's size there at once, so a burst of creates spreads.
   * The caller calls `settle` once the volume's `host` is committed, or given up.
   */
  select(request: ScheduleRequest, policy: SchedulerPolicy): Selection {
    const selection = selectBackend(this.list(), request, policy);
    if (selection.kind === 'selected') {
      const { host } = selection.backend;
      this.#states.set(host, consumeCapacity(selection.backend, request.sizeGb, provisionsThin(selection.backend, request)));
      const placements = this.#placements.get(host);
      this.#placements.set(host, { inFlight: (placements?.inFlight ?? 0) + 1, settledAt: placements?.settledAt ?? new Date(0) });
    }
    return selection;
  }

  /** A placement on `host` is in the database (or will never be): reports measured from now on count it. */
  settle(host: string): void {
    const placements = this.#placements.get(host);
    if (!placements) return;
    this.#placements.set(host, { inFlight: Math.max(0, placements.inFlight - 1), settledAt: this.#now() });
  }

  #measuredAfterPlacements(report: CapabilityReport, current: BackendState): boolean {
    const measuredAt = report.timestamp.getTime();
    if (measuredAt <= current.reportedAt.getTime()) return false;
    const placements = this.#placements.get(report.host);
    return !placements || (placements.inFlight === 0 && measuredAt > placements.settledAt.getTime());
  }

  #liveness(current: BackendState | undefined, report: CapabilityReport, service?: ServiceLiveness): ServiceLiveness {
    const seen = service?.heartbeatAt ?? report.timestamp;
    return {
      heartbeatAt: current ? later(current.heartbeatAt, seen) : seen,
      disabled: service?.disabled ?? current?.disabled ?? false,
    };
  }
}
