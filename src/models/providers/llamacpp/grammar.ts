/**
 * Structured output through llama.cpp grammars: `json_schema` compiles the schema with
 * node-llama-cpp's JSON-schema→GBNF converter, `json` uses llama.cpp's JSON grammar (an object at
 * the root, like OpenAI's json_object mode). The sampler can then only pick tokens that keep the
 * output valid, so the text parses — unless maxTokens cuts it first (then finishReason is 'length').
 *
 * node-llama-cpp's converter knows `oneOf` but not `anyOf`; for generation the two are the same
 * (the output has to match one branch), so `anyOf` is rewritten to `oneOf`. Keywords the converter
 * does not know are ignored by it; object properties are all emitted (it treats them as required).
 *
 * Its number rules allow exponents of up to 16 digits, and a schema `integer` may take one too: a
 * sampler that wanders (small or random models do) then writes `6E5757630016575501`, valid JSON
 * that parses to Infinity. The compiled grammar is patched so integers have no exponent and other
 * numbers at most two exponent digits (every value stays a finite double). If a future
 * node-llama-cpp renames these rules the patch simply does not apply.
 */
import type { Llama, LlamaGrammar } from 'node-llama-cpp';
import { ConduitError } from '../../../core/errors.js';
import type { JsonSchema, ResponseFormat } from '../../../core/messages.js';

function normaliseSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normaliseSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key === 'anyOf' && !('oneOf' in node) ? 'oneOf' : key] = normaliseSchema(value);
  }
  return out;
}

/** A small per-model cache: compiling a grammar costs more than a short generation. */
export class GrammarCache {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  constructor(private readonly maxEntries = 32) {}

  get(llama: Llama, format: ResponseFormat | undefined): Promise<LlamaGrammar> | undefined {
    if (format === undefined || format.type === 'text') return undefined;
    const key = format.type === 'json' ? 'json' : `schema:${JSON.stringify(format.schema)}`;
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = format.type === 'json' ? llama.getGrammarFor('json') : compileSchema(llama, format.schema);
      grammar.catch(() => this.grammars.delete(key));
      if (this.grammars.size >= this.maxEntries) this.grammars.delete(this.grammars.keys().next().value!);
      this.grammars.set(key, grammar);
    }
    return grammar;
  }
}

const EXPONENT = '([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?';

/** See the file comment: integers lose the exponent, fractional numbers keep at most two digits. */
export function boundNumberExponents(gbnf: string): string {
  return gbnf
    .split('\n')
    .map((line) => {
      if (line.startsWith('integer-number-rule ::=')) return line.replace(` ${EXPONENT}`, '');
      if (line.startsWith('fractional-number-rule ::=')) return line.replace(EXPONENT, '([eE] [-+]? [0-9]{1,2})?');
      return line;
    })
    .join('\n');
}

async function compileSchema(llama: Llama, schema: JsonSchema): Promise<LlamaGrammar> {
  try {
    // node-llama-cpp types the schema precisely (to infer the output type); ours is an open JSON
    // object checked by the converter at runtime, so the method is called through a looser type.
    const create = llama.createGrammarForJsonSchema.bind(llama) as (schema: unknown) => Promise<LlamaGrammar>;
    const compiled = await create(normaliseSchema(schema));
    const patched = boundNumberExponents(compiled.grammar);
    if (patched === compiled.grammar) return compiled;
    return await llama.createGrammar({
      grammar: patched,
      stopGenerationTriggers: compiled.stopGenerationTriggers,
      trimWhitespaceSuffix: compiled.trimWhitespaceSuffix,
    });
  } catch (err) {
    throw new ConduitError('invalid_request', `llamacpp: cannot turn the JSON schema into a grammar: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      param: 'response_format',
      provider: 'llamacpp',
    });
  }
}
