/**
 * `generateObject`: structured output that succeeds or says precisely why not. The strategy is
 * chosen per provider (see strategy.ts), the answer is parsed tolerantly and validated, and a
 * failure goes back to the model with its errors, up to `maxAttempts` in all.
 */
import type { ObjectOf, SchemaInput } from './output-schema.js';
import { StructuredRun, type StructuredOutputOptions, type StructuredResult } from './structured-run.js';

export type GenerateObjectOptions<S extends SchemaInput> = StructuredOutputOptions<S>;
export type GenerateObjectResult<T> = StructuredResult<T>;

/** Throws StructuredOutputError when no attempt validates; provider errors propagate unchanged. */
export async function generateObject<S extends SchemaInput>(options: GenerateObjectOptions<S>): Promise<GenerateObjectResult<ObjectOf<S>>> {
  const run = new StructuredRun(options);
  while (run.attemptsLeft) {
    const answer = await run.model.generate(run.nextRequest(), run.callOptions);
    const outcome = run.judge(answer);
    if (outcome.done) return outcome.result;
  }
  throw await run.failure();
}
