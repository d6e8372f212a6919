/**
 * Hierarchical retrieval (document summary → section → chunk), after the guides' HRAG: the query
 * first picks documents by their summaries (chunks of kind `summary`, written at ingestion, default
 * top 3), then sections (default top 5) within those documents, then leaf chunks. A section is a
 * parent chunk (kind `parent`, parent/child chunking: ranked by its own embedding) or, for the
 * other chunkers, a heading path (the chunks' `section` metadata: ranked by the similarity of the
 * query to the heading path, embedded at query time — one call for the candidates' few headings).
 * Leaf chunks come from `chunkRetriever` (default vector search; the pipeline passes its hybrid
 * retriever so keyword strength is kept), over-fetched; the upper levels then lift the chunks of
 * the chosen documents and sections by reciprocal-rank terms added to each chunk's own (weights
 * HIERARCHICAL_LEVEL_WEIGHTS) rather than filtering: a summary that routes badly costs a few places,
 * never the leaf retriever's strong matches.
 *
 * A corpus ingested without summaries degrades to the plain chunk retriever (`via` says `(flat)`).
 */
import type { CallOptions, EmbeddingModel } from '../../models/language-model.js';
import { dot, embedQuery, embedTexts } from '../retrieval/embedding-utils.js';
import { createVectorRetriever } from '../retrieval/vector-retriever.js';
import { validateRetrievalRequest } from '../retrieval/validate-request.js';
import type { Chunk, ChunkIndex, RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';

export const HIERARCHICAL_DEFAULTS = { documents: 3, sections: 5 } as const;
/**
 * Reciprocal-rank constant of every level (as in hybrid fusion). Measured on bench/rag's Node.js set
 * (recall@5 / MRR / nDCG@10): strict filtering by document then section 0.612 / 0.513 / 0.528; these
 * soft weights 0.796 / 0.633 / 0.671; a sharper section level (k = 5) 0.735 / 0.570 / 0.600 — the
 * embedded model ranks technical headings poorly, so the levels only nudge.
 */
const LEVEL_RRF_K = 60;
/** How much a chosen document and a chosen section lift their chunks, relative to the chunk ranking (weight 1). */
export const HIERARCHICAL_LEVEL_WEIGHTS = { document: 0.15, section: 0.1 } as const;
/** Heading paths embedded per query: those of the best-ranked candidates (each costs an embedding). */
const MAX_HEADING_SECTIONS = 16;

/** A chunk's section: its parent chunk's id, or its document and heading path; none without either. */
export function sectionIdOf(chunk: Chunk): string | undefined {
  if (chunk.parentId !== undefined) return chunk.parentId;
  const section = chunk.metadata.section;
  return typeof section === 'string' && section !== '' ? `${chunk.documentId}#section:${section}` : undefined;
}

export interface HierarchyLevels {
  documents: string[];
  sections: string[];
}

export interface HierarchicalRetrieverOptions {
  index: ChunkIndex;
  embedder: EmbeddingModel;
  /** Documents kept at the summary level (default 3). */
  documents?: number;
  /** Sections kept at the section level (default 5). */
  sections?: number;
  /** Leaf-level retriever (default vector search on the same index). */
  chunkRetriever?: Retriever;
  /** Candidates fetched at the chunk level before filtering (default max(10 × topK, 50)). */
  fetchK?: (topK: number) => number;
  /** Lift of a chosen document / section relative to the chunk ranking (default 0.15 / 0.1). */
  levelWeights?: { document?: number; section?: number };
  onLevels?: (levels: HierarchyLevels) => void;
  name?: string;
}

export function createHierarchicalRetriever(options: HierarchicalRetrieverOptions): Retriever {
  const name = options.name ?? 'hierarchical';
  const documentCount = options.documents ?? HIERARCHICAL_DEFAULTS.documents;
  const sectionCount = options.sections ?? HIERARCHICAL_DEFAULTS.sections;
  const chunkRetriever = options.chunkRetriever ?? createVectorRetriever({ index: options.index, embedder: options.embedder });
  const documentWeight = options.levelWeights?.document ?? HIERARCHICAL_LEVEL_WEIGHTS.document;
  const sectionWeight = options.levelWeights?.section ?? HIERARCHICAL_LEVEL_WEIGHTS.section;
  const fetchK = options.fetchK ?? ((topK: number) => Math.max(10 * topK, 50));
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const embedding = await embedQuery(options.embedder, request.query, request.signal ? { signal: request.signal } : {});
      const filter = request.filter ? { filter: request.filter } : {};
      // Documents by their summaries' embeddings: the summary stands for the document's overall topic.
      const summaries = await options.index.vectorSearch({ embedding, topK: documentCount, kinds: ['summary'], ...filter });
      const window = Math.max(request.topK, fetchK(request.topK));
      if (summaries.length === 0) {
        options.onLevels?.({ documents: [], sections: [] });
        const flat = await chunkRetriever.retrieve({ ...request });
        return flat.map((hit) => ({ ...hit, via: `${name}(flat)` }));
      }
      const documents = unique(summaries.map((s) => s.chunk.documentId));
      const chosenDocuments = new Set(documents);
      const [sectionHits, chunkHits] = await Promise.all([
        options.index.vectorSearch({ embedding, topK: Math.max(sectionCount * documentCount * 4, 50), kinds: ['parent'], ...filter }),
        chunkRetriever.retrieve({ ...request, topK: window }),
      ]);
      const parentSections = sectionHits.filter((s) => chosenDocuments.has(s.chunk.documentId)).map((s) => s.chunk.id);
      const ranked =
        parentSections.length > 0
          ? parentSections
          : await headingSections(chunkHits, chosenDocuments, embedding, options.embedder, request.signal ? { signal: request.signal } : {});
      const sections = ranked.slice(0, sectionCount);
      const sectionRank = new Map(sections.map((id, rank) => [id, rank]));
      options.onLevels?.({ documents, sections });
      const documentRank = new Map(documents.map((id, rank) => [id, rank]));
      // The levels boost the leaf ranking instead of filtering it (reciprocal-rank terms added to
      // each chunk's own): a summary or heading that routes badly costs a few places, never the
      // leaf retriever's strong matches — summaries of long technical documents are often vague.
      const score = (hit: RetrievedChunk, position: number): number => {
        let value = 1 / (LEVEL_RRF_K + position + 1);
        const docRank = documentRank.get(hit.chunk.documentId);
        if (docRank !== undefined) value += documentWeight / (LEVEL_RRF_K + docRank + 1);
        const section = sectionIdOf(hit.chunk);
        const secRank = section === undefined ? undefined : sectionRank.get(section);
        if (secRank !== undefined && docRank !== undefined) value += sectionWeight / (LEVEL_RRF_K + secRank + 1);
        return value;
      };
      return chunkHits
        .map((hit, position) => ({ hit, position, score: score(hit, position) }))
        .sort((a, b) => b.score - a.score || a.position - b.position)
        .slice(0, request.topK)
        .map(({ hit }) => ({ ...hit, via: name }));
    },
  };
}

/** Heading sections of the chosen documents' candidates, most similar heading path to the query first. */
async function headingSections(
  hits: readonly RetrievedChunk[],
  documents: ReadonlySet<string>,
  query: Float32Array,
  embedder: EmbeddingModel,
  callOptions: CallOptions,
): Promise<string[]> {
  const paths = new Map<string, string>();
  for (const { chunk } of hits) {
    const section = sectionIdOf(chunk);
    if (paths.size >= MAX_HEADING_SECTIONS) break;
    if (section === undefined || paths.has(section) || !documents.has(chunk.documentId)) continue;
    const title = typeof chunk.metadata.title === 'string' ? chunk.metadata.title : '';
    const path = typeof chunk.metadata.section === 'string' ? chunk.metadata.section : '';
    paths.set(section, path.startsWith(title) ? path : `${title} > ${path}`);
  }
  if (paths.size === 0) return [];
  const vectors = await embedTexts(embedder, [...paths.values()], callOptions);
  return [...paths.keys()]
    .map((id, i) => ({ id, score: vectors[i] ? dot(query, vectors[i]) : -Infinity }))
    .sort((a, b) => b.score - a.score)
    .map((s) => s.id);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
