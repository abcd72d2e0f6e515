/** How the backup bench writes its figures, in the table and in the docs alike. */
export function seconds(s: number): string {
  return `${s.toFixed(2)} s`;
}

export function ratio(r: number): string {
  return `${r.toFixed(r < 1 ? 2 : 1)}×`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function mebibytes(mib: number): string {
  return `${Math.round(mib)} MiB`;
}
