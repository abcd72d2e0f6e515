/** What one placement asks for (Cinder's request_spec + filter_properties, reduced to what Floe uses). */
export interface ScheduleRequest {
  readonly volumeId: string;
  readonly sizeGb: number;
  /** Empty or undefined: any zone. */
  readonly availabilityZone?: string;
  /** The volume type's extra specs. */
  readonly extraSpecs: Readonly<Record<string, string>>;
  /** `host@backend` of backends that already failed this volume. */
  readonly excludedHosts: readonly string[];
}

/** The volume type asks for thick provisioning (`provisioning:type=thick`, as Cinder). */
export function wantsThick(request: ScheduleRequest): boolean {
  return request.extraSpecs['provisioning:type'] === 'thick';
}
