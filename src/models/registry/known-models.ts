/**
 * Models listed for a configured provider that cannot be asked (or is not worth asking on every
 * `GET /v1/models`): the current chat models of OpenAI and Anthropic, all priced in
 * src/models/pricing/default-prices.ts. Any other model id still resolves; this is only the menu.
 */
export const KNOWN_CHAT_MODELS: Readonly<Record<'openai' | 'anthropic', readonly string[]>> = {
  openai: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'o3', 'o3-mini', 'o4-mini'],
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5', 'claude-opus-4-1', 'claude-sonnet-4', 'claude-3-5-haiku'],
};

export const KNOWN_EMBEDDING_MODELS: Readonly<Record<'openai', readonly string[]>> = {
  openai: ['text-embedding-3-small', 'text-embedding-3-large'],
};

/** The model a provider's default is, when it is the first configured one. */
export const PROVIDER_DEFAULT_MODELS: Readonly<Record<'openai' | 'anthropic' | 'ollama', string>> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-sonnet-4-5',
  ollama: 'llama3.2',
};
