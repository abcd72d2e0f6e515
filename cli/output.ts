import Table from 'cli-table3';

/** Where output goes; process.stdout/stderr or a test buffer. */
export interface Writer {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
}

/** Plain tables: no colours, so piped output and tests see the same text as a terminal. */
/** Compact: no rule between body rows, so a long property list stays readable. */
const TABLE_STYLE = { head: [], border: [], compact: true };

export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const table = new Table({ head: columns.map((c) => c.header), style: TABLE_STYLE });
  for (const row of rows) table.push(columns.map((c) => formatCell(c.value(row))));
  return table.toString();
}

/** A Property/Value table, one row per key, keys in the order given. */
export function renderProperties(record: Readonly<Record<string, unknown>>): string {
  const table = new Table({ head: ['Property', 'Value'], style: TABLE_STYLE });
  for (const [key, value] of Object.entries(record)) table.push([key, formatCell(value)]);
  return table.toString();
}

export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** How one value reads in a cell: '-' for nothing, one line per list item, `k=v` per map entry. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(formatCell).join('\n');
  if (typeof value === 'object') return formatMap(value as Record<string, unknown>);
  return String(value);
}

function formatMap(map: Record<string, unknown>): string {
  const entries = Object.entries(map);
  if (entries.length === 0) return '-';
  return entries.map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join('\n');
}

/** Prints command results: tables for people, or with `--json` the API objects themselves. */
export class Printer {
  readonly #out: Writer;
  readonly json: boolean;

  constructor(out: Writer, json: boolean) {
    this.#out = out;
    this.json = json;
  }

  list<T>(rows: readonly T[], columns: readonly Column<T>[]): void {
    this.#line(this.json ? renderJson(rows) : renderTable(columns, rows));
  }

  /** One object; `view` gives the Property/Value rows people see. */
  record<T>(value: T, view: (v: T) => Record<string, unknown>): void {
    this.#line(this.json ? renderJson(value) : renderProperties(view(value)));
  }

  /** A result with no API object behind it: `data` for --json, `text` for people. */
  result(data: unknown, text: string): void {
    this.#line(this.json ? renderJson(data) : text);
  }

  #line(text: string): void {
    this.#out.write(`${text}\n`);
  }
}
