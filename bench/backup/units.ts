/** How the backup bench writes its figures, in the table and in the docs alike. */
export function seconds(s: number): string {
  return `${s.toFixed(2)} s`;
}

export function ratio(r: number): string {
  return `${r.toFixed(r < 1 ? 2 : 1)}×`;
}

/** For a ratio checked against a target: two decimals, so that 1.97× does not read as 2.0×. */
export function ratioAgainstTarget(r: number): string {
  return `${r.toFixed(2)}×`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function mebibytes(mib: number): string {
  return `${Math.round(mib)} MiB`;
}
