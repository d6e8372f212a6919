/**
 * Context assembly within a token budget from prioritised layers: system, user profile, task,
 * conversation history, retrieved knowledge and the current query. Required layers are never
 * dropped — when they alone do not fit, assembly throws a context_length error instead of cutting
 * the query. Optional layers give way lowest priority first: knowledge loses its least relevant
 * passages, the profile is cut at its end, and the history's oldest turns are summarised (never
 * just cut), the summary being cached per thread up to a message index so it is not recomputed
 * every turn. Tokens are counted with the model's own tokenizer, exactly as a request is counted.
 */
import { ConduitError } from '../../core/errors.js';
import type { Message } from '../../core/messages.js';
import type { CallOptions } from '../../models/language-model.js';
import { countMessageTokens, REPLY_PRIMING_TOKENS, tokenizerFor, type Tokenizer } from '../../models/tokenizer/index.js';
import type { SummaryCache } from './conversation-store.js';
import { createExtractiveSummariser, truncateToTokens, type HistorySummariser } from './history-summariser.js';

export type ContextLayerName = 'system' | 'user_profile' | 'task' | 'history' | 'knowledge' | 'query';

export interface LayerPolicy {
  /** Higher is kept longer: optional layers are reduced lowest priority first. */
  priority: number;
  /** Required layers are never reduced; when they do not fit the budget, assembly fails. */
  required: boolean;
}

/**
 * The guide's six layers (system, user profile, task, history, knowledge, query) with the query
 * above all. Its listing order becomes priority here: the profile outranks history, and history
 * outranks retrieved knowledge, which can be fetched again next turn whereas lost turns cannot.
 */
export const DEFAULT_LAYER_POLICIES: Readonly<Record<ContextLayerName, LayerPolicy>> = {
  query: { priority: 100, required: true },
  system: { priority: 90, required: true },
  task: { priority: 80, required: true },
  user_profile: { priority: 50, required: false },
  history: { priority: 40, required: false },
  knowledge: { priority: 30, required: false },
};

export interface ContextInput {
  system?: string;
  userProfile?: string;
  task?: string;
  /** Retrieved passages, most relevant first (the last ones go first when trimming). */
  knowledge?: readonly string[];
  /** Earlier turns, oldest first. With a summary cache, index i must be the thread's message seq i. */
  history?: readonly Message[];
  /** The current user query. */
  query: string;
}

export interface AssembleContextOptions {
  /** The model the context is for: its tokenizer counts the budget. */
  model: { provider: string; modelId: string };
  /** The model's context window (or any prompt budget), in tokens. */
  maxTokens: number;
  /** Kept free for the reply (default 0). */
  reserveTokens?: number;
  policies?: Partial<Record<ContextLayerName, Partial<LayerPolicy>>>;
  /** Summarises older history (default: extractive, no model). */
  summariser?: HistorySummariser;
  /** Room for the history summary (default: a quarter of the budget, at most 512). */
  summaryMaxTokens?: number;
  /** Where the thread's summary is cached, keyed by conversation id. */
  summaryCache?: { conversationId: string; cache: SummaryCache };
  /**
   * When a new summary is made, it also takes in this fraction of the turns that would still have
   * fitted verbatim (default 0.5), so the next turns fit without summarising again.
   */
  summaryHeadroom?: number;
  callOptions?: CallOptions;
}

export type LayerOutcome = 'full' | 'trimmed' | 'summarised' | 'dropped' | 'empty';

export interface LayerReport {
  name: ContextLayerName;
  priority: number;
  required: boolean;
  outcome: LayerOutcome;
  /** Tokens of the layer's own text (framing excluded). */
  tokens: number;
}

export interface AssembledContext {
  messages: Message[];
  /** Prompt tokens of `messages`, counted as the provider counts them. */
  tokens: number;
  budget: number;
  tokenizer: string;
  layers: LayerReport[];
  /** The history summary in the context, if any; `fresh` when it was made for this call. */
  summary?: { upTo: number; text: string; fresh: boolean };
}

interface Plan {
  profileChars: number;
  knowledgeCount: number;
  /** History: verbatim messages from `verbatimFrom` on; `summaryText` covers those before (or a reservation). */
  historyDropped: boolean;
  verbatimFrom: number;
  summaryText: string | undefined;
  /** Tokens reserved for a summary still to be written (0 when none is needed). */
  pendingSummaryTokens: number;
}

const SUMMARY_HEADING = 'Summary of the earlier conversation:';

export async function assembleContext(input: ContextInput, options: AssembleContextOptions): Promise<AssembledContext> {
  const policies = resolvePolicies(options.policies);
  const tokenizer = tokenizerFor(options.model.provider, options.model.modelId);
  const budget = options.maxTokens - (options.reserveTokens ?? 0);
  const history = input.history ?? [];
  const knowledge = input.knowledge ?? [];
  const profile = input.userProfile ?? '';
  const count = (messages: Message[]) => countMessageTokens(options.model.provider, options.model.modelId, messages);

  // Per-message costs are additive without tools, so history prefix sums give exact totals.
  const messageCost = history.map((m) => count([m]) - REPLY_PRIMING_TOKENS);
  const queryMessage: Message = { role: 'user', content: input.query };
  const queryCost = count([queryMessage]) - REPLY_PRIMING_TOKENS;
  const suffixCost: number[] = new Array<number>(history.length + 1).fill(0);
  for (let i = history.length - 1; i >= 0; i--) suffixCost[i] = (suffixCost[i + 1] ?? 0) + (messageCost[i] ?? 0);

  const cached = options.summaryCache ? await options.summaryCache.cache.getSummary(options.summaryCache.conversationId) : undefined;
  const usableCache = cached !== undefined && cached.upTo > 0 && cached.upTo <= history.length ? cached : undefined;
  const summaryFloor = usableCache?.upTo ?? 0;
  const summaryMaxTokens = options.summaryMaxTokens ?? Math.max(32, Math.min(512, Math.floor(budget / 4)));

  const systemText = (plan: Plan): string => {
    const sections: string[] = [];
    if (input.system) sections.push(input.system);
    if (plan.profileChars > 0) sections.push(`User profile:\n${profileText(profile, plan.profileChars)}`);
    if (input.task) sections.push(`Task:\n${input.task}`);
    if (plan.knowledgeCount > 0) sections.push(`Relevant knowledge:\n${knowledge.slice(0, plan.knowledgeCount).map((k) => `- ${k}`).join('\n')}`);
    if (!plan.historyDropped && plan.summaryText !== undefined) sections.push(`${SUMMARY_HEADING}\n${plan.summaryText}`);
    return sections.join('\n\n');
  };
  const totalOf = (plan: Plan): number => {
    const text = systemText(plan);
    const system = text === '' && plan.pendingSummaryTokens === 0 ? 0 : count([{ role: 'system', content: text }]) - REPLY_PRIMING_TOKENS;
    // A summary still to be written is reserved at its maximum size (plus its heading and separator).
    const pending = plan.pendingSummaryTokens > 0 ? plan.pendingSummaryTokens + tokenizer.count(`\n\n${SUMMARY_HEADING}\n`) : 0;
    const verbatim = plan.historyDropped ? 0 : (suffixCost[plan.verbatimFrom] ?? 0);
    return system + pending + verbatim + queryCost + REPLY_PRIMING_TOKENS;
  };

  const full: Plan = {
    profileChars: profile.length,
    knowledgeCount: knowledge.length,
    historyDropped: false,
    verbatimFrom: summaryFloor,
    summaryText: usableCache?.text,
    pendingSummaryTokens: 0,
  };
  const minimal: Plan = { profileChars: 0, knowledgeCount: 0, historyDropped: true, verbatimFrom: history.length, summaryText: undefined, pendingSummaryTokens: 0 };
  // Required layers first: if they alone do not fit, nothing optional can help and nothing required may be cut.
  const plan: Plan = { ...full };
  const requiredOnly: Plan = {
    ...minimal,
    ...(policies.user_profile.required ? { profileChars: full.profileChars } : {}),
    ...(policies.knowledge.required ? { knowledgeCount: full.knowledgeCount } : {}),
    ...(policies.history.required ? { historyDropped: false, verbatimFrom: full.verbatimFrom, summaryText: full.summaryText } : {}),
  };
  const requiredTokens = totalOf(requiredOnly);
  if (requiredTokens > budget) {
    throw new ConduitError('context_length', `The required context layers need ${requiredTokens} tokens but the budget is ${budget}`, {
      code: 'context_required_layers_exceed_budget',
    });
  }

  const optional = (['user_profile', 'history', 'knowledge'] as const).filter((n) => !policies[n].required).sort((a, b) => policies[a].priority - policies[b].priority);
  for (const name of optional) {
    if (totalOf(plan) <= budget) break;
    if (name === 'knowledge') plan.knowledgeCount = largestFitting(0, knowledge.length, (n) => totalOf({ ...plan, knowledgeCount: n }) <= budget) ?? 0;
    else if (name === 'user_profile') plan.profileChars = largestFitting(0, profile.length, (n) => totalOf({ ...plan, profileChars: n }) <= budget) ?? 0;
    else Object.assign(plan, reduceHistory(plan, history.length, summaryFloor, summaryMaxTokens, (p) => totalOf(p) <= budget));
  }

  let summary: AssembledContext['summary'];
  if (!plan.historyDropped && plan.pendingSummaryTokens > 0) {
    // Take in part of the verbatim tail too (headroom), without starting the tail on a tool result.
    const headroom = options.summaryHeadroom ?? 0.5;
    let split = plan.verbatimFrom + Math.floor((history.length - plan.verbatimFrom) * headroom);
    while (split < history.length && history[split]?.role === 'tool') split++;
    const summariser = options.summariser ?? createExtractiveSummariser();
    const text = await summariser.summarise(
      { previousSummary: usableCache?.text, messages: history.slice(summaryFloor, split), maxTokens: plan.pendingSummaryTokens, tokenizer },
      options.callOptions,
    );
    plan.verbatimFrom = split;
    plan.summaryText = text;
    plan.pendingSummaryTokens = 0;
    summary = { upTo: split, text, fresh: true };
    if (options.summaryCache) await options.summaryCache.cache.putSummary(options.summaryCache.conversationId, { upTo: split, text });
  } else if (!plan.historyDropped && plan.summaryText !== undefined) {
    summary = { upTo: plan.verbatimFrom, text: plan.summaryText, fresh: false };
  }

  let messages = render(plan);
  let tokens = count(messages);
  // Token boundaries between sections can make the exact count differ from the plan by a token or two.
  while (tokens > budget && plan.summaryText !== undefined && !plan.historyDropped) {
    const room = tokenizer.count(plan.summaryText) - (tokens - budget) - 2;
    if (room <= 0) plan.historyDropped = true;
    else plan.summaryText = truncateToTokens(plan.summaryText, room, tokenizer);
    messages = render(plan);
    tokens = count(messages);
  }
  if (tokens > budget) {
    throw new ConduitError('context_length', `The assembled context needs ${tokens} tokens but the budget is ${budget}`, { code: 'context_required_layers_exceed_budget' });
  }
  if (plan.historyDropped) summary = undefined;
  else if (summary !== undefined && plan.summaryText !== undefined) summary.text = plan.summaryText;

  return { messages, tokens, budget, tokenizer: tokenizer.name, layers: reports(plan), ...(summary === undefined ? {} : { summary }) };

  function render(p: Plan): Message[] {
    const out: Message[] = [];
    const text = systemText(p);
    if (text !== '') out.push({ role: 'system', content: text });
    if (!p.historyDropped) out.push(...history.slice(p.verbatimFrom));
    out.push(queryMessage);
    return out;
  }

  function reports(p: Plan): LayerReport[] {
    const report = (name: ContextLayerName, outcome: LayerOutcome, text: string | Message[]): LayerReport => ({
      name,
      priority: policies[name].priority,
      required: policies[name].required,
      outcome,
      tokens: typeof text === 'string' ? tokenCount(tokenizer, text) : text.reduce((n, m) => n + tokenCount(tokenizer, typeof m.content === 'string' ? m.content : ''), 0),
    });
    const kept = p.historyDropped ? [] : history.slice(p.verbatimFrom);
    const historyOutcome: LayerOutcome =
      history.length === 0 ? 'empty' : p.historyDropped ? 'dropped' : p.summaryText !== undefined ? 'summarised' : 'full';
    return [
      report('system', input.system ? 'full' : 'empty', input.system ?? ''),
      report('user_profile', profile === '' ? 'empty' : p.profileChars === 0 ? 'dropped' : p.profileChars < profile.length ? 'trimmed' : 'full', profileText(profile, p.profileChars)),
      report('task', input.task ? 'full' : 'empty', input.task ?? ''),
      report('history', historyOutcome, [...kept, ...(p.summaryText !== undefined && !p.historyDropped ? [{ role: 'system', content: p.summaryText } as Message] : [])]),
      report('knowledge', knowledge.length === 0 ? 'empty' : p.knowledgeCount === 0 ? 'dropped' : p.knowledgeCount < knowledge.length ? 'trimmed' : 'full', knowledge.slice(0, p.knowledgeCount).join('\n')),
      report('query', 'full', input.query),
    ];
  }
}

/**
 * History levels from most to least: every turn after the cached summary verbatim, then fewer
 * verbatim turns with the rest summarised, then the summary alone, then nothing. Not monotonic in
 * tokens (a short cached summary can cost less than a fresh reservation), hence a scan.
 */
function reduceHistory(plan: Plan, length: number, summaryFloor: number, summaryMaxTokens: number, fits: (p: Plan) => boolean): Partial<Plan> {
  for (let from = summaryFloor; from <= length; from++) {
    const needsNewSummary = from > summaryFloor;
    const candidate: Plan = needsNewSummary ? { ...plan, historyDropped: false, verbatimFrom: from, summaryText: undefined, pendingSummaryTokens: summaryMaxTokens } : { ...plan, historyDropped: false, verbatimFrom: from };
    if (fits(candidate)) return candidate;
  }
  return { historyDropped: true, verbatimFrom: length, summaryText: undefined, pendingSummaryTokens: 0 };
}

/** The largest n in [lo, hi] with fits(n), for a monotonic predicate; undefined when none. */
function largestFitting(lo: number, hi: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(lo)) return undefined;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function profileText(profile: string, chars: number): string {
  if (chars <= 0) return '';
  return chars >= profile.length ? profile : `${profile.slice(0, chars)}…`;
}

function tokenCount(tokenizer: Tokenizer, text: string): number {
  return text === '' ? 0 : tokenizer.count(text);
}

function resolvePolicies(overrides: AssembleContextOptions['policies']): Record<ContextLayerName, LayerPolicy> {
  const out = { ...DEFAULT_LAYER_POLICIES } as Record<ContextLayerName, LayerPolicy>;
  for (const [name, policy] of Object.entries(overrides ?? {}) as [ContextLayerName, Partial<LayerPolicy> | undefined][]) {
    if (policy) out[name] = { ...out[name], ...policy };
  }
  // The query is the reason for the call, and the system prompt and task are kept whole: only the
  // profile, history and knowledge can be reduced, so only their `required` flag can be changed.
  out.query = { ...out.query, required: true };
  out.system = { ...out.system, required: true };
  out.task = { ...out.task, required: true };
  return out;
}
