/**
 * Compiles a MetadataFilter (semantics in src/rag/types.ts and metadata-filter.ts) to a SQL
 * predicate over the jsonb `metadata` column, with every value passed as a parameter. jsonb
 * containment (`@>`) gives both scalar equality and membership in a stored array in one operator.
 */
import type { Chunk, MetadataFilter } from '../../types.js';
import { isInCondition, isRangeCondition, type FilterCondition } from '../metadata-filter.js';

/** Collects parameters; `add` returns the placeholder (`$n`). */
export class SqlParams {
  readonly values: unknown[];
  constructor(initial: readonly unknown[] = []) {
    this.values = [...initial];
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function filterSql(filter: MetadataFilter | undefined, params: SqlParams, column = 'metadata'): string {
  if (filter === undefined) return 'TRUE';
  const clauses: string[] = [];
  for (const [key, condition] of Object.entries(filter)) clauses.push(conditionSql(`${column} -> ${params.add(key)}`, condition, params));
  return clauses.length === 0 ? 'TRUE' : clauses.join(' AND ');
}

function conditionSql(value: string, c: FilterCondition, params: SqlParams): string {
  if (isInCondition(c)) {
    return `EXISTS (SELECT 1 FROM jsonb_array_elements(${params.add(JSON.stringify(c.in))}::jsonb) AS wanted(v) WHERE ${value} @> wanted.v)`;
  }
  if (isRangeCondition(c)) {
    const parts: string[] = [];
    for (const [bound, op] of [
      [c.gte, '>='],
      [c.lte, '<='],
    ] as const) {
      if (bound === undefined) continue;
      // Numbers compare with numbers and strings (ISO dates) byte-wise with strings, as in memory.
      if (typeof bound === 'number') parts.push(`(jsonb_typeof(${value}) = 'number' AND (${value})::numeric ${op} ${params.add(bound)}::numeric)`);
      else parts.push(`(jsonb_typeof(${value}) = 'string' AND (${value} #>> '{}') COLLATE "C" ${op} ${params.add(bound)}::text COLLATE "C")`);
    }
    return parts.length === 0 ? `(jsonb_typeof(${value}) IN ('number', 'string'))` : parts.join(' AND ');
  }
  if (c === null) return `(${value} IS NULL OR ${value} = 'null'::jsonb)`;
  if (Array.isArray(c)) return `(jsonb_typeof(${value}) = 'array' AND ${value} @> ${params.add(JSON.stringify(c))}::jsonb)`;
  return `(${value} @> ${params.add(JSON.stringify(c))}::jsonb)`;
}

/** Leaf chunks only unless kinds are named (NULL kind means 'chunk'). */
export function kindsSql(kinds: readonly NonNullable<Chunk['kind']>[] | undefined, params: SqlParams, column = 'kind'): string {
  const wanted = kinds === undefined || kinds.length === 0 ? ['chunk'] : [...kinds];
  return `coalesce(${column}, 'chunk') = ANY(${params.add(wanted)}::text[])`;
}
