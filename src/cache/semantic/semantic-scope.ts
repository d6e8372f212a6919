/**
 * Where a semantic lookup may look, and what it compares. The scope is everything about a request
 * except the wording of its last user message: tenant, model, the system prompt, the tool set (with
 * tool choice), the other parameters, and the conversation so far (how many prior turns and a hash
 * of them). Two requests share a scope only if a paraphrase of the last message is the ONLY thing
 * that differs — so an agent in the middle of a tool loop, or a user deep in one conversation, can
 * never be handed an answer given in another context.
 *
 * Only requests that end with a plain-text user message are eligible: one that ends with a tool
 * result (an agent's loop step), an assistant prefill or an image is left to the model.
 */
import { contentText, type Message } from '../../core/messages.js';
import type { ModelRequest } from '../../models/language-model.js';
import { canonicalJson } from '../canonical-json.js';
import { normaliseMessage, normaliseTool, sha256Hex } from '../request-key.js';

export interface SemanticScopeDescription {
  tenant: string;
  provider: string;
  model: string;
  /** Short hashes (12 hex chars) of the parts, for shadow reports and debugging. */
  systemHash: string;
  toolsHash: string;
  paramsHash: string;
  /** Non-system messages before the last user message. */
  priorTurns: number;
  historyHash: string;
}

export type SemanticLookupKey =
  | { eligible: true; scope: string; prompt: string; description: SemanticScopeDescription }
  | { eligible: false; reason: 'not-last-user-message' | 'non-text-content' | 'empty-prompt' };

const SCOPE_VERSION = 1;

export function semanticLookupKey(request: ModelRequest, target: { provider: string; modelId: string; tenant: string }): SemanticLookupKey {
  const { messages } = request;
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user') return { eligible: false, reason: 'not-last-user-message' };
  if (typeof last.content !== 'string' && last.content.some((p) => p.type !== 'text')) return { eligible: false, reason: 'non-text-content' };
  const prompt = contentText(last.content).trim();
  if (prompt === '') return { eligible: false, reason: 'empty-prompt' };

  const prior = messages.slice(0, -1);
  const system: Message[] = prior.filter((m) => m.role === 'system');
  const history: Message[] = prior.filter((m) => m.role !== 'system');
  const { messages: _m, tools, toolChoice, parallelToolCalls, user: _user, ...params } = request;

  const normalisedParams = { ...params, stop: params.stop && params.stop.length > 0 ? [...new Set(params.stop)].sort() : undefined };
  const description: SemanticScopeDescription = {
    tenant: target.tenant,
    provider: target.provider,
    model: target.modelId,
    systemHash: hashOf(system.map(normaliseMessage)),
    toolsHash: hashOf({ tools: (tools ?? []).map(normaliseTool), toolChoice, parallelToolCalls }),
    paramsHash: hashOf(normalisedParams),
    priorTurns: history.length,
    // The name of the last user message is part of who is speaking, so it belongs to the context.
    historyHash: hashOf({ history: history.map(normaliseMessage), speaker: last.name }),
  };
  // Full-length hashes in the key itself; the short ones above are only for people.
  const scope = sha256Hex(
    canonicalJson({
      v: SCOPE_VERSION,
      tenant: target.tenant,
      provider: target.provider,
      model: target.modelId,
      system: system.map(normaliseMessage),
      tools: { tools: (tools ?? []).map(normaliseTool), toolChoice, parallelToolCalls },
      params: normalisedParams,
      priorTurns: history.length,
      history: { history: history.map(normaliseMessage), speaker: last.name },
    }),
  );
  return { eligible: true, scope, prompt, description };
}

function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, 12);
}

/**
 * Numbers in a prompt, as a sorted multiset. Sentence embeddings barely see digits ("Convert 10 USD
 * to EUR" and "Convert 100 USD to EUR" score 0.985 with the embedded model), so a candidate whose
 * numbers differ is refused whatever its similarity.
 */
export function numbersIn(text: string): string {
  const found = text.match(/\d+(?:[.,]\d+)*/g) ?? [];
  return found.sort().join('|');
}
