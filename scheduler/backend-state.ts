/** A capacity as a backend reports it: GiB, or Cinder's 'infinite' / 'unknown'. */
export type Capacity = number | 'infinite' | 'unknown';

/**
 * What the scheduler knows about one backend (Cinder's BackendState): the last capability report,
 * minus what this scheduler has placed there since, plus the service's liveness.
 */
export interface BackendState {
  /** `host@backend`: the volume worker's queue is volumeTopic(host). */
  readonly host: string;
  readonly pool: string;
  readonly availabilityZone: string;
  readonly totalCapacityGb: Capacity;
  readonly freeCapacityGb: Capacity;
  readonly provisionedCapacityGb: number;
  readonly allocatedCapacityGb: number;
  readonly reservedPercentage: number;
  readonly thinProvisioningSupport: boolean;
  readonly thickProvisioningSupport: boolean;
  readonly maxOverSubscriptionRatio: number;
  /** Everything the backend reported, matched by the CapabilitiesFilter. */
  readonly capabilities: Readonly<Record<string, unknown>>;
  /** When the backend measured the capacities above. */
  readonly reportedAt: Date;
  readonly heartbeatAt: Date;
  readonly disabled: boolean;
}

/** `host@backend#pool`, the value of a volume's `host` column. */
export function backendLocation(state: BackendState): string {
  return `${state.host}#${state.pool}`;
}

function minus(capacity: Capacity, sizeGb: number): Capacity {
  return typeof capacity === 'number' ? capacity - sizeGb : capacity;
}

/**
 * The state once a volume of `sizeGb` is placed on the backend (Cinder's consume_from_volume), so
 * that the next request of a burst sees the space as taken before the backend reports again.
 * A thin volume is provisioned but takes no free space until it is written (sparse), so only a
 * thick one lowers the free capacity; unlike Cinder, which lowers it for both and so turns a burst
 * of thin creates away long before the backend is full.
 */
export function consumeCapacity(state: BackendState, sizeGb: number, thin: boolean): BackendState {
  return {
    ...state,
    freeCapacityGb: thin ? state.freeCapacityGb : minus(state.freeCapacityGb, sizeGb),
    provisionedCapacityGb: state.provisionedCapacityGb + sizeGb,
    allocatedCapacityGb: state.allocatedCapacityGb + sizeGb,
  };
}
