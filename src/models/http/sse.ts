/**
 * Server-Sent Events parser (WHATWG spec): `data:` lines joined with "\n", `event:`, `id:`,
 * comments ignored, an event dispatched on a blank line; CR, LF and CRLF line ends. An event left
 * incomplete when the body ends is dropped, as the spec says; adapters detect a cut stream by the
 * missing terminal event ([DONE], message_stop), not here.
 */
export interface SSEEvent {
  event?: string;
  data: string;
  id?: string;
}

export async function* parseSSE(body: AsyncIterable<Uint8Array>): AsyncIterable<SSEEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;

  let final = false;
  const iterator = body[Symbol.asyncIterator]();
  try {
  while (!final) {
    const step = await iterator.next();
    if (step.done) {
      final = true;
      buffer += decoder.decode();
    } else buffer += decoder.decode(step.value, { stream: true });
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
        if (data.length > 0) {
          const ev: SSEEvent = { data: data.join('\n') };
          if (event !== undefined) ev.event = event;
          if (id !== undefined) ev.id = id;
          yield ev;
        }
        data = [];
        event = undefined;
        continue;
      }
      if (line.charCodeAt(0) === 58 /* ':' comment */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id') id = value;
      // `retry:` and unknown fields are ignored: reconnection is the caller's policy, not the parser's.
    }
    buffer = buffer.slice(start);
  }
  } finally {
    // The consumer may stop early (break, error): release the underlying body either way.
    if (!final) await iterator.return?.();
  }
}
