/**
 * Server-Sent Events parser (WHATWG spec): `data:` lines joined with "\n", `event:`, `id:`,
 * comments ignored, an event dispatched on a blank line; CR, LF and CRLF line ends. An event left
 * incomplete when the body ends is dropped, as the spec says; adapters detect a cut stream by the
 * missing terminal event ([DONE], message_stop), not here.
 *
 * The parsing itself is synchronous (SSEDecoder: bytes in, whole events out), so a provider's stream
 * loop can decode each network chunk in place; parseSSE wraps it as an async iterable for callers
 * that prefer one (each async layer costs promises per event on the time-to-first-token path).
 */
export interface SSEEvent {
  event?: string;
  data: string;
  id?: string;
}

const NO_EVENTS: readonly SSEEvent[] = [];

export class SSEDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined = undefined;
  private id: string | undefined = undefined;

  /** Decodes one chunk of the body; returns the events it completed (often none or one). */
  push(chunk: Uint8Array): readonly SSEEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** The body ended: flushes the decoder and returns the events completed by what was left. */
  end(): readonly SSEEvent[] {
    this.buffer += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): readonly SSEEvent[] {
    const buffer = this.buffer;
    let out: SSEEvent[] | undefined;
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = buffer.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR at the very end may be the first half of a CRLF still in flight: wait for more.
        if (cr === buffer.length - 1 && !final) break;
        end = cr;
        next = buffer.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else break;
      const line = buffer.slice(start, end);
      start = next;
      if (line === '') {
        if (this.data.length > 0) {
          const ev: SSEEvent = { data: this.data.length === 1 ? this.data[0]! : this.data.join('\n') };
          if (this.event !== undefined) ev.event = this.event;
          if (this.id !== undefined) ev.id = this.id;
          (out ??= []).push(ev);
        }
        this.data = [];
        this.event = undefined;
        continue;
      }
      if (line.charCodeAt(0) === 58 /* ':' comment */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id') this.id = value;
      // `retry:` and unknown fields are ignored: reconnection is the caller's policy, not the parser's.
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return out ?? NO_EVENTS;
  }
}

export async function* parseSSE(body: AsyncIterable<Uint8Array>): AsyncIterable<SSEEvent> {
  const decoder = new SSEDecoder();
  let final = false;
  const iterator = body[Symbol.asyncIterator]();
  try {
    while (!final) {
      const step = await iterator.next();
      let events: readonly SSEEvent[];
      if (step.done) {
        final = true;
        events = decoder.end();
      } else events = decoder.push(step.value);
      for (const ev of events) yield ev;
    }
  } finally {
    // The consumer may stop early (break, error): release the underlying body either way.
    if (!final) await iterator.return?.();
  }
}
