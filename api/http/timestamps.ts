/** Cinder's timestamp format: ISO 8601 in UTC with microseconds and no zone suffix. */
export function formatTimestamp(value: Date): string {
  return value.toISOString().replace(/Z$/, '000');
}

export function formatOptionalTimestamp(value: Date | null): string | null {
  return value === null ? null : formatTimestamp(value);
}
