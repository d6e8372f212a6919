import { createHash } from 'node:crypto';

/** sha256 of a chunk's text, hex: the key under which an embedding is reused instead of recomputed. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
