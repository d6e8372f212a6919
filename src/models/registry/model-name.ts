/**
 * How a model name (other than a config alias) maps to a provider:
 *   `provider/model`   → that provider (split at the first slash, so `together/meta-llama/Llama-3-8b`
 *                        keeps its slash in the model id)
 *   `llamacpp`         → the configured GGUF file; `llamacpp/<file>` a file in the model folder
 *   `offline`          → the offline provider
 *   bare names         → by well-known prefix: `gpt-*`, `o1*`, `o3*`, `o4*`, `chatgpt-*` → openai;
 *                        `claude-*` → anthropic; `text-embedding-*` → openai (embeddings)
 */

export const BUILTIN_PROVIDER_NAMES = ['openai', 'anthropic', 'ollama', 'llamacpp', 'offline'] as const;
export type BuiltinProvider = (typeof BUILTIN_PROVIDER_NAMES)[number];

export type ParsedModelName =
  /** An explicit `provider/model` (or `llamacpp`, `offline`). `provider` may be an openai_compatible entry's name. */
  | { form: 'qualified'; provider: string; model: string }
  /** A bare name whose provider was inferred from its prefix. */
  | { form: 'bare'; provider: BuiltinProvider; model: string }
  /** Neither: unknown to the registry. */
  | { form: 'unknown'; model: string };

const BARE_PREFIXES: readonly { test: RegExp; provider: BuiltinProvider }[] = [
  { test: /^(gpt-|chatgpt-|o1|o3|o4|text-embedding-)/i, provider: 'openai' },
  { test: /^claude-/i, provider: 'anthropic' },
];

export function inferProviderFromBareName(name: string): BuiltinProvider | undefined {
  return BARE_PREFIXES.find((p) => p.test.test(name))?.provider;
}

export function parseModelName(name: string): ParsedModelName {
  if (name === 'offline' || name === 'llamacpp') return { form: 'qualified', provider: name, model: '' };
  const slash = name.indexOf('/');
  if (slash > 0) return { form: 'qualified', provider: name.slice(0, slash), model: name.slice(slash + 1) };
  const provider = inferProviderFromBareName(name);
  return provider ? { form: 'bare', provider, model: name } : { form: 'unknown', model: name };
}
