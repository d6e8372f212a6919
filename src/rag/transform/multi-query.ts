/**
 * Multi-query retrieval: the model writes N rephrasings of the question (different vocabulary,
 * different angle), every phrasing is retrieved, and the lists are fused with RRF — rank fusion suits
 * here because all lists come from the same retriever and their scores are equally calibrated. The
 * original question is always one of the phrasings, so a poor rephrasing can only add candidates.
 * Without a model it is the base retriever on the original question.
 */
import { z } from 'zod';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { reciprocalRankFusion } from '../retrieval/fusion.js';
import { validateRetrievalRequest } from '../retrieval/validate-request.js';
import type { RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import { canGenerate } from './model-availability.js';
import type { RagUsageMeter } from './rag-usage.js';

export const DEFAULT_QUERY_VARIANTS = 3;

const variantsSchema = z.object({ queries: z.array(z.string().min(1)) });

export interface QueryVariantsOptions {
  model: LanguageModel;
  query: string;
  /** Rephrasings wanted (default 3). */
  count?: number;
  usage?: RagUsageMeter;
  callOptions?: CallOptions;
}

/** The model's rephrasings, de-duplicated, without the original, at most `count`. */
export async function generateQueryVariants(options: QueryVariantsOptions): Promise<string[]> {
  const count = options.count ?? DEFAULT_QUERY_VARIANTS;
  const result = await generateObject({
    model: options.model,
    schema: variantsSchema,
    schemaName: 'query_variants',
    system: 'You rewrite search queries for a document search engine. Write alternative phrasings that use different words (synonyms, the technical terms an expert would use, the plain words a beginner would use) but ask for the same information.',
    prompt: `Write ${count} alternative phrasings of this search query.\n\nQuery: ${options.query}`,
    settings: { temperature: 0.7 },
    ...(options.callOptions ? { callOptions: options.callOptions } : {}),
  });
  options.usage?.addModel(result.usage);
  const seen = new Set([normaliseQuery(options.query)]);
  const out: string[] = [];
  for (const q of result.object.queries) {
    const key = normaliseQuery(q);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(q.trim());
    if (out.length >= count) break;
  }
  return out;
}

export interface MultiQueryRetrieverOptions {
  base: Retriever;
  model: LanguageModel | undefined;
  count?: number;
  usage?: RagUsageMeter;
  /** Called with the phrasings used (the original first), e.g. for tracing. */
  onQueries?: (queries: string[]) => void;
  name?: string;
}

export function createMultiQueryRetriever(options: MultiQueryRetrieverOptions): Retriever {
  const name = options.name ?? 'multi-query';
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const variants = canGenerate(options.model)
        ? await generateQueryVariants({
            model: options.model,
            query: request.query,
            ...(options.count !== undefined ? { count: options.count } : {}),
            ...(options.usage ? { usage: options.usage } : {}),
            ...(request.signal ? { callOptions: { signal: request.signal } } : {}),
          })
        : [];
      const queries = [request.query, ...variants];
      options.onQueries?.(queries);
      const lists = await Promise.all(queries.map(async (query, i) => ({ name: `q${i}`, hits: await options.base.retrieve({ ...request, query }) })));
      return reciprocalRankFusion(lists, { topK: request.topK, via: name });
    },
  };
}

function normaliseQuery(q: string): string {
  return q.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
