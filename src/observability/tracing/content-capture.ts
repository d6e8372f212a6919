/**
 * Whether a caller's prompt and completion text may be recorded in its traces. Off by default:
 * content is captured only for keys that opted in — listed by id or name in
 * `tracing.capture_content.keys`, or carrying `trace_content: true` in their metadata.
 */
import type { Principal } from '../../auth/principal.js';

export type ContentCapturePolicy = (principal: Principal | undefined) => boolean;

export const CONTENT_CAPTURE_METADATA_FLAG = 'trace_content';

export function contentCapturePolicy(config: { keys?: readonly string[]; all?: boolean } = {}): ContentCapturePolicy {
  if (config.all === true) return () => true;
  const keys = new Set(config.keys ?? []);
  return (principal) => {
    if (principal === undefined || principal.kind !== 'key') return false;
    return keys.has(principal.keyId) || keys.has(principal.keyName) || principal.metadata[CONTENT_CAPTURE_METADATA_FLAG] === true;
  };
}
