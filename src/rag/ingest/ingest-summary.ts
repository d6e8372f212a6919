/** What an ingestion run did, and its one-line rendering for the CLI and logs. */

export type IngestPhase = 'chunk' | 'embed' | 'write';

/**
 * Progress: `chunk` counts documents chunked and compared with the index, `embed` counts chunk
 * texts embedded, `write` counts changed documents written. Each phase starts at 0 and ends at its total.
 */
export type IngestProgress = (done: number, total: number, phase: IngestPhase) => void;

export interface IngestSummary {
  /** Documents given. */
  documents: number;
  /** Chunks those documents make (unchanged ones included). */
  chunks: number;
  /** Chunk texts sent to the embedding model. */
  embedded: number;
  /** Chunks written whose embedding was reused (stored in the index, or an identical chunk of this run). */
  reused: number;
  /** Unchanged documents: no embedding, no write. */
  skipped: number;
  /** Documents written (new or changed). */
  updated: number;
  /** Chunks written. */
  written: number;
  /** Chunks removed because their document changed and they no longer exist in it. */
  deleted: number;
  /** Input tokens the embedding model reported. */
  embeddingTokens: number;
  seconds: number;
  /** Of which waiting for the embedding model. */
  embeddingSeconds: number;
}

export function formatIngestSummary(summary: IngestSummary): string {
  const docs = `${summary.documents} document${summary.documents === 1 ? '' : 's'}`;
  const parts = [`${summary.updated} updated`, `${summary.skipped} unchanged`];
  const chunks = [`${summary.embedded} embedded`, `${summary.reused} reused`];
  if (summary.deleted > 0) chunks.push(`${summary.deleted} stale removed`);
  const rate = summary.seconds > 0 ? `, ${Math.round(summary.written / summary.seconds)} chunks/s` : '';
  const embeddingShare = summary.embedded > 0 ? ` (embedding ${summary.embeddingSeconds.toFixed(1)} s)` : '';
  return (
    `Ingested ${docs} (${parts.join(', ')}) into ${summary.chunks} chunk${summary.chunks === 1 ? '' : 's'} ` +
    `(${chunks.join(', ')}) in ${summary.seconds.toFixed(1)} s${embeddingShare}${rate}`
  );
}
