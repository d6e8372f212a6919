/**
 * Semantic splitting: sentences are embedded, and a chunk ends where the cosine similarity of two
 * adjacent sentences falls below `threshold` (default 0.8): a change of topic. A chunk also ends
 * before it would exceed `maxTokens`, and a sentence longer than that is split by words.
 */
import { cosineSimilarity } from '../../models/embeddings/index.js';
import type { CallOptions, EmbeddingModel } from '../../models/language-model.js';
import type { Tokenizer } from '../../models/tokenizer/index.js';
import { ConduitError } from '../../core/errors.js';
import type { Chunk, RagDocument } from '../types.js';
import { buildChunk, chunkBaseMetadata } from './chunk-builder.js';
import { DEFAULT_CHUNK_TOKENS, defaultChunkTokenizer, positiveInteger, invalidChunking, type Chunker } from './chunker.js';
import { headingsAt } from './markdown-sections.js';
import { fitSpan, splitSpan, trimSpan, type Span } from './text-spans.js';

export const DEFAULT_SEMANTIC_THRESHOLD = 0.8;

export interface SemanticChunkerOptions {
  embedder: EmbeddingModel;
  /** Adjacent sentences less similar than this start a new chunk (default 0.8). */
  threshold?: number;
  /** Most tokens per chunk (default 512). */
  maxTokens?: number;
  tokenizer?: Tokenizer;
  /** Sentences per embedding call (default 64). */
  batchSize?: number;
  callOptions?: CallOptions;
}

export function createSemanticChunker(options: SemanticChunkerOptions): Chunker {
  const threshold = options.threshold ?? DEFAULT_SEMANTIC_THRESHOLD;
  if (!(threshold >= -1 && threshold <= 1)) throw invalidChunking(`threshold must be within [-1, 1] (got ${threshold})`, 'threshold');
  const maxTokens = positiveInteger(options.maxTokens ?? DEFAULT_CHUNK_TOKENS, 'maxTokens');
  const batchSize = positiveInteger(options.batchSize ?? 64, 'batchSize');
  const tokenizer = options.tokenizer ?? defaultChunkTokenizer();

  return {
    name: 'semantic',
    async chunk(document: RagDocument): Promise<Chunk[]> {
      const text = document.text;
      const sentences = splitSpan(text, { start: 0, end: text.length }, 'sentence')
        .flatMap((s) => fitSpan(text, s, maxTokens, tokenizer, 3))
        .filter((s) => {
          const t = trimSpan(text, s);
          return t.end > t.start;
        });
      const vectors = await embedAll(sentences.map((s) => text.slice(s.start, s.end).trim()));
      const groups: Span[] = [];
      let current: Span | undefined;
      let currentTokens = 0;
      sentences.forEach((sentence, i) => {
        const tokens = tokenizer.count(text.slice(sentence.start, sentence.end));
        const previous = vectors[i - 1];
        const vector = vectors[i];
        const similar = previous !== undefined && vector !== undefined && cosineSimilarity(previous, vector) >= threshold;
        if (current && similar && currentTokens + tokens <= maxTokens) {
          current.end = sentence.end;
          currentTokens += tokens;
          return;
        }
        if (current) groups.push(current);
        current = { ...sentence };
        currentTokens = tokens;
      });
      if (current) groups.push(current);
      const base = chunkBaseMetadata(document, 'semantic');
      const sectionAt = headingsAt(document);
      const chunks: Chunk[] = [];
      for (const group of groups) {
        const chunk = buildChunk(document, base, chunks.length, group, { headings: sectionAt(group.start) });
        if (chunk) chunks.push(chunk);
      }
      return chunks;
    },
  };

  async function embedAll(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      const batch = texts.slice(i, i + batchSize);
      const result = await options.embedder.embed(batch, options.callOptions);
      if (result.embeddings.length !== batch.length) {
        throw new ConduitError('provider_error', `The embedding model returned ${result.embeddings.length} vectors for ${batch.length} sentences`, {
          provider: options.embedder.provider,
          model: options.embedder.modelId,
        });
      }
      out.push(...result.embeddings);
    }
    return out;
  }
}
