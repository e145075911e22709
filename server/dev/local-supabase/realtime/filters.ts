import pg from 'pg';

/**
 * postgres_changes filters (`column=op.value`, comma-separated conditions ANDed), parsed and
 * turned into SQL over the change record (`$1`, a jsonb of text values) with the column's own
 * type, as Supabase's realtime.check_equality_op evaluates them.
 */
export const FILTER_OPERATORS = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=', in: '= any' } as const;
export type FilterOperator = keyof typeof FILTER_OPERATORS;

export interface FilterCondition {
  column: string;
  op: FilterOperator;
  values: string[];
}

export class FilterError extends Error {}

/** Splits on top-level commas (not inside parentheses or double quotes). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && quoted) {
      cur += ch + (s[++i] ?? '');
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (ch === ',' && depth === 0 && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

export function parseFilter(filter: string | undefined | null): FilterCondition[] {
  if (!filter || !filter.trim()) return [];
  return splitTopLevel(filter).map((part) => {
    const m = /^([^=]+)=([a-z]+)\.(.*)$/s.exec(part.trim());
    if (!m) throw new FilterError(`Error parsing \`filter\` params: ${JSON.stringify(part)}`);
    const [, column, op, raw] = m as unknown as [string, string, string, string];
    if (!(op in FILTER_OPERATORS)) throw new FilterError(`Error parsing \`filter\` params: ["${column}", "${op}"]`);
    if (op === 'in') {
      const list = /^\((.*)\)$/s.exec(raw);
      if (!list) throw new FilterError('Error parsing `filter` params: in requires a list like in.(a,b)');
      const values = list[1]!.trim() ? splitTopLevel(list[1]!).map((v) => unquote(v.trim())) : [];
      if (values.length > 100) throw new FilterError('Error parsing `filter` params: at most 100 values in in.()');
      return { column: column.trim(), op: 'in', values };
    }
    return { column: column.trim(), op: op as FilterOperator, values: [unquote(raw)] };
  });
}

/**
 * SQL that is true when the record in `$1` passes every condition. Column names must be real
 * columns of the table (`types`: column -> type name); values are quoted literals.
 */
export function filterSql(conditions: FilterCondition[], types: Map<string, string>): string | null {
  if (conditions.length === 0) return null;
  return conditions
    .map((c) => {
      const type = types.get(c.column);
      if (!type) throw new FilterError(`Unable to subscribe to changes with given parameters: column ${c.column} does not exist`);
      const value = `(${'$1'}->>${pg.escapeLiteral(c.column)})::${pg.escapeIdentifier(type)}`;
      if (c.op === 'in') {
        const arr = `array[${c.values.map((v) => `${pg.escapeLiteral(v)}::${pg.escapeIdentifier(type)}`).join(', ')}]::${pg.escapeIdentifier(type)}[]`;
        return c.values.length ? `(${value} = any(${arr}))` : 'false';
      }
      return `(${value} ${FILTER_OPERATORS[c.op]} ${pg.escapeLiteral(c.values[0]!)}::${pg.escapeIdentifier(type)})`;
    })
    .join(' and ');
}

/** A condition the server can decide without PostgreSQL: the column's text must be one of `values`. */
export interface Prefilter {
  column: string;
  values: ReadonlySet<string>;
}

const canonicalUuid = (v: string): string | null => {
  const hex = v.toLowerCase().replace(/[{}-]/g, '');
  return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : null;
};

/**
 * The `eq` and `in` conditions on uuid columns and on text columns of a deterministic collation,
 * as the text PostgreSQL's logical decoding gives for a matching row (a uuid's canonical form:
 * any other spelling of the value is the same uuid; a deterministic collation's equal strings are
 * the same bytes). A change whose record differs on one of them cannot pass the filter, so it is
 * never sent to PostgreSQL for the check: with thousands of subscribers filtered by organisation
 * or delivery scope, a change is checked for its own subscribers only. Anything else (other
 * operators and types, and a value that does not parse) is left to the SQL check, which still runs
 * for every change that passes here.
 */
export function prefilterOf(conditions: FilterCondition[], types: Map<string, string>, plainText: ReadonlySet<string> = new Set()): Prefilter[] {
  return conditions.flatMap((c) => {
    if (c.op !== 'eq' && c.op !== 'in') return [];
    const type = types.get(c.column);
    if (type === 'uuid') {
      const values = c.values.map(canonicalUuid);
      return values.every((v) => v !== null) ? [{ column: c.column, values: new Set(values as string[]) }] : [];
    }
    if (type === 'text' && plainText.has(c.column)) return [{ column: c.column, values: new Set(c.values) }];
    return [];
  });
}

export const passesPrefilter = (prefilter: Prefilter[], record: Record<string, string | null>): boolean =>
  prefilter.every((p) => {
    const v = record[p.column];
    return v !== null && v !== undefined && p.values.has(v);
  });
