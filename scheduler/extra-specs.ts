/**
 * Cinder's extra-spec operators (scheduler/filters/extra_specs_ops.py). A requirement whose first
 * word is not an operator is compared for plain equality.
 *   numeric: `= 10` (at least), `== 10`, `!= 10`, `>= 10`, `<= 10`
 *   string:  `s== a`, `s!= a`, `s< a`, `s<= a`, `s> a`, `s>= a`
 *   `<is> True` (boolean), `<in> sub` (substring), `<or> a <or> b` (any of)
 */
type Operator = (value: unknown, operands: readonly string[]) => boolean;

const TRUE_WORDS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_WORDS = ['0', 'f', 'false', 'off', 'n', 'no'];

/** oslo's bool_from_string, strict: undefined for a word that is neither. */
function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return undefined;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return NaN;
  return Number(value);
}

/** A comparison of numbers; a value or operand that is not a number fails it (Cinder's ValueError). */
function numeric(compare: (value: number, operand: number) => boolean): Operator {
  return (value, [operand]) => {
    const v = toNumber(value);
    const o = toNumber(operand);
    return !Number.isNaN(v) && !Number.isNaN(o) && compare(v, o);
  };
}

function textual(compare: (value: string, operand: string) => boolean): Operator {
  return (value, [operand]) => operand !== undefined && compare(String(value), operand);
}

/** `<or> a <or> b <or> c`: the operands are a, "<or>", b, "<or>", c. */
const anyOf: Operator = (value, operands) => operands.filter((_, i) => i % 2 === 0).includes(String(value));

const isBoolean: Operator = (value, [operand]) => {
  const v = toBoolean(value);
  return v !== undefined && v === toBoolean(operand);
};

const OPERATORS: Readonly<Record<string, Operator>> = {
  '=': numeric((v, o) => v >= o),
  '==': numeric((v, o) => v === o),
  '!=': numeric((v, o) => v !== o),
  '>=': numeric((v, o) => v >= o),
  '<=': numeric((v, o) => v <= o),
  's==': textual((v, o) => v === o),
  's!=': textual((v, o) => v !== o),
  's<': textual((v, o) => v < o),
  's<=': textual((v, o) => v <= o),
  's>': textual((v, o) => v > o),
  's>=': textual((v, o) => v >= o),
  '<in>': textual((v, o) => v.includes(o)),
  '<is>': isBoolean,
  '<or>': anyOf,
};

function equalsPlain(value: unknown, requirement: string): boolean {
  if (typeof value === 'boolean') return toBoolean(requirement) === value;
  return String(value) === requirement;
}

/** Whether a reported capability value satisfies one extra-spec requirement. */
export function matchesExtraSpec(value: unknown, requirement: string): boolean {
  if (value === null || value === undefined) return false;
  const [op = '', ...operands] = requirement.trim().split(/\s+/);
  if (!Object.hasOwn(OPERATORS, op)) return equalsPlain(value, requirement);
  return OPERATORS[op](value, operands);
}
