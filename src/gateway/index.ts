export { createGateway, DEFAULT_BODY_LIMIT_BYTES, DEFAULT_MAX_JSON_DEPTH } from './server.js';
export type { Gateway, GatewayOptions } from './server.js';
export { formatUsd } from './context.js';
