// Preload for the Portkey gateway process, needed for STREAMING requests only.
//
// Why: with the @hono/node-server that npm resolves for @portkey-ai/gateway today (> 1.14.2),
// every streamed chat completion fails with `TypeError: immutable` (Portkey-AI/gateway issues
// #1389 and #1550): hono's lightweight Response keeps the upstream fetch() Response's immutable
// Headers, and Portkey then appends its x-portkey-* headers to them. Portkey answers 500
// "Something went wrong" to every `stream: true` request.
//
// Fix, as small as possible: wrap global fetch so that an upstream `text/event-stream` response
// is re-wrapped in a native Response with a mutable copy of its headers (body stream untouched,
// no buffering). Non-streaming responses are returned as they are, so the throughput and
// fixed-rate figures measure Portkey exactly as shipped.
const NativeResponse = globalThis.Response;
const originalFetch = globalThis.fetch;

globalThis.fetch = async function fetchWithMutableStreamHeaders(input, init) {
  const res = await originalFetch(input, init);
  const type = res.headers.get('content-type');
  if (type === null || !type.startsWith('text/event-stream')) return res;
  return new NativeResponse(res.body, { status: res.status, statusText: res.statusText, headers: new globalThis.Headers(res.headers) });
};
