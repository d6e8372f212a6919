/**
 * Collection names appear in file paths (embedded) and in SQL index names and predicates
 * (PostgreSQL), so they are restricted to a safe alphabet instead of being escaped everywhere.
 */
import { invalidIndexInput } from './errors.js';

const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function assertCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw invalidIndexInput(
      `Invalid collection name ${JSON.stringify(name)}: use 1-63 letters, digits, '_' or '-', starting with a letter or digit`,
      'collection',
      'invalid_collection_name',
    );
  }
}

export function assertDimensions(dimensions: unknown): asserts dimensions is number | undefined {
  if (dimensions === undefined) return;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16_000) {
    throw invalidIndexInput(`Invalid dimensions ${String(dimensions)}: expected an integer from 1 to 16000`, 'dimensions');
  }
}
