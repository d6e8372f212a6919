/**
 * Which providers the configuration makes usable, and what to tell a user whose model names a
 * provider that is not configured.
 */
import type { ConduitConfig } from '../../config/schema.js';

/** A provider counts as configured when it has what it needs to be called at all. */
export function isProviderConfigured(config: ConduitConfig, provider: string): boolean {
  const p = config.providers;
  switch (provider) {
    case 'openai':
      return Boolean(p.openai?.api_key ?? p.openai?.base_url);
    case 'anthropic':
      return Boolean(p.anthropic?.api_key ?? p.anthropic?.base_url);
    case 'ollama':
      return Boolean(p.ollama?.base_url);
    case 'llamacpp':
      return Boolean(config.llamacpp?.model_path ?? config.llamacpp?.model_dir);
    case 'offline':
      return true;
    default:
      return p.openai_compatible?.[provider] !== undefined;
  }
}

/** Configured providers in the order the default model is chosen from. */
export function configuredProviders(config: ConduitConfig): string[] {
  const builtins = ['openai', 'anthropic', 'ollama', 'llamacpp'].filter((p) => isProviderConfigured(config, p));
  return [...builtins, ...Object.keys(config.providers.openai_compatible ?? {})];
}

/** How to configure `provider`, phrased to follow "…is not configured: ". */
export function providerGuidance(provider: string): string {
  switch (provider) {
    case 'openai':
      return 'set OPENAI_API_KEY (or providers.openai.api_key in conduit.yaml; OPENAI_BASE_URL / providers.openai.base_url for an OpenAI-compatible server)';
    case 'anthropic':
      return 'set ANTHROPIC_API_KEY (or providers.anthropic.api_key in conduit.yaml)';
    case 'ollama':
      return 'set OLLAMA_BASE_URL, e.g. http://127.0.0.1:11434 (or providers.ollama.base_url in conduit.yaml)';
    case 'llamacpp':
      return 'set CONDUIT_MODEL_PATH to a .gguf file (or llamacpp.model_path / llamacpp.model_dir in conduit.yaml)';
    default:
      return `add it under providers.openai_compatible.${provider} with a base_url in conduit.yaml`;
  }
}

/** Ollama serves its OpenAI-compatible API under /v1; users usually give the server's root URL. */
export function ollamaOpenAIBaseURL(baseURL: string): string {
  const trimmed = baseURL.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}
