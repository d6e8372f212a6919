/** RAG chunkers: fixed token windows, structure-aware recursive, semantic, parent/child. */
export { DEFAULT_CHUNK_TOKENS, DEFAULT_CHUNK_OVERLAP, defaultChunkTokenizer, invalidChunking, type Chunker } from './chunker.js';
export { createTokenWindowChunker, type TokenWindowChunkerOptions } from './token-window-chunker.js';
export { createRecursiveChunker, type RecursiveChunkerOptions } from './recursive-chunker.js';
export { createSemanticChunker, DEFAULT_SEMANTIC_THRESHOLD, type SemanticChunkerOptions } from './semantic-chunker.js';
export { createParentChildChunker, DEFAULT_PARENT_TOKENS, DEFAULT_CHILD_TOKENS, type ParentChildChunkerOptions } from './parent-child-chunker.js';
export { markdownSections, type Section } from './markdown-sections.js';
export { createChunker, CHUNKING_STRATEGIES, type ChunkingStrategy, type ChunkerConfig } from './create-chunker.js';
