/**
 * The embedded adapter's files. Layout under the store directory:
 *
 *   catalog.json                       collections (name, description, dimensions, counts, createdAt)
 *   collections/<name>/chunks.jsonl    append-only journal: {"op":"put",slot,hash,chunk} / {"op":"del",documentId}
 *   collections/<name>/vectors.f32     unit float32 vectors, slot after slot (written before the journal line)
 *   collections/<name>/ann.usearch     HNSW graph snapshot, with ann.json = {journalBytes, nextSlot}
 *
 * Opening replays the journal (rows), maps vectors.f32 as the vector slab, loads the ANN snapshot and
 * patches it with whatever the journal says happened after it — so a restart never rebuilds the
 * graph unless the snapshot is missing. A torn last journal line (crash mid-append) is cut off.
 * When dead slots (replaced or deleted chunks) outnumber live ones, opening compacts both files.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Chunk } from '../../types.js';
import { ConduitError } from '../../../core/errors.js';
import type { AnnIndex } from '../vector/ann-index.js';
import { AnnIndex as Ann } from '../vector/ann-index.js';
import type { ChunkRow } from './chunk-rows.js';
import { EmbeddedChunkIndex, type EmbeddedIndexOptions, type IndexJournal } from './embedded-chunk-index.js';

export interface CatalogEntry {
  name: string;
  description?: string;
  dimensions?: number;
  documents: number;
  chunks: number;
  createdAt: string;
}

type JournalRecord = { op: 'put'; slot: number; hash: string; chunk: Chunk } | { op: 'del'; documentId: string };

interface AnnMeta {
  journalBytes: number;
  nextSlot: number;
}

/** Compact on open when at least this many slots are dead and they outnumber the live ones. */
const COMPACT_MIN_DEAD = 1_000;

export class CollectionDirectory {
  private readonly catalog = new Map<string, CatalogEntry>();
  private readonly journals = new Map<string, CollectionJournal>();

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<CollectionDirectory> {
    mkdirSync(join(dir, 'collections'), { recursive: true });
    acquireLock(dir);
    const d = new CollectionDirectory(dir);
    const path = join(dir, 'catalog.json');
    if (existsSync(path)) {
      let parsed: { collections?: CatalogEntry[] };
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8')) as { collections?: CatalogEntry[] };
      } catch (err) {
        throw new ConduitError('internal', `RAG catalog ${path} is unreadable`, { cause: err, code: 'rag_store_corrupt' });
      }
      for (const e of parsed.collections ?? []) d.catalog.set(e.name, e);
    }
    return d;
  }

  entries(): CatalogEntry[] {
    return [...this.catalog.values()];
  }

  create(entry: CatalogEntry): void {
    const dir = this.collectionDir(entry.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    this.catalog.set(entry.name, entry);
    this.saveCatalog();
  }

  drop(name: string): void {
    this.journals.get(name)?.close();
    this.journals.delete(name);
    this.catalog.delete(name);
    this.saveCatalog();
    rmSync(this.collectionDir(name), { recursive: true, force: true });
  }

  /** Loads a collection's index from its files (compacting them first when mostly dead). */
  load(entry: CatalogEntry, options: EmbeddedIndexOptions): EmbeddedChunkIndex {
    const dir = this.collectionDir(entry.name);
    recoverCompaction(dir);
    mkdirSync(dir, { recursive: true });
    let loaded = this.replay(entry, options, dir);
    const dead = loaded.index.slotCount - loaded.index.liveCount;
    if (dead >= COMPACT_MIN_DEAD && dead > loaded.index.liveCount) {
      compact(dir, loaded.index);
      loaded = this.replay(entry, options, dir);
    }
    this.journals.set(entry.name, loaded.journal);
    return loaded.index;
  }

  close(): void {
    for (const j of this.journals.values()) j.close();
    this.journals.clear();
    releaseLock(this.dir);
  }

  saveCatalog(): void {
    const path = join(this.dir, 'catalog.json');
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ version: 1, collections: [...this.catalog.values()] }, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  }

  private collectionDir(name: string): string {
    return join(this.dir, 'collections', name);
  }

  private replay(entry: CatalogEntry, options: EmbeddedIndexOptions, dir: string): { index: EmbeddedChunkIndex; journal: CollectionJournal } {
    const journal = new CollectionJournal(this, entry, dir);
    const index = new EmbeddedChunkIndex(entry.name, entry.dimensions, options, journal);
    const records = readJournal(join(dir, 'chunks.jsonl'));
    const meta = readAnnMeta(dir, records.bytes);
    const killedAfterSnapshot: number[] = [];
    let vectors = readVectors(join(dir, 'vectors.f32'));
    const dims = entry.dimensions;
    for (const { record, offset } of records.items) {
      if (record.op === 'put') {
        // A put whose vector never reached the disk is a torn write: the row is not usable.
        if (dims === undefined || (record.slot + 1) * dims > (vectors?.length ?? 0)) continue;
        const killed = index.loadPut({ slot: record.slot, chunk: record.chunk, contentHash: record.hash });
        if (meta && offset >= meta.journalBytes && killed !== undefined) killedAfterSnapshot.push(killed);
      } else {
        const killed = index.loadDeleteDocument(record.documentId);
        if (meta && offset >= meta.journalBytes) killedAfterSnapshot.push(...killed);
      }
    }
    if (dims !== undefined && vectors !== undefined) vectors = vectors.subarray(0, index.slotCount * dims);
    let ann: AnnIndex | undefined;
    if (meta && dims !== undefined && vectors !== undefined) {
      try {
        ann = new Ann(dims, options.ann);
        ann.load(join(dir, 'ann.usearch'));
        ann.remove(killedAfterSnapshot.filter((s) => s < meta.nextSlot));
        const fresh = index.liveRows().filter((r) => r.slot >= meta.nextSlot);
        const matrix = new Float32Array(fresh.length * dims);
        for (const [i, r] of fresh.entries()) matrix.set(vectors.subarray(r.slot * dims, (r.slot + 1) * dims), i * dims);
        ann.add(
          fresh.map((r) => r.slot),
          matrix,
        );
      } catch {
        // An unreadable snapshot only costs a rebuild.
        ann = undefined;
      }
    }
    index.finishLoad(vectors, ann);
    journal.adopt(records.bytes, meta);
    return { index, journal };
  }
}

/** Writes one collection's mutations to its files and keeps the catalog entry current. */
class CollectionJournal implements IndexJournal {
  private vectorsFd: number | undefined;
  private journalBytes = 0;
  private snapshot: AnnMeta | undefined;
  /** The live graph, once it changed in this session (saved on close if the snapshot is behind). */
  private pendingAnn: { ann: AnnIndex; nextSlot: number } | undefined;

  constructor(
    private readonly directory: CollectionDirectory,
    private readonly entry: CatalogEntry,
    private readonly dir: string,
  ) {}

  adopt(journalBytes: number, snapshot: AnnMeta | undefined): void {
    this.journalBytes = journalBytes;
    this.snapshot = snapshot;
  }

  put(rows: readonly ChunkRow[], vectors: readonly Float32Array[]): void {
    const fd = this.vectorFile();
    for (const [i, row] of rows.entries()) {
      const v = vectors[i];
      if (!v) continue;
      writeSync(fd, new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 0, v.byteLength, row.slot * v.byteLength);
    }
    this.append(rows.map((r) => ({ op: 'put', slot: r.slot, hash: r.contentHash, chunk: r.chunk })));
  }

  deleteDocument(documentId: string): void {
    this.append([{ op: 'del', documentId }]);
  }

  setDimensions(dimensions: number): void {
    this.entry.dimensions = dimensions;
    this.directory.saveCatalog();
  }

  counted(stats: { documents: number; chunks: number }): void {
    this.entry.documents = stats.documents;
    this.entry.chunks = stats.chunks;
    this.directory.saveCatalog();
  }

  /** Snapshots the graph when it has grown by a quarter (at least 10,000 slots) since the last one. */
  annChanged(ann: AnnIndex, nextSlot: number): void {
    const since = this.snapshot ? nextSlot - this.snapshot.nextSlot : nextSlot;
    if (this.snapshot === undefined || since >= Math.max(10_000, this.snapshot.nextSlot / 4)) this.saveAnn(ann, nextSlot);
    this.pendingAnn = { ann, nextSlot };
  }

  close(): void {
    // Persist a graph that changed since its snapshot, so the next open needs no patching.
    if (this.pendingAnn && existsSync(this.dir) && (this.snapshot?.journalBytes ?? -1) !== this.journalBytes) {
      this.saveAnn(this.pendingAnn.ann, this.pendingAnn.nextSlot);
    }
    this.pendingAnn = undefined;
    if (this.vectorsFd !== undefined) closeSync(this.vectorsFd);
    this.vectorsFd = undefined;
  }

  private saveAnn(ann: AnnIndex, nextSlot: number): void {
    const path = join(this.dir, 'ann.usearch');
    ann.save(`${path}.tmp`);
    renameSync(`${path}.tmp`, path);
    this.snapshot = { journalBytes: this.journalBytes, nextSlot };
    writeFileSync(join(this.dir, 'ann.json'), JSON.stringify(this.snapshot));
  }

  private append(records: readonly JournalRecord[]): void {
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const bytes = Buffer.from(text, 'utf8');
    const fd = openSync(join(this.dir, 'chunks.jsonl'), 'a');
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    this.journalBytes += bytes.length;
  }

  private vectorFile(): number {
    const path = join(this.dir, 'vectors.f32');
    this.vectorsFd ??= openSync(path, existsSync(path) ? 'r+' : 'w+');
    return this.vectorsFd;
  }
}

/**
 * One writer per directory: two stores appending to the same journal would interleave slots and
 * corrupt it. The lock file holds the owner's pid; a lock left by a dead process is taken over.
 */
function acquireLock(dir: string): void {
  const path = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new ConduitError('internal', `RAG store ${dir} is in use by process ${owner}${owner === process.pid ? ' (this one: close the other store first)' : ''}`, {
          code: 'rag_store_locked',
        });
      }
      rmSync(path, { force: true });
    }
  }
}

function releaseLock(dir: string): void {
  const path = join(dir, 'LOCK');
  try {
    if (Number(readFileSync(path, 'utf8')) === process.pid) rmSync(path, { force: true });
  } catch {
    // Already gone (directory removed): nothing to release.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readJournal(path: string): { items: { record: JournalRecord; offset: number }[]; bytes: number } {
  if (!existsSync(path)) return { items: [], bytes: 0 };
  const buf = readFileSync(path);
  const end = buf.lastIndexOf(0x0a) + 1;
  if (end < buf.length) {
    // A torn final line from a crash mid-append: drop it so later appends start on a clean line.
    truncateSync(path, end);
  }
  const items: { record: JournalRecord; offset: number }[] = [];
  let offset = 0;
  while (offset < end) {
    const nl = buf.indexOf(0x0a, offset);
    const lineEnd = nl < 0 ? end : nl;
    const line = buf.toString('utf8', offset, lineEnd);
    if (line.trim() !== '') {
      try {
        items.push({ record: JSON.parse(line) as JournalRecord, offset });
      } catch (err) {
        throw new ConduitError('internal', `RAG journal ${path} is corrupt at byte ${offset}`, { cause: err, code: 'rag_store_corrupt' });
      }
    }
    offset = lineEnd + 1;
  }
  return { items, bytes: end };
}

function readVectors(path: string): Float32Array | undefined {
  if (!existsSync(path)) return undefined;
  const buf = readFileSync(path);
  const usable = buf.byteLength - (buf.byteLength % 4);
  if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, usable / 4);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + usable));
}

function readAnnMeta(dir: string, journalBytes: number): AnnMeta | undefined {
  const metaPath = join(dir, 'ann.json');
  if (!existsSync(metaPath) || !existsSync(join(dir, 'ann.usearch'))) return undefined;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as AnnMeta;
    // A snapshot newer than the journal (journal truncated or replaced) cannot be trusted.
    return meta.journalBytes <= journalBytes ? meta : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rewrites the journal and vectors with live rows only, renumbered densely (dropping the ANN
 * snapshot, whose keys are the old slots). The new files are written to a sibling directory that
 * then replaces the old one, so a crash leaves either the old or the new pair, never a mix.
 */
function compact(dir: string, index: EmbeddedChunkIndex): void {
  const rows = index.liveRows();
  const lines: string[] = [];
  const first = rows[0] ? index.vectorOf(rows[0].slot) : undefined;
  const dims = first?.length ?? 0;
  const vectors = new Float32Array(rows.length * dims);
  for (const [i, row] of rows.entries()) {
    const v = index.vectorOf(row.slot);
    if (v) vectors.set(v, i * dims);
    const record: JournalRecord = { op: 'put', slot: i, hash: row.contentHash, chunk: row.chunk };
    lines.push(`${JSON.stringify(record)}\n`);
  }
  const next = `${dir}.compact`;
  const old = `${dir}.old`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(next, { recursive: true });
  writeFileSync(join(next, 'vectors.f32'), new Uint8Array(vectors.buffer));
  writeFileSync(join(next, 'chunks.jsonl'), lines.join(''));
  rmSync(old, { recursive: true, force: true });
  renameSync(dir, old);
  renameSync(next, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Finishes or undoes a compaction that a crash interrupted (see compact). */
function recoverCompaction(dir: string): void {
  if (!existsSync(dir) && existsSync(`${dir}.compact`) && existsSync(`${dir}.old`)) renameSync(`${dir}.compact`, dir);
  else if (!existsSync(dir) && existsSync(`${dir}.old`)) renameSync(`${dir}.old`, dir);
  rmSync(`${dir}.compact`, { recursive: true, force: true });
  rmSync(`${dir}.old`, { recursive: true, force: true });
}
