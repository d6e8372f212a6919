/**
 * A retriever-independent relevance measure in [0, 1] for query/passage pairs. Retrieval scores are
 * not comparable across retrievers (cosine, BM25, fusion scores), so the relevance floor and the
 * extractive answerer use this instead: the IDF-weighted share of the query's content terms the
 * passage contains, and, when an embedder is given, the cosine similarity of the two embeddings —
 * the larger of the two, so a paraphrase (no shared words) can still pass on meaning.
 */
import type { CallOptions, EmbeddingModel } from '../../models/language-model.js';
import { dot, embedTexts } from './embedding-utils.js';
import { contentTerms } from './query-terms.js';

export interface RelevanceScores {
  scores: number[];
  lexical: number[];
  semantic: number[] | undefined;
  embeddingTokens: number;
}

export async function scorePassages(
  query: string,
  passages: readonly string[],
  embedder?: EmbeddingModel,
  options: CallOptions = {},
): Promise<RelevanceScores> {
  const lexical = lexicalRelevance(query, passages);
  if (!embedder || passages.length === 0) return { scores: lexical, lexical, semantic: undefined, embeddingTokens: 0 };
  let tokens = 0;
  const counting: EmbeddingModel = {
    provider: embedder.provider,
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    embed: async (inputs, o) => {
      const result = await embedder.embed(inputs, o);
      tokens += result.usage.inputTokens;
      return result;
    },
  };
  const [queryVector, ...vectors] = await embedTexts(counting, [query, ...passages], options);
  const semantic = vectors.map((v) => (queryVector ? Math.max(0, dot(queryVector, v)) : 0));
  return { scores: lexical.map((l, i) => Math.max(l, semantic[i] ?? 0)), lexical, semantic, embeddingTokens: tokens };
}

/**
 * IDF-weighted coverage: terms rare among the passages (an identifier) count more than terms every
 * passage has. IDF is computed over the passages being scored, the only corpus at hand.
 */
export function lexicalRelevance(query: string, passages: readonly string[]): number[] {
  const queryTerms = contentTerms(query);
  if (queryTerms.length === 0) return passages.map(() => 0);
  const passageTerms = passages.map((p) => new Set(contentTerms(p)));
  const idf = new Map(
    queryTerms.map((t) => {
      const df = passageTerms.filter((terms) => terms.has(t)).length;
      return [t, Math.log(1 + (passages.length + 1) / (df + 0.5))];
    }),
  );
  const total = queryTerms.reduce((sum, t) => sum + (idf.get(t) ?? 0), 0);
  return passageTerms.map((terms) => queryTerms.reduce((sum, t) => sum + (terms.has(t) ? (idf.get(t) ?? 0) : 0), 0) / total);
}
