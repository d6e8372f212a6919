/**
 * MetadataFilter semantics (see src/rag/types.ts), evaluated in memory. The PostgreSQL adapter
 * compiles the same semantics to SQL (postgres/filter-sql.ts); the conformance suite holds both to
 * the same answers.
 */
import type { Chunk, Metadata, MetadataFilter, MetadataValue } from '../types.js';
import { invalidIndexInput } from './errors.js';

type Scalar = string | number | boolean;
export type FilterCondition = MetadataFilter[string];

export function isInCondition(c: FilterCondition): c is { in: readonly Scalar[] } {
  return typeof c === 'object' && c !== null && !Array.isArray(c) && 'in' in c;
}

export function isRangeCondition(c: FilterCondition): c is { gte?: number | string; lte?: number | string } {
  return typeof c === 'object' && c !== null && !Array.isArray(c) && !('in' in c) && ('gte' in c || 'lte' in c);
}

/** Rejects malformed filters up front (a typo must not silently match nothing or everything). */
export function validateFilter(filter: MetadataFilter | undefined): void {
  if (filter === undefined) return;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw invalidIndexInput('filter must be an object', 'filter');
  for (const [key, c] of Object.entries(filter)) {
    if (key === '') throw invalidIndexInput('filter keys must not be empty', 'filter');
    if (c === null || typeof c === 'string' || typeof c === 'number' || typeof c === 'boolean') continue;
    if (Array.isArray(c)) {
      if (!c.every(isScalar)) throw invalidIndexInput(`filter '${key}': arrays may only hold strings, numbers and booleans`, 'filter');
      continue;
    }
    if (isInCondition(c)) {
      if (!Array.isArray(c.in) || !c.in.every(isScalar)) throw invalidIndexInput(`filter '${key}': 'in' must be an array of scalars`, 'filter');
      continue;
    }
    if (isRangeCondition(c)) {
      const extra = Object.keys(c).filter((k) => k !== 'gte' && k !== 'lte');
      if (extra.length > 0) throw invalidIndexInput(`filter '${key}': unknown operator '${extra[0]}'`, 'filter');
      for (const bound of [c.gte, c.lte]) {
        if (bound !== undefined && typeof bound !== 'number' && typeof bound !== 'string') {
          throw invalidIndexInput(`filter '${key}': range bounds must be numbers or ISO date strings`, 'filter');
        }
      }
      continue;
    }
    throw invalidIndexInput(`filter '${key}': expected a value, {in: [...]} or {gte, lte}`, 'filter');
  }
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** True when every key of the filter matches the metadata. */
export function matchesFilter(metadata: Metadata, filter: MetadataFilter | undefined): boolean {
  if (filter === undefined) return true;
  for (const key in filter) {
    const condition = filter[key] as FilterCondition;
    if (!matchesCondition(metadata[key], condition)) return false;
  }
  return true;
}

function matchesCondition(stored: MetadataValue | undefined, c: FilterCondition): boolean {
  if (isInCondition(c)) return c.in.some((v) => equalsOrContains(stored, v));
  if (isRangeCondition(c)) return inRange(stored, c.gte, c.lte);
  if (Array.isArray(c)) {
    // An array condition matches a stored array holding every one of its members (tags ⊇ wanted).
    if (!Array.isArray(stored)) return false;
    return c.every((v) => stored.includes(v));
  }
  if (c === null) return stored === null || stored === undefined;
  return equalsOrContains(stored, c as Scalar);
}

function equalsOrContains(stored: MetadataValue | undefined, v: Scalar): boolean {
  if (Array.isArray(stored)) return stored.includes(v);
  return stored === v;
}

/** Numbers compare with numbers, strings (ISO dates) with strings; mixed types never match. */
function inRange(stored: MetadataValue | undefined, gte: number | string | undefined, lte: number | string | undefined): boolean {
  if (typeof stored !== 'number' && typeof stored !== 'string') return false;
  if (gte !== undefined && (typeof gte !== typeof stored || stored < gte)) return false;
  if (lte !== undefined && (typeof lte !== typeof stored || stored > lte)) return false;
  return true;
}

/** Leaf chunks only unless the query names kinds (see VectorQuery.kinds). */
export function matchesKinds(kind: Chunk['kind'], kinds: readonly NonNullable<Chunk['kind']>[] | undefined): boolean {
  const k = kind ?? 'chunk';
  return kinds === undefined || kinds.length === 0 ? k === 'chunk' : kinds.includes(k);
}
