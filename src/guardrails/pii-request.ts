/**
 * PII at the message level: protect every text of a request (system, user, assistant content and
 * reasoning, tool-call arguments, tool results; images kept), and restore anonymised placeholders in
 * a GenerateResult. Placeholders and redactions contain no quotes or backslashes, so rewriting the
 * inside of tool-call JSON keeps it valid JSON.
 */
import type { GenerateResult, ModelRequest } from '../models/language-model.js';
import { applyPiiAction, PiiVault, type PiiAction } from './pii-actions.js';
import { detectPii, type PiiEntity } from './pii.js';
import { mapRequestText, mapResultText } from './request-text.js';

export interface ProtectRequestOptions {
  entities?: readonly PiiEntity[];
  /** Reuse a vault (e.g. to keep placeholders stable across a conversation); default a new one. */
  vault?: PiiVault;
}

export interface ProtectRequestResult {
  request: ModelRequest;
  /** The vault holding the originals (anonymise); empty for mask/redact. */
  vault: PiiVault;
  /** Matches found, per entity (values are never reported). */
  counts: Partial<Record<PiiEntity, number>>;
  total: number;
}

export function protectRequest(request: ModelRequest, action: PiiAction, options: ProtectRequestOptions = {}): ProtectRequestResult {
  const vault = options.vault ?? new PiiVault();
  const counts: Partial<Record<PiiEntity, number>> = {};
  let total = 0;
  const detectOptions = options.entities ? { entities: options.entities } : {};
  const protectedRequest = mapRequestText(request, (text) => {
    const matches = detectPii(text, detectOptions);
    if (matches.length === 0) return text;
    for (const m of matches) counts[m.entity] = (counts[m.entity] ?? 0) + 1;
    total += matches.length;
    return applyPiiAction(text, matches, action, vault);
  });
  return { request: protectedRequest, vault, counts, total };
}

/** Restores the vault's placeholders in a result's text, reasoning and tool-call arguments. */
export function restoreResult(result: GenerateResult, vault: PiiVault): { result: GenerateResult; restored: number } {
  if (vault.size === 0) return { result, restored: 0 };
  let restored = 0;
  const out = mapResultText(result, (text) => {
    const r = vault.restoreCounting(text);
    restored += r.restored;
    return r.text;
  });
  return { result: out, restored };
}
