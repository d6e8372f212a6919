/** A resolver over the fake OpenAI upstream (with one alias), and a helper to parse suites in tests. */
import { ConduitError } from '../../../src/core/errors.js';
import type { EmbeddingModel, LanguageModel, ModelResolver } from '../../../src/models/language-model.js';
import { createOpenAIModel } from '../../../src/models/providers/openai/index.js';
import { parseSuite, type LoadedSuite } from '../../../src/eval/suite/load-suite.js';
import { stringify } from 'yaml';

export function fakeResolver(baseURL: string, options: { aliases?: Record<string, string>; embeddings?: EmbeddingModel; wrap?: (m: LanguageModel) => LanguageModel } = {}): ModelResolver {
  const aliases = options.aliases ?? { fast: 'gpt-4o-mini' };
  const known = new Set(['gpt-4o-mini', 'gpt-4o']);
  return {
    resolve(name) {
      const id = aliases[name] ?? name;
      if (!known.has(id)) throw new ConduitError('not_found', `Unknown model "${name}"`);
      const model = createOpenAIModel({ modelId: id, apiKey: 'sk-test', baseURL });
      return options.wrap === undefined ? model : options.wrap(model);
    },
    resolveEmbedding() {
      if (options.embeddings === undefined) throw new ConduitError('not_found', 'no embeddings in this test');
      return options.embeddings;
    },
    list: () => [],
    defaultModelName: () => 'gpt-4o-mini',
  };
}

export function suiteOf(data: Record<string, unknown>): LoadedSuite {
  return parseSuite(stringify(data), 'test-suite.yaml');
}

/** The text of the last user message of a recorded chat request. */
export function lastUserText(body: unknown): string {
  const messages = (body as { messages?: { role: string; content: unknown }[] }).messages ?? [];
  const user = messages.filter((m) => m.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}
