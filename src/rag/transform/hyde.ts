/**
 * HyDE (Gao et al., "Precise Zero-Shot Dense Retrieval without Relevance Labels"): the model writes
 * a short hypothetical passage answering the question, and that passage — which looks like the
 * documents, unlike a question — is embedded and searched. The hypothetical text is never shown to
 * the user or used as evidence; only its embedding is. The query's own embedding is averaged in
 * (default) so a hallucinated detail cannot pull the search entirely off-topic. Without a model it
 * is plain vector search.
 */
import type { CallOptions, EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import { embedTexts, toUnitVector } from '../retrieval/embedding-utils.js';
import { validateRetrievalRequest } from '../retrieval/validate-request.js';
import type { Chunk, ChunkIndex, RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import { canGenerate } from './model-availability.js';
import type { RagUsageMeter } from './rag-usage.js';

export interface HypotheticalDocumentOptions {
  model: LanguageModel;
  query: string;
  maxTokens?: number;
  usage?: RagUsageMeter;
  callOptions?: CallOptions;
}

export async function generateHypotheticalDocument(options: HypotheticalDocumentOptions): Promise<string> {
  const result = await options.model.generate(
    {
      messages: [
        { role: 'system', content: 'Write a short passage (3-5 sentences) in the style of technical documentation that answers the question. Write only the passage.' },
        { role: 'user', content: options.query },
      ],
      temperature: 0.2,
      maxTokens: options.maxTokens ?? 200,
    },
    options.callOptions ?? {},
  );
  options.usage?.addModel(result.usage);
  return result.text.trim();
}

export interface HydeRetrieverOptions {
  index: ChunkIndex;
  embedder: EmbeddingModel;
  model: LanguageModel | undefined;
  /** Average the query's embedding with the passage's (default true). */
  includeQuery?: boolean;
  kinds?: readonly NonNullable<Chunk['kind']>[];
  usage?: RagUsageMeter;
  onHypothesis?: (text: string) => void;
  name?: string;
}

export function createHydeRetriever(options: HydeRetrieverOptions): Retriever {
  const name = options.name ?? 'hyde';
  const includeQuery = options.includeQuery ?? true;
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const callOptions: CallOptions = request.signal ? { signal: request.signal } : {};
      const hypothesis = canGenerate(options.model)
        ? await generateHypotheticalDocument({ model: options.model, query: request.query, callOptions, ...(options.usage ? { usage: options.usage } : {}) })
        : '';
      if (hypothesis !== '') options.onHypothesis?.(hypothesis);
      const texts = hypothesis === '' ? [request.query] : includeQuery ? [request.query, hypothesis] : [hypothesis];
      const vectors = await embedTexts(options.embedder, texts, callOptions);
      const embedding = average(vectors);
      const hits = await options.index.vectorSearch({
        embedding,
        topK: request.topK,
        ...(request.filter ? { filter: request.filter } : {}),
        ...(options.kinds ? { kinds: options.kinds } : {}),
      });
      return hits.map((hit) => ({ ...hit, via: name }));
    },
  };
}

function average(vectors: readonly Float32Array[]): Float32Array {
  const size = vectors[0]?.length ?? 0;
  const sum = new Array<number>(size).fill(0);
  for (const v of vectors) for (let i = 0; i < size; i++) sum[i] = (sum[i] ?? 0) + (v[i] ?? 0);
  return toUnitVector(sum);
}
