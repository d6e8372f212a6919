// A deliberately cheap OpenAI-compatible upstream for the gateway benchmark. It answers
// POST /v1/chat/completions with one fixed chat.completion (pre-serialised once) or, when the
// request asks for `stream: true`, a fixed SSE stream whose first content chunk goes out at once
// and whose remaining chunks follow at a fixed interval (so a gateway that buffers the stream
// shows up in time-to-first-token). Plain .mjs on purpose: no TypeScript loader in a measured
// process, so its RSS and CPU are the server's own.
//
// Usage: node fake-upstream.mjs --port=N [--host=127.0.0.1] [--chunk-interval-ms=5]
// Prints one line `listening <port>` on stdout when ready. GET /__stats returns request counts,
// which the harness uses to prove that a gateway really reached this upstream.
import { createServer } from 'node:http';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const host = args.get('host') ?? '127.0.0.1';
const port = Number(args.get('port') ?? 0);
const chunkIntervalMs = Number(args.get('chunk-interval-ms') ?? 5);

const REPLY_TEXT = 'Hello from the fake upstream.';
const created = Math.floor(Date.now() / 1000);
const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };

const completionBody = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      { index: 0, message: { role: 'assistant', content: REPLY_TEXT, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage,
    system_fingerprint: 'fp_bench',
  }),
);
const completionHeaders = {
  'content-type': 'application/json',
  'content-length': String(completionBody.length),
  'x-request-id': 'req_bench',
};

function sseChunk(delta, finishReason, extra) {
  const obj = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  };
  return `data: ${JSON.stringify(obj)}\n\n`;
}
// First write: the role chunk plus the first content piece, sent together and at once.
const streamHead = sseChunk({ role: 'assistant', content: '', refusal: null }, null) + sseChunk({ content: 'Hello' }, null);
// Later writes, one per interval.
const streamRest = [' from', ' the fake', ' upstream.'].map((t) => sseChunk({ content: t }, null));
const streamFinish = sseChunk({}, 'stop');
const streamUsage = `data: ${JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_bench', choices: [], usage,
})}\n\n`;
const streamDone = 'data: [DONE]\n\n';

const stats = { completions: 0, streams: 0, other: 0 };

function sendStream(res, includeUsage) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_bench' });
  res.write(streamHead);
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed) { clearInterval(timer); return; }
    if (i < streamRest.length) { res.write(streamRest[i++]); return; }
    clearInterval(timer);
    res.end(streamFinish + (includeUsage ? streamUsage : '') + streamDone);
  }, chunkIntervalMs);
  res.on('close', () => clearInterval(timer));
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__stats') {
    const body = JSON.stringify(stats);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (req.method !== 'POST' || !req.url || !req.url.endsWith('/chat/completions')) {
    stats.other++;
    const body = JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    let parsed;
    try {
      parsed = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"malformed JSON","type":"invalid_request_error"}}');
      return;
    }
    if (parsed && parsed.stream === true) {
      stats.streams++;
      sendStream(res, Boolean(parsed.stream_options && parsed.stream_options.include_usage));
      return;
    }
    stats.completions++;
    res.writeHead(200, completionHeaders);
    res.end(completionBody);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, host, () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
