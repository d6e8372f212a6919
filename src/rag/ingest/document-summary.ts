/**
 * Document summaries for hierarchical retrieval's first level: one chunk of kind `summary` per
 * document (id `${documentId}#summary`), embedded and stored beside the document's chunks, so a
 * query can pick documents by what they are about as a whole before their sections and chunks.
 *
 * - With a model that can generate (not the offline provider): a short model-written summary of
 *   the document (`metadata.summary = 'model'`, `summaryModel` names it).
 * - Without one, or when the model call fails: an extractive summary — the title, then each
 *   section's heading path with its first sentence (from the chunks' heading metadata) —
 *   capped in tokens (`metadata.summary = 'extractive'`).
 *
 * A summary records what it summarised (`summarizedHash`: a hash of the document's chunk hashes),
 * so re-ingesting an unchanged document reuses the stored summary instead of calling the model
 * again, and an unchanged summary text is never re-embedded.
 */
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import type { Tokenizer } from '../../models/tokenizer/index.js';
import { splitSentences } from '../answer/sentences.js';
import { chunkBaseMetadata } from '../chunkers/chunk-builder.js';
import { defaultChunkTokenizer } from '../chunkers/chunker.js';
import { canGenerate } from '../transform/model-availability.js';
import type { Chunk, Metadata, RagDocument } from '../types.js';
import { contentHash } from './content-hash.js';

export const DEFAULT_SUMMARY_TOKENS = 256;
/** Characters of the document shown to the model: enough for its outline and opening, bounded in cost. */
const MODEL_INPUT_CHARS = 12_000;
/** Leading sentences taken when a document has no headings (one "section"). */
const SENTENCES_WITHOUT_HEADINGS = 4;

export interface SummaryOptions {
  /** Writes the summary when it can generate; absent or offline → extractive. */
  model?: LanguageModel;
  /** Cap on the summary's length in tokens (default 256). */
  maxTokens?: number;
  tokenizer?: Tokenizer;
}

export type SummaryMethod = 'model' | 'extractive';

export function summaryChunkId(documentId: string): string {
  return `${documentId}#summary`;
}

/** What a summary is computed from: the document's chunk texts and how it is summarised. */
export function summarySource(chunks: readonly Chunk[], chunkHashes: readonly string[], options: SummaryOptions): { summarizedHash: string; summarizer: string } {
  const summarizer = canGenerate(options.model) ? `model:${options.model.provider}/${options.model.modelId}` : 'extractive';
  const ids = chunks.map((c, k) => `${c.id}=${chunkHashes[k] ?? ''}`);
  return { summarizedHash: contentHash(`${options.maxTokens ?? DEFAULT_SUMMARY_TOKENS}\n${ids.join('\n')}`), summarizer };
}

/**
 * The summary chunk of `document`. `reuse` is the stored summary when it summarised the same
 * chunks with the same summarizer: its text is kept (no model call), its metadata refreshed.
 */
export async function summarizeDocument(
  document: RagDocument,
  chunks: readonly Chunk[],
  chunkHashes: readonly string[],
  options: SummaryOptions & { reuse?: Chunk | undefined; signal?: AbortSignal },
): Promise<Chunk> {
  const maxTokens = options.maxTokens ?? DEFAULT_SUMMARY_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 16) {
    throw new ConduitError('invalid_request', `summary maxTokens must be an integer of at least 16 (got ${maxTokens})`, { code: 'invalid_summary_tokens', param: 'summaries.maxTokens' });
  }
  const tokenizer = options.tokenizer ?? defaultChunkTokenizer();
  const { summarizedHash, summarizer } = summarySource(chunks, chunkHashes, options);
  const base = chunkBaseMetadata(document, 'summary');
  const build = (text: string, method: SummaryMethod, extra: Metadata = {}): Chunk => ({
    id: summaryChunkId(document.id),
    documentId: document.id,
    // After the document's own chunks: indexes are non-negative positions, and the summary comes last.
    index: chunks.length,
    text,
    kind: 'summary',
    metadata: { ...base, summary: method, summarizer, summarizedHash, ...extra },
  });
  const reuse = options.reuse;
  if (reuse && reuse.metadata.summarizedHash === summarizedHash && reuse.metadata.summarizer === summarizer && typeof reuse.metadata.summary === 'string') {
    const method: SummaryMethod = reuse.metadata.summary === 'model' ? 'model' : 'extractive';
    const extra: Metadata = typeof reuse.metadata.summaryModel === 'string' ? { summaryModel: reuse.metadata.summaryModel } : {};
    return build(reuse.text, method, extra);
  }
  const extractive = extractiveSummary(document, chunks, maxTokens, tokenizer);
  if (!canGenerate(options.model)) return build(extractive, 'extractive');
  try {
    const text = await modelSummary(options.model, document, extractive, maxTokens, options.signal ? { signal: options.signal } : {});
    if (text !== '') return build(capTokens(text, maxTokens, tokenizer), 'model', { summaryModel: `${options.model.provider}/${options.model.modelId}` });
  } catch (err) {
    // Cancellation stops ingestion; any other model failure must not lose the document: the
    // extractive summary stands in, marked as such, and the next ingestion tries the model again.
    if (options.signal?.aborted) throw err;
  }
  // `summarizer` still names the model, so the next run sees a different source and retries it.
  return build(extractive, 'extractive', { summarizer: `${summarizer}:fallback` });
}

/** Title, then each section's heading path and first sentence, in document order, within `maxTokens`. */
export function extractiveSummary(document: RagDocument, chunks: readonly Chunk[], maxTokens: number, tokenizer: Tokenizer = defaultChunkTokenizer()): string {
  const lines: string[] = [];
  const title = typeof document.metadata.title === 'string' ? document.metadata.title.trim() : '';
  if (title !== '') lines.push(title);
  const leaves = chunks.filter((c) => c.kind === undefined || c.kind === 'chunk').sort((a, b) => a.index - b.index);
  const sections = new Map<string, Chunk[]>();
  for (const chunk of leaves) {
    const section = typeof chunk.metadata.section === 'string' ? chunk.metadata.section : '';
    const list = sections.get(section) ?? [];
    list.push(chunk);
    sections.set(section, list);
  }
  const headed = [...sections.keys()].some((s) => s !== '');
  for (const [section, sectionChunks] of sections) {
    const sentences = sectionChunks.flatMap((c) => splitSentences(c.text)).filter((s) => !isHeadingLine(s, section));
    const lead = sentences.slice(0, headed ? 1 : SENTENCES_WITHOUT_HEADINGS).join(' ');
    const heading = section === title ? '' : section;
    const line = [heading, lead].filter((part) => part !== '').join(': ');
    if (line !== '') lines.push(line);
  }
  if (lines.length === 0) lines.push(document.text.trim().slice(0, 500));
  return capTokens(lines.join('\n'), maxTokens, tokenizer);
}

async function modelSummary(model: LanguageModel, document: RagDocument, outline: string, maxTokens: number, callOptions: CallOptions): Promise<string> {
  const title = typeof document.metadata.title === 'string' ? `Title: ${document.metadata.title}\n\n` : '';
  const result = await model.generate(
    {
      messages: [
        {
          role: 'system',
          content:
            'Summarise the document in 2-4 sentences for a search index: say what it is about as a whole, the main topics it covers and its key terms. Write only the summary.',
        },
        { role: 'user', content: `${title}Outline:\n${outline}\n\nDocument:\n${document.text.slice(0, MODEL_INPUT_CHARS)}` },
      ],
      temperature: 0,
      maxTokens,
    },
    callOptions,
  );
  return result.text.trim();
}

/** A section's text usually starts with its own heading: it is in the heading path already. */
function isHeadingLine(sentence: string, section: string): boolean {
  const last = section.split(' > ').pop() ?? '';
  return last !== '' && sentence.replace(/[#*_`]/g, '').trim() === last.trim();
}

/** Whole lines while they fit, then the words of the next line that fit. */
function capTokens(text: string, maxTokens: number, tokenizer: Tokenizer): string {
  if (tokenizer.count(text) <= maxTokens) return text;
  const words = text.split(/(\s+)/);
  let low = 0;
  let high = words.length;
  // Binary search on the number of pieces kept: counting is the expensive part.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (tokenizer.count(words.slice(0, mid).join('')) <= maxTokens) low = mid;
    else high = mid - 1;
  }
  return words.slice(0, low).join('').trimEnd();
}
