/**
 * What happens when a model call ends, however it ends: the rate limiter's token estimate is
 * corrected, the budget hold is committed (or released when nothing was billed), one usage event
 * goes to the ledger and one `model.request` entry (plus one `guardrail.decision` entry when
 * guardrails decided something) to the audit log. Streams are accounted when they finish, fail, or
 * are cut (the client left, the deadline passed): a cut stream is billed for what was streamed.
 *
 * With durable writes the finish part of a stream / the result of a call is handed on only once
 * the usage event and the audit entries are committed, so a response the client received is never
 * lost by a crash. Ledger and audit writes are idempotent by request id, so a replay never duplicates.
 */
import { toConduitError } from '../../core/errors.js';
import type { Usage } from '../../core/usage.js';
import type { AuditEntryInput } from '../../audit/index.js';
import type { Principal } from '../../auth/index.js';
import { principalLabel } from '../../auth/index.js';
import type { BudgetManager, BudgetReservation } from '../../budgets/index.js';
import type { GuardrailDecision } from '../../guardrails/index.js';
import type { UsageEvent, UsageStatus } from '../../ledger/index.js';
import type { CallOptions, EmbeddingModel, EmbeddingResult, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../../models/language-model.js';
import type { LimitCheck, LimitTicket } from '../../ratelimit/index.js';
import type { PolicyServices } from './policy-services.js';
import { callerKeyId } from './rate-limit-checks.js';

export interface CallAccountingInit {
  requestId: string;
  principal: Principal | undefined;
  requested: string;
  provider: string;
  modelId: string;
  streamed: boolean;
  /** What the audit log hashes (or encrypts) as the prompt: chat messages, or embedding inputs. */
  prompt: unknown;
  /** Prompt tokens as estimated before the call (for cut streams and limiter corrections). */
  inputTokenEstimate: number;
  /** Units charged to token limits before the call. */
  tokenCharge: number;
  tokenChecks: LimitCheck[];
  ticket: LimitTicket | undefined;
  budget: { manager: BudgetManager; reservation: BudgetReservation } | undefined;
  estimateOutputTokens: (text: string) => number;
}

const EMPTY_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

export class CallAccounting {
  readonly decisions: GuardrailDecision[] = [];
  private readonly startedAt = Date.now();
  private settled = false;

  constructor(
    private readonly services: PolicyServices,
    readonly init: CallAccountingInit,
  ) {}

  /**
   * The call succeeded (or a stream finished). Returns a promise only when there is something to
   * wait for before answering (durable writes, a budget commit); await it when present.
   */
  complete(usage: Usage, costUsd: number | undefined, provider: string, servedModel: string, responseText: string, cacheHit: boolean): Promise<void> | undefined {
    return this.settle('ok', usage, costUsd, provider, servedModel, responseText, undefined, cacheHit);
  }

  /** The call failed. With `partialText` (a stream cut after content), what was streamed is billed. Same return as `complete`. */
  fail(err: unknown, partialText: string, status: UsageStatus = 'error'): Promise<void> | undefined {
    if (partialText === '') return this.settle(status, EMPTY_USAGE, 0, this.init.provider, this.init.modelId, '', err, false);
    const usage: Usage = { ...EMPTY_USAGE, inputTokens: this.init.inputTokenEstimate, outputTokens: this.init.estimateOutputTokens(partialText) };
    const cost = this.services.priceTable.cost(this.init.provider, this.init.modelId, usage);
    return this.settle(status, usage, cost, this.init.provider, this.init.modelId, partialText, err, false);
  }

  /**
   * Synchronous up to the writes it starts: with durable writes off, the usage event and audit
   * entries are only queued, and nothing but a budget commit is waited for. (It was an async
   * function awaiting Promise.allSettled of every write: a few KB of promises and frames per request.)
   */
  private settle(
    status: UsageStatus,
    usage: Usage,
    costUsd: number | undefined,
    provider: string,
    servedModel: string,
    responseText: string,
    err: unknown,
    cacheHit: boolean,
  ): Promise<void> | undefined {
    if (this.settled) return undefined;
    this.settled = true;
    const { services, init } = this;
    const logger = services.logger;
    const billedNothing = status === 'error' && usage.outputTokens === 0 && usage.inputTokens === 0;

    // Token limits: replace the estimate by what was actually used (a cache hit used no tokens).
    if (init.tokenChecks.length > 0 && services.limiter !== undefined) {
      const actual = cacheHit ? 0 : usage.inputTokens + usage.outputTokens;
      services.limiter.adjust(init.tokenChecks, actual - init.tokenCharge, init.ticket).catch((e: unknown) => logger?.warn({ err: e }, 'rate-limit adjust failed'));
    }
    const writes: Promise<unknown>[] = [];
    if (init.budget !== undefined) {
      const { manager, reservation } = init.budget;
      // Waited for even without durable writes: once answered, the spend is the committed one.
      writes.push(billedNothing ? manager.release(reservation) : manager.commit(reservation, costUsd ?? null));
    }
    const principal = init.principal;
    const durable = services.durableWrites !== false;
    if (services.ledgerBuffer !== undefined) {
      const event: UsageEvent = {
        requestId: init.requestId,
        ts: init.budget?.reservation.startedAt ?? this.startedAt,
        model: init.requested,
        provider,
        servedModel,
        usage: cacheHit ? EMPTY_USAGE : usage,
        costUsd: costUsd ?? null,
        status,
        streamed: init.streamed,
        latencyMs: Date.now() - this.startedAt,
      };
      const keyId = callerKeyId(principal);
      if (keyId !== undefined) event.keyId = keyId;
      if (principal?.userId !== undefined) event.userId = principal.userId;
      if (principal?.team !== undefined) event.team = principal.team;
      if (cacheHit) event.metadata = { cache: 'hit' };
      const p = services.ledgerBuffer.record(event);
      // Without durable writes record() resolves at once; it can fail only after the buffer closed.
      if (durable) writes.push(p);
      else p.catch((e: unknown) => logger?.error({ err: e, reqId: init.requestId }, 'usage write failed'));
    }
    const auditBuffer = services.auditBuffer;
    if (auditBuffer !== undefined) {
      const actor = principal === undefined ? 'anonymous' : principalLabel(principal);
      const entries: AuditEntryInput[] = [];
      if (this.decisions.length > 0) {
        const blocked = this.decisions.some((d) => d.action === 'block');
        const flagged = this.decisions.some((d) => d.action === 'flag');
        entries.push(
          withUser(
            {
              requestId: init.requestId,
              actor,
              action: 'guardrail.decision',
              resource: init.requested,
              outcome: blocked ? 'blocked' : flagged ? 'flagged' : 'allowed',
              details: {
                decisions: this.decisions.map((d) => ({
                  stage: d.stage,
                  check: d.check,
                  action: d.action,
                  ruleId: d.ruleId,
                  ruleIds: d.ruleIds,
                  ...(d.score === undefined ? {} : { score: d.score }),
                  ...(d.counts === undefined ? {} : { counts: d.counts }),
                })),
              },
            },
            principal,
          ),
        );
      }
      const failure = err === undefined ? undefined : toConduitError(err);
      const details: Record<string, unknown> = {
        provider,
        servedModel,
        status,
        streamed: init.streamed,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: costUsd ?? null,
      };
      // Added in place rather than spread into the literal (a spread takes V8's slow object path).
      if (cacheHit) details.cache = 'hit';
      if (failure !== undefined) details.error = { kind: failure.kind, code: failure.code ?? null };
      const request: AuditEntryInput = {
        requestId: init.requestId,
        actor,
        action: 'model.request',
        resource: init.requested,
        outcome: status === 'ok' ? 'success' : failure?.kind === 'policy_refusal' ? 'blocked' : 'failure',
        details,
      };
      // Hashed only, unless the log was opened with content: 'encrypted' (the log hashes it
      // straight from the values, without a JSON round trip: src/audit/canonical-json.ts).
      request.content = { prompt: init.prompt, response: responseText };
      entries.push(withUser(request, principal));
      for (const entry of entries) {
        if (durable) writes.push(auditBuffer.append(entry, { awaitDurable: true }));
        else auditBuffer.append(entry);
      }
    }
    if (writes.length === 0) return undefined;
    const logFailure = (e: unknown): void => {
      logger?.error({ err: e, reqId: init.requestId }, 'usage or audit write failed');
    };
    if (writes.length === 1) return writes[0]!.then(ignoreValue, logFailure);
    return Promise.allSettled(writes).then((results) => {
      for (const r of results) if (r.status === 'rejected') logFailure(r.reason);
    });
  }
}

function ignoreValue(): void {}

function withUser(entry: AuditEntryInput, principal: Principal | undefined): AuditEntryInput {
  if (principal?.userId !== undefined) entry.userId = principal.userId;
  return entry;
}

/** Wraps the (guarded, cached) model so every call ends in `accounting`. */
export function accountedModel(inner: LanguageModel, accounting: CallAccounting): LanguageModel {
  return {
    provider: inner.provider,
    modelId: inner.modelId,
    capabilities: inner.capabilities,
    async generate(request: ModelRequest, options?: CallOptions): Promise<GenerateResult> {
      let result: GenerateResult;
      try {
        result = await inner.generate(request, options);
      } catch (err) {
        await accounting.fail(err, '');
        throw err;
      }
      const settling = accounting.complete(result.usage, result.costUsd, result.provider, result.model, result.text, result.cache !== undefined);
      if (settling !== undefined) await settling;
      return result;
    },
    stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamPart> {
      return accountedStream(inner, request, options, accounting);
    },
  };
}

/** Wraps an embedding model so every call ends in `accounting` (budget commit, usage event, audit entry). */
export function accountedEmbeddingModel(inner: EmbeddingModel, accounting: CallAccounting): EmbeddingModel {
  return {
    provider: inner.provider,
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    async embed(inputs: string[], options?: CallOptions): Promise<EmbeddingResult> {
      let result: EmbeddingResult;
      try {
        result = await inner.embed(inputs, options);
      } catch (err) {
        await accounting.fail(err, '');
        throw err;
      }
      const usage: Usage = { ...EMPTY_USAGE, inputTokens: result.usage.inputTokens };
      // The vectors themselves are not content worth keeping: the audit hashes the inputs and the vector count.
      await accounting.complete(usage, result.costUsd, result.provider, result.model || inner.modelId, `${result.embeddings.length} embeddings`, false);
      return result;
    },
  };
}

async function* accountedStream(inner: LanguageModel, request: ModelRequest, options: CallOptions | undefined, accounting: CallAccounting): AsyncIterable<StreamPart> {
  let text = '';
  let provider = accounting.init.provider;
  let servedModel = accounting.init.modelId;
  let ended = false;
  try {
    for await (const part of inner.stream(request, options)) {
      switch (part.type) {
        case 'start':
          if (part.provider !== undefined) provider = part.provider;
          if (part.model !== undefined) servedModel = part.model;
          break;
        case 'text-delta':
        case 'reasoning-delta':
          text += part.delta;
          break;
        case 'tool-call-delta':
          text += part.argumentsDelta;
          break;
        case 'finish':
          ended = true;
          // Accounted before the finish part goes out: the client's response ends only once it is recorded.
          await accounting.complete(part.usage, part.costUsd, provider, servedModel, text, part.cache !== undefined);
          break;
        default:
          break;
      }
      yield part;
    }
  } catch (err) {
    ended = true;
    await accounting.fail(err, text);
    throw err;
  } finally {
    // Neither finished nor failed: the consumer stopped reading (client gone, deadline). Bill what was streamed.
    if (!ended) void accounting.fail(undefined, text, 'interrupted');
  }
}
