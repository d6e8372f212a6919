import type { RetrievedChunk } from '../../../src/rag/types.js';

export function hit(id: string, text: string, score = 1, metadata: Record<string, string> = {}): RetrievedChunk {
  return { chunk: { id, documentId: id.split('#')[0]!, index: Number(id.split('#')[1] ?? 0), text, metadata }, score, via: 'test' };
}

/** Three passages about Node.js with one known fact each. */
export const nodeChunks: RetrievedChunk[] = [
  hit('http#0', 'The http module provides an HTTP server and client. http.createServer() returns a new Server instance. The server emits a request event for each incoming request.', 0.9, { title: 'HTTP' }),
  hit('fs#3', 'The fs module gives access to the file system. fs.readFile() reads the entire contents of a file. The default encoding is null, which returns a Buffer.', 0.8, { title: 'File system' }),
  hit('timers#1', 'Timers schedule functions to be called later. setImmediate() runs a callback after I/O events. setTimeout() runs a callback after a delay of at least the given milliseconds.', 0.7),
];
