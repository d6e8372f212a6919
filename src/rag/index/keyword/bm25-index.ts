/**
 * An in-memory BM25 inverted index over integer document slots (Robertson/Spärck Jones with the
 * usual k1 = 1.2, b = 0.75 and the non-negative IDF ln(1 + (N − df + 0.5)/(df + 0.5))).
 *
 * Postings are typed arrays (slot, term frequency) rather than a Map per term: 100,000 chunks of a
 * few hundred tokens are ~10 million postings, which as Map entries would cost gigabytes. Removal
 * is lazy — a removed slot's postings stay until its list is compacted — while document frequency
 * and corpus length are updated at once, so scores always reflect the live documents only.
 */
import { TopK } from '../top-k.js';
import { queryTerms, tokenize } from './tokenizer.js';

const K1 = 1.2;
const B = 0.75;

class PostingList {
  slots = new Int32Array(4);
  tfs = new Uint16Array(4);
  length = 0;
  /** Live documents containing the term. */
  df = 0;

  add(slot: number, tf: number): void {
    if (this.length === this.slots.length) {
      const slots = new Int32Array(this.slots.length * 2);
      slots.set(this.slots);
      this.slots = slots;
      const tfs = new Uint16Array(this.tfs.length * 2);
      tfs.set(this.tfs);
      this.tfs = tfs;
    }
    this.slots[this.length] = slot;
    this.tfs[this.length] = Math.min(tf, 65_535);
    this.length++;
    this.df++;
  }

  /** Drops postings of removed slots once they are the majority (amortised O(1) per removal). */
  compactIfSparse(isLive: (slot: number) => boolean): void {
    if (this.length - this.df <= this.df) return;
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const slot = this.slots[r] ?? -1;
      if (!isLive(slot)) continue;
      this.slots[w] = slot;
      this.tfs[w] = this.tfs[r] ?? 0;
      w++;
    }
    this.length = w;
  }
}

export interface Bm25Hit {
  slot: number;
  score: number;
}

export class Bm25Index {
  private readonly postings = new Map<string, PostingList>();
  /** Token count per slot; 0 marks a slot that is not (or no longer) indexed. */
  private lengths = new Uint32Array(1024);
  private documentCount = 0;
  private totalLength = 0;
  /**
   * Per-query score accumulator by slot (0 = untouched; every BM25 part is > 0), reset after each
   * query through the list of touched slots. A common query word can touch every document: a typed
   * array keeps that a linear pass instead of a hash map with 100,000 entries.
   */
  private scratch = new Float64Array(1024);
  private touched = new Int32Array(1024);

  get size(): number {
    return this.documentCount;
  }

  has(slot: number): boolean {
    return (this.lengths[slot] ?? 0) > 0;
  }

  /** Indexes a text under a slot never used before (slots are not reused). */
  add(slot: number, text: string): void {
    const tokens = tokenize(text);
    if (tokens.length === 0) return;
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [term, tf] of counts) {
      let list = this.postings.get(term);
      if (!list) {
        list = new PostingList();
        this.postings.set(term, list);
      }
      list.add(slot, tf);
    }
    this.ensureCapacity(slot);
    this.lengths[slot] = tokens.length;
    this.documentCount++;
    this.totalLength += tokens.length;
  }

  /** Forgets a slot; `text` must be the text it was added with (its terms say which lists to touch). */
  remove(slot: number, text: string): void {
    const length = this.lengths[slot] ?? 0;
    if (length === 0) return;
    this.lengths[slot] = 0;
    this.documentCount--;
    this.totalLength -= length;
    const isLive = (s: number): boolean => (this.lengths[s] ?? 0) > 0;
    for (const term of new Set(tokenize(text))) {
      const list = this.postings.get(term);
      if (!list) continue;
      list.df--;
      if (list.df === 0) this.postings.delete(term);
      else list.compactIfSparse(isLive);
    }
  }

  /** The topK slots by BM25 score for the query among those `accept` allows (score > 0 only). */
  search(text: string, topK: number, accept: (slot: number) => boolean): Bm25Hit[] {
    const n = this.documentCount;
    if (n === 0 || topK <= 0) return [];
    const avgLength = this.totalLength / n;
    // tf·(k1+1) / (tf + k1·(1 − b + b·len/avg)) with the length part split into constants.
    const lengthBase = K1 * (1 - B);
    const lengthScale = (K1 * B) / avgLength;
    const scratch = this.scratch;
    const lengths = this.lengths;
    let touched = this.touched;
    let touchedCount = 0;
    for (const term of queryTerms(text)) {
      const list = this.postings.get(term);
      if (!list || list.df === 0) continue;
      const idf = Math.log(1 + (n - list.df + 0.5) / (list.df + 0.5));
      const slots = list.slots;
      const tfs = list.tfs;
      for (let i = 0; i < list.length; i++) {
        const slot = slots[i] ?? -1;
        const length = lengths[slot] ?? 0;
        if (length === 0) continue;
        const tf = tfs[i] ?? 0;
        const part = (idf * tf * (K1 + 1)) / (tf + lengthBase + lengthScale * length);
        const current = scratch[slot] ?? 0;
        if (current === 0) {
          if (touchedCount === touched.length) {
            const grown = new Int32Array(touched.length * 2);
            grown.set(touched);
            touched = grown;
            this.touched = grown;
          }
          touched[touchedCount++] = slot;
        }
        scratch[slot] = current + part;
      }
    }
    const top = new TopK(topK);
    for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i] ?? 0;
      const score = scratch[slot] ?? 0;
      scratch[slot] = 0;
      if (score > top.floor && accept(slot)) top.push(slot, score);
    }
    return top.sorted().map(({ item, score }) => ({ slot: item, score }));
  }

  private ensureCapacity(slot: number): void {
    if (slot < this.lengths.length) return;
    let size = this.lengths.length;
    while (size <= slot) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.lengths);
    this.lengths = grown;
    this.scratch = new Float64Array(size);
  }
}
