import { createMemoryCollectionStore } from '../../../src/rag/index/index.js';
import { describeChunkIndexConformance } from './chunk-index-conformance.js';

describeChunkIndexConformance('memory', async () => ({ store: createMemoryCollectionStore(), dispose: async () => undefined }));
