/** RAG loaders: files, directories, strings and uploads → RagDocument[] (text, Markdown, HTML, PDF, JSON/JSONL, CSV). */
export { loadSource, loadPath, loadFile, loadDirectory, loadString, loadBuffer, type LoadSource } from './load-source.js';
export type { LoadOptions, DirectoryLoadOptions, BufferLoadOptions, JsonLoadOptions, CsvLoadOptions } from './load-options.js';
export {
  DOCUMENT_TYPES,
  SUPPORTED_EXTENSIONS,
  isDocumentType,
  documentTypeOfPath,
  documentTypeOfMime,
  resolveDocumentType,
  type DocumentType,
} from './document-type.js';
export { extractMainContent } from './html-loader.js';
