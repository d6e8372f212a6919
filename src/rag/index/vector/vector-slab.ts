/**
 * Embeddings stored by slot in one growable Float32Array, plus the exact top-k scan over them.
 * A contiguous slab keeps the scan a tight loop over cache-friendly memory, and it is also the
 * embedded adapter's on-disk format (vectors.f32 is this array, slot after slot).
 */
import { TopK } from '../top-k.js';

export class VectorSlab {
  private data: Float32Array;
  /** Slots written so far (live or not): the next slot's index. */
  private count = 0;

  constructor(readonly dimensions: number, initial?: Float32Array) {
    if (initial !== undefined) {
      this.data = initial;
      this.count = Math.floor(initial.length / dimensions);
    } else {
      this.data = new Float32Array(dimensions * 1024);
    }
  }

  get slots(): number {
    return this.count;
  }

  /** Stores a vector at `slot` (≥ every slot before it; gaps are left zero). */
  set(slot: number, vector: Float32Array): void {
    const needed = (slot + 1) * this.dimensions;
    if (needed > this.data.length) {
      let size = this.data.length;
      while (size < needed) size *= 2;
      const grown = new Float32Array(size);
      grown.set(this.data.subarray(0, this.count * this.dimensions));
      this.data = grown;
    }
    this.data.set(vector, slot * this.dimensions);
    if (slot >= this.count) this.count = slot + 1;
  }

  /** A view (not a copy) of a slot's vector. */
  view(slot: number): Float32Array {
    const off = slot * this.dimensions;
    return this.data.subarray(off, off + this.dimensions);
  }

  /** The written prefix, slot-major: what vectors.f32 holds. */
  rows(fromSlot = 0, toSlot = this.count): Float32Array {
    return this.data.subarray(fromSlot * this.dimensions, toSlot * this.dimensions);
  }

  dot(slot: number, q: Float32Array): number {
    return dotAt(this.data, slot * this.dimensions, q, this.dimensions);
  }

  /** Exact top-k by dot product among the slots `accept` allows. */
  exactTopK(q: Float32Array, topK: number, accept: (slot: number) => boolean): { slot: number; score: number }[] {
    const top = new TopK(topK);
    const d = this.dimensions;
    for (let s = 0, off = 0; s < this.count; s++, off += d) {
      if (!accept(s)) continue;
      top.push(s, dotAt(this.data, off, q, d));
    }
    return top.sorted().map(({ item, score }) => ({ slot: item, score }));
  }
}

/** dot(v[off .. off+d], q) with four accumulators (breaks the add dependency chain). */
export function dotAt(v: Float32Array, off: number, q: Float32Array, d: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    a0 += (v[off + j] ?? 0) * (q[j] ?? 0);
    a1 += (v[off + j + 1] ?? 0) * (q[j + 1] ?? 0);
    a2 += (v[off + j + 2] ?? 0) * (q[j + 2] ?? 0);
    a3 += (v[off + j + 3] ?? 0) * (q[j + 3] ?? 0);
  }
  for (; j < d; j++) a0 += (v[off + j] ?? 0) * (q[j] ?? 0);
  return a0 + a1 + a2 + a3;
}

/** `vector / |vector|` as a new Float32Array; a zero vector stays zero. */
export function normalized(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector);
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += (out[i] ?? 0) ** 2;
  if (norm > 0 && Math.abs(norm - 1) > 1e-6) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) * inv;
  }
  return out;
}
