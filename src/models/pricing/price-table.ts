/**
 * Model → price resolution: config overrides first, then free local providers, then the built-in
 * table. Matching is by exact id, then by the longest known id that the reported id extends with a
 * snapshot suffix (`gpt-4o-2024-08-06` → `gpt-4o`, `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`,
 * `claude-3-7-sonnet-latest` → `claude-3-7-sonnet`). Only snapshot suffixes count, so `gpt-4o-mini`
 * never falls back to `gpt-4o` and `gpt-5.2` never falls back to `gpt-5`: a model we have no price
 * for has an unknown cost, not somebody else's.
 */
import { ConduitError } from '../../core/errors.js';
import type { Usage } from '../../core/usage.js';
import { computeCost, type ModelPrice } from './compute-cost.js';
import { DEFAULT_PRICES, FREE, LOCAL_PROVIDERS } from './default-prices.js';

export interface PriceTable {
  /** The price of a model as a provider reported it; undefined when unknown (cost unknown, not 0). */
  lookup(provider: string, model: string): ModelPrice | undefined;
  /** USD cost of a call; undefined when the price is unknown. */
  cost(provider: string, model: string, usage: Usage): number | undefined;
}

/** `-2024-08-06`, `-20241022`, `-latest`, optionally followed by a vendor suffix (`-v1:0` on Bedrock). */
const SNAPSHOT_SUFFIX = /^(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)(?:$|[-:@])/;
const PRICE_FIELDS = ['input', 'output', 'cachedInput', 'cacheWrite', 'reasoning'] as const;
const MAX_MEMO = 1000;

/** Exact, then longest snapshot-prefix match, in one map. Keys are lower-case. */
function matchPrice(table: ReadonlyMap<string, ModelPrice>, id: string): ModelPrice | undefined {
  const exact = table.get(id);
  if (exact) return exact;
  let best: string | undefined;
  for (const key of table.keys()) {
    if (id.length > key.length + 1 && id.startsWith(key) && id[key.length] === '-' && SNAPSHOT_SUFFIX.test(id.slice(key.length + 1))) {
      if (best === undefined || key.length > best.length) best = key;
    }
  }
  return best === undefined ? undefined : table.get(best);
}

function withoutProviderPrefix(id: string): string {
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? id.slice(slash + 1) : id;
}

function validPrice(key: string, merged: Partial<ModelPrice>): ModelPrice {
  for (const field of PRICE_FIELDS) {
    const v = merged[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new ConduitError('invalid_request', `prices.${key}.${field} must be a non-negative number (USD per 1M tokens), got ${String(v)}`, {
        param: `prices.${key}.${field}`,
      });
    }
  }
  if (merged.input === undefined || merged.output === undefined) {
    throw new ConduitError(
      'invalid_request',
      `prices.${key} needs both input and output (USD per 1M tokens): there is no built-in price for '${key}' to complete it`,
      { param: `prices.${key}` },
    );
  }
  return { ...merged, input: merged.input, output: merged.output };
}

/**
 * Builds a price table. `overrides` come from `prices:` in conduit.yaml, keyed by model id (`gpt-4o`)
 * or `provider/model` (`openai-compatible/llama-3.1-70b`); a partial override completes the built-in
 * price of the same model. Throws ConduitError('invalid_request') for an override that is invalid
 * or incomplete, so a typo fails at startup rather than silently costing 0.
 */
export function createPriceTable(overrides: Record<string, Partial<ModelPrice>> = {}): PriceTable {
  // Frozen copies: lookups hand out these objects, and a caller mutating one must not reprice every later call.
  const builtIn = new Map<string, ModelPrice>(Object.entries(DEFAULT_PRICES).map(([k, v]) => [k.toLowerCase(), Object.freeze({ ...v })]));
  const custom = new Map<string, ModelPrice>();
  for (const [rawKey, override] of Object.entries(overrides)) {
    const key = rawKey.trim().toLowerCase();
    const base = matchPrice(builtIn, withoutProviderPrefix(key));
    custom.set(key, Object.freeze(validPrice(rawKey, { ...base, ...definedFields(override) })));
  }

  // Lookups happen on every response; remember answers (including "unknown") per provider/model.
  const memo = new Map<string, ModelPrice | null>();

  function resolve(provider: string, model: string): ModelPrice | undefined {
    const p = provider.trim().toLowerCase();
    const id = model.trim().toLowerCase();
    const bare = withoutProviderPrefix(id);
    if (custom.size > 0) {
      const found = matchPrice(custom, `${p}/${bare}`) ?? matchPrice(custom, id) ?? matchPrice(custom, bare);
      if (found) return found;
    }
    if (LOCAL_PROVIDERS.has(p)) return FREE;
    return matchPrice(builtIn, bare);
  }

  function lookup(provider: string, model: string): ModelPrice | undefined {
    const key = `${provider}\u0000${model}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const price = resolve(provider, model);
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(key, price ?? null);
    return price;
  }

  return {
    lookup,
    cost(provider, model, usage) {
      const price = lookup(provider, model);
      return price === undefined ? undefined : computeCost(usage, price);
    },
  };
}

/** `{ input: undefined }` from a YAML/zod layer must not erase a built-in rate. */
function definedFields(price: Partial<ModelPrice>): Partial<ModelPrice> {
  const out: Partial<ModelPrice> = {};
  for (const field of PRICE_FIELDS) if (price[field] !== undefined) out[field] = price[field];
  return out;
}
