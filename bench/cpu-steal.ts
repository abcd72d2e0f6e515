import { readFile } from 'node:fs/promises';

/** The machine's CPU time counters (clock ticks), from the aggregate `cpu` line of /proc/stat. */
export interface CpuTimes {
  readonly total: number;
  readonly steal: number;
}

/** Fields of the `cpu` line up to steal: user nice system idle iowait irq softirq steal (guest time is inside user). */
const COUNTED_FIELDS = 8;
const STEAL_FIELD = 7;

export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  const values = line?.trim().split(/\s+/).slice(1, 1 + COUNTED_FIELDS).map(Number) ?? [];
  if (values.length < COUNTED_FIELDS || !values.every(Number.isFinite)) return undefined;
  return { total: values.reduce((sum, v) => sum + v, 0), steal: values[STEAL_FIELD] };
}

/** Undefined where there is no /proc/stat. */
export async function readCpuTimes(): Promise<CpuTimes | undefined> {
  return parseProcStat(await readFile('/proc/stat', 'utf8').catch(() => ''));
}

/**
 * The share of the machine's CPU time that its hypervisor took between two readings (steal time):
 * on a shared VM, what the benchmarked programs wanted to run but could not.
 */
export function stolenShare(from: CpuTimes | undefined, to: CpuTimes | undefined): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return (to.steal - from.steal) / (to.total - from.total);
}
