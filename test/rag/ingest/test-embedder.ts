/**
 * A deterministic embedding model for fast tests: a bag of hashed words (feature hashing), so texts
 * sharing words are similar and identical texts are identical. Records every call.
 */
import { createHash } from 'node:crypto';
import type { EmbeddingModel, EmbeddingResult } from '../../../src/models/language-model.js';

export interface RecordingEmbedder extends EmbeddingModel {
  /** The inputs of each call, in order. */
  readonly calls: string[][];
  /** Every input embedded so far, in order. */
  readonly embedded: string[];
}

export function createHashingEmbedder(dimensions = 64): RecordingEmbedder {
  const calls: string[][] = [];
  const embedded: string[] = [];
  return {
    provider: 'test',
    modelId: 'hashing',
    dimensions,
    calls,
    embedded,
    async embed(inputs: string[]): Promise<EmbeddingResult> {
      calls.push([...inputs]);
      embedded.push(...inputs);
      const embeddings = inputs.map((input) => {
        // Deliberately not unit length: the pipeline must normalise.
        const v = new Array<number>(dimensions).fill(0);
        for (const word of input.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          const h = createHash('sha256').update(word).digest();
          const slot = h.readUInt32BE(0) % dimensions;
          v[slot] = (v[slot] ?? 0) + 1 + (h[4] ?? 0) / 255;
        }
        return v;
      });
      return { embeddings, usage: { inputTokens: inputs.join(' ').split(/\s+/).length }, model: 'hashing', provider: 'test' };
    },
  };
}

/** Embeds by topic keyword: sentences about the same topic get the same direction, others orthogonal ones. */
export function createTopicEmbedder(topics: readonly string[]): RecordingEmbedder {
  const base = createHashingEmbedder(topics.length + 1);
  return {
    ...base,
    modelId: 'topics',
    async embed(inputs: string[]): Promise<EmbeddingResult> {
      base.calls.push([...inputs]);
      base.embedded.push(...inputs);
      const embeddings = inputs.map((input) => {
        const v = new Array<number>(topics.length + 1).fill(0);
        const i = topics.findIndex((t) => input.toLowerCase().includes(t));
        v[i < 0 ? topics.length : i] = 1;
        return v;
      });
      return { embeddings, usage: { inputTokens: 0 }, model: 'topics', provider: 'test' };
    },
  };
}
