/**
 * A minimal GGUF v3 encoder (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md), enough to
 * write a model that llama.cpp loads: header, metadata key/values, tensor infos, then the tensor
 * data, each tensor aligned to `general.alignment` (32 bytes by default). Only f32 tensors: the test
 * model is tiny, so quantisation would buy nothing and cost a second code path.
 *
 * Layout (all little-endian):
 *   u32 magic "GGUF" · u32 version (3) · u64 tensor count · u64 metadata count
 *   metadata: string key · u32 value type · value            (string = u64 length + UTF-8 bytes)
 *   tensor info: string name · u32 n_dims · u64 ne[n_dims] · u32 ggml type · u64 offset in data
 *   padding to alignment · tensor data (each at its offset, offsets multiples of the alignment)
 */

/** GGUF metadata value type ids (gguf.md, `gguf_metadata_value_type`). */
const GGUF_TYPE = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** ggml tensor type id for f32 (`GGML_TYPE_F32`). */
const GGML_TYPE_F32 = 0;

export const GGUF_DEFAULT_ALIGNMENT = 32;

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'i32[]'; value: readonly number[] }
  | { type: 'f32[]'; value: readonly number[] };

export interface GgufTensor {
  name: string;
  /** ggml order: `dims[0]` is the contiguous (innermost) dimension, e.g. `[n_embd, n_vocab]` for token_embd. */
  dims: readonly number[];
  data: Float32Array;
}

export interface GgufFile {
  /** Key/values in the order they are written (llama.cpp reads them by name, so order is cosmetic). */
  metadata: ReadonlyArray<readonly [key: string, value: GgufValue]>;
  tensors: readonly GgufTensor[];
  alignment?: number;
}

/** Growable little-endian byte sink. */
class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.bytes(bytes);
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  padTo(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      w.u32(GGUF_TYPE.uint32);
      w.u32(v.value);
      return;
    case 'i32':
      w.u32(GGUF_TYPE.int32);
      w.i32(v.value);
      return;
    case 'f32':
      w.u32(GGUF_TYPE.float32);
      w.f32(v.value);
      return;
    case 'bool':
      w.u32(GGUF_TYPE.bool);
      w.u8(v.value ? 1 : 0);
      return;
    case 'string':
      w.u32(GGUF_TYPE.string);
      w.string(v.value);
      return;
    case 'string[]':
      w.u32(GGUF_TYPE.array);
      w.u32(GGUF_TYPE.string);
      w.u64(v.value.length);
      for (const s of v.value) w.string(s);
      return;
    case 'i32[]':
      w.u32(GGUF_TYPE.array);
      w.u32(GGUF_TYPE.int32);
      w.u64(v.value.length);
      for (const n of v.value) w.i32(n);
      return;
    case 'f32[]':
      w.u32(GGUF_TYPE.array);
      w.u32(GGUF_TYPE.float32);
      w.u64(v.value.length);
      for (const n of v.value) w.f32(n);
      return;
  }
}

/** Encodes a complete GGUF v3 file. Throws if a tensor's data does not match its dims. */
export function encodeGguf(file: GgufFile): Buffer {
  const alignment = file.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const metadata = [...file.metadata];
  if (alignment !== GGUF_DEFAULT_ALIGNMENT && !metadata.some(([k]) => k === 'general.alignment')) {
    metadata.push(['general.alignment', { type: 'u32', value: alignment }]);
  }

  const w = new ByteWriter();
  w.bytes(Buffer.from('GGUF', 'latin1'));
  w.u32(3);
  w.u64(file.tensors.length);
  w.u64(metadata.length);
  for (const [key, value] of metadata) {
    w.string(key);
    writeValue(w, value);
  }

  // Tensor infos carry offsets relative to the start of the (aligned) data section.
  let offset = 0;
  const offsets: number[] = [];
  for (const t of file.tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length) {
      throw new Error(`tensor ${t.name}: dims ${t.dims.join('x')} need ${elements} values, got ${t.data.length}`);
    }
    offsets.push(offset);
    offset += Math.ceil((elements * 4) / alignment) * alignment;
  }
  file.tensors.forEach((t, i) => {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPE_F32);
    w.u64(offsets[i]!);
  });

  w.padTo(alignment);
  for (const t of file.tensors) {
    w.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    w.padTo(alignment);
  }
  return w.result();
}
