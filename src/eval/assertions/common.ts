/** Fields every assertion spec may carry. */
import { z } from 'zod';

export const baseSpecFields = {
  /** How reports name this assertion (default: a short description). */
  label: z.string().min(1).optional(),
};

/** One string, or several that must each hold. */
export const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export function toList(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}
