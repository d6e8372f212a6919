/**
 * `conduit chat "<prompt>"`: one completion through the registry. The answer goes to stdout (so it
 * can be piped); the model, usage and cost go to stderr. With no model configured the offline
 * provider answers with its guidance and the command exits 1, so scripts notice.
 */
import type { Message } from '../../core/messages.js';
import { emptyUsage, type Usage } from '../../core/usage.js';
import type { ModelRequest } from '../../models/language-model.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

interface Outcome {
  text: string;
  usage: Usage;
  costUsd: number | undefined;
  provider: string;
  model: string;
}

export async function runChat(ctx: CommandContext): Promise<number> {
  const { args, io, registry } = ctx;
  let prompt = args.args.join(' ');
  if (prompt === '-') prompt = await io.readStdin();
  if (prompt.trim() === '') throw new UsageError('conduit chat needs a prompt: conduit chat "<prompt>" (or "-" to read it from stdin)');

  const name = registry.defaultModelName();
  const model = registry.resolve(name);
  const messages: Message[] = [];
  if (args.system !== undefined) messages.push({ role: 'system', content: args.system });
  messages.push({ role: 'user', content: prompt });
  const request: ModelRequest = { messages };
  if (args.maxTokens !== undefined) request.maxTokens = args.maxTokens;
  const signal = io.shutdownSignal();

  let outcome: Outcome;
  if (args.stream) {
    outcome = { text: '', usage: emptyUsage(), costUsd: undefined, provider: model.provider, model: model.modelId };
    let finished = false;
    for await (const part of model.stream(request, { signal })) {
      if (part.type === 'start') {
        if (part.provider) outcome.provider = part.provider;
        if (part.model) outcome.model = part.model;
      } else if (part.type === 'text-delta') {
        io.stdout.write(part.delta);
        outcome.text += part.delta;
      } else if (part.type === 'finish') {
        outcome.usage = part.usage;
        outcome.costUsd = part.costUsd;
        finished = true;
      }
    }
    if (!finished) throw new Error('the stream ended without finishing');
    if (!outcome.text.endsWith('\n')) io.stdout.write('\n');
  } else {
    const result = await model.generate(request, { signal });
    outcome = { text: result.text, usage: result.usage, costUsd: result.costUsd, provider: result.provider, model: result.model };
    io.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  }

  io.stderr.write(`${summaryLine(name, outcome)}\n`);
  return outcome.provider === 'offline' ? 1 : 0;
}

/** `model fast → openai/gpt-4o-mini-2024-07-18 · 12 in / 34 out tokens · $0.000022` */
export function summaryLine(requested: string, o: Outcome): string {
  const served = o.provider === o.model ? o.provider : `${o.provider}/${o.model}`;
  const model = served === requested ? served : `${requested} → ${served}`;
  const extras: string[] = [];
  if (o.usage.cachedInputTokens > 0) extras.push(`${o.usage.cachedInputTokens} cached`);
  if (o.usage.cacheWriteTokens > 0) extras.push(`${o.usage.cacheWriteTokens} cache write`);
  if (o.usage.reasoningTokens > 0) extras.push(`${o.usage.reasoningTokens} reasoning`);
  const tokens = `${o.usage.inputTokens} in / ${o.usage.outputTokens} out tokens${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
  const cost = o.costUsd === undefined ? 'cost unknown' : `$${formatCost(o.costUsd)}`;
  return `model ${model} · ${tokens} · ${cost}`;
}

function formatCost(usd: number): string {
  if (usd === 0) return '0';
  // Small calls cost fractions of a cent: keep six significant decimals rather than rounding to $0.00.
  return usd >= 0.01 ? usd.toFixed(4) : usd.toFixed(6);
}
