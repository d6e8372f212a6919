export { parseSSE, SSEDecoder, type SSEEvent } from './sse.js';
export { parseRetryAfter, retryAfterFromHeaders } from './retry-after.js';
export { errorKindForStatus, httpStatusError, type ResponseHeaders } from './http-error.js';
export { providerFetch, defaultDispatcher, type ProviderFetchArgs, type ProviderResponse } from './provider-http.js';
export { providerFetchJson } from './provider-fetch-json.js';
export { providerFetchStream, type ProviderStreamResponse } from './provider-fetch-stream.js';
