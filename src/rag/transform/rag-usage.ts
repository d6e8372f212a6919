/**
 * Token usage of one RAG query across every call it makes (query transformations, judges, graders,
 * the answer itself), so the RagAnswer reports the query's real cost, not just the last call's.
 */
import type { Usage } from '../../core/usage.js';
import type { EmbeddingModel } from '../../models/language-model.js';
import type { RagAnswer } from '../types.js';

export type RagUsage = RagAnswer['usage'];

export class RagUsageMeter {
  private inputTokens = 0;
  private outputTokens = 0;
  private embeddingTokens = 0;

  addModel(usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): void {
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
  }

  addEmbedding(tokens: number): void {
    this.embeddingTokens += tokens;
  }

  /** Folds in an answer's (or another meter's) usage. */
  add(usage: RagUsage): void {
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.embeddingTokens += usage.embeddingTokens ?? 0;
  }

  snapshot(): RagUsage {
    return { inputTokens: this.inputTokens, outputTokens: this.outputTokens, embeddingTokens: this.embeddingTokens };
  }

  /** The same embedder, with its token usage counted here. */
  countEmbeddings(embedder: EmbeddingModel): EmbeddingModel {
    return {
      provider: embedder.provider,
      modelId: embedder.modelId,
      dimensions: embedder.dimensions,
      embed: async (inputs, options) => {
        const result = await embedder.embed(inputs, options);
        this.addEmbedding(result.usage.inputTokens);
        return result;
      },
    };
  }
}
