/**
 * The A/B HTTP surface on `conduit serve`:
 * - `POST /v1/experiments/{id}/chat/completions`: an OpenAI chat request (plus `user`, and
 *   `variables` for the arm's registry prompt) answered by the caller's arm; the assignment and its
 *   latency, tokens, cost and outcome are recorded under the response's `x-request-id`, and the arm
 *   is named in `x-conduit-experiment` / `x-conduit-variant`.
 * - `POST /v1/feedback`: `{request_id, score | thumbs, comment}` for such a request.
 * - `GET /v1/experiments/{id}/assignment?user=…`: which arm a user gets (no side effects).
 * - `GET /v1/experiments` and `GET /v1/experiments/{id}/analysis`: admin only.
 */
import { ConduitError, toConduitError } from '../../core/errors.js';
import type { Message } from '../../core/messages.js';
import type { GenerateResult } from '../../models/language-model.js';
import type { AppRoutes } from '../../gateway/app-routes.js';
import { pathSegments, queryOf, readJsonBody } from '../../gateway/app-routes.js';
import type { RequestContext } from '../../gateway/context.js';
import { awaitUpstream, callOptionsFor, prepareModelCall } from '../../gateway/model-call.js';
import { parseChatCompletionRequest } from '../../gateway/openai-request.js';
import { chatCompletionJson } from '../../gateway/openai-response.js';
import { parseDeadlineMs } from '../../gateway/request-headers.js';
import type { PromptRegistry } from '../../prompting/registry.js';
import { analyzeExperiment } from './analysis.js';
import { analysisJson } from './analysis-report.js';
import { assignArm } from './assignment.js';
import type { Experiment } from './experiment.js';
import type { ExperimentStore, FeedbackRecord } from './experiment-store.js';
import { parseFeedback } from './feedback.js';

export interface AbRoutesOptions {
  experiments: ReadonlyMap<string, Experiment>;
  /** Opened on first use (migrations run then). */
  store: () => Promise<ExperimentStore>;
  /** Where the arms' `prompt` refs are loaded from. */
  prompts: PromptRegistry;
}

const MAX_USER_ID_LENGTH = 256;

export function createAbRoutes(options: AbRoutesOptions): AppRoutes {
  const { experiments, prompts } = options;
  const experimentOf = (id: string): Experiment => {
    const e = experiments.get(id);
    if (e === undefined) throw new ConduitError('not_found', `No experiment '${id}'`, { code: 'experiment_not_found' });
    return e;
  };

  return {
    name: 'experiments',
    matches: (path) => path === '/v1/feedback' || path === '/v1/experiments' || path.startsWith('/v1/experiments/'),
    async handle(ctx, path) {
      const method = ctx.req.method ?? 'GET';
      if (path === '/v1/feedback') {
        requireMethod(method, 'POST');
        const feedback: FeedbackRecord = parseFeedback(await readJsonBody(ctx));
        const arm = await (await options.store()).recordFeedback(feedback);
        ctx.sendJson(200, JSON.stringify({ object: 'feedback', request_id: feedback.requestId, experiment: arm.experimentId, variant: arm.variantId }));
        return;
      }
      const segments = pathSegments(path, '/v1/experiments') ?? [];
      if (segments.length === 0) {
        requireMethod(method, 'GET');
        requireAdmin(ctx);
        ctx.sendJson(200, JSON.stringify({ object: 'list', data: [...experiments.values()].map((e) => ({ id: e.id, arms: e.arms, primary_metric: e.primaryMetric })) }));
        return;
      }
      const [id, action, sub] = segments;
      const experiment = experimentOf(id ?? '');
      if (action === 'analysis' && segments.length === 2) {
        requireMethod(method, 'GET');
        requireAdmin(ctx);
        const analysis = analyzeExperiment(experiment, await (await options.store()).observations(experiment.id));
        ctx.sendJson(200, analysisJson(analysis));
        return;
      }
      if (action === 'assignment' && segments.length === 2) {
        requireMethod(method, 'GET');
        const user = queryOf(ctx).get('user') ?? '';
        const arm = assignArm(experiment, checkUserId(user));
        ctx.sendJson(200, JSON.stringify({ experiment: experiment.id, user, variant: arm.id }));
        return;
      }
      if (action === 'chat' && sub === 'completions' && segments.length === 3) {
        requireMethod(method, 'POST');
        await serveChat(ctx, experiment, prompts, options.store);
        return;
      }
      throw new ConduitError('not_found', `Unknown experiments route ${method} ${path}`, { code: 'route_not_found' });
    },
  };
}

async function serveChat(ctx: RequestContext, experiment: Experiment, prompts: PromptRegistry, openStore: () => Promise<ExperimentStore>): Promise<void> {
  const body = await readJsonBody(ctx);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConduitError('invalid_request', 'The body must be a JSON object', { code: 'invalid_body' });
  const { variables, ...forwarded } = body as Record<string, unknown>;
  if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) {
    throw new ConduitError('invalid_request', "'variables' must be an object of the prompt's variables", { param: 'variables' });
  }
  // Who is being assigned: the OpenAI `user` field, else the caller's own identity.
  const userId = checkUserId(typeof forwarded.user === 'string' ? forwarded.user : (ctx.principal?.userId ?? ''));
  const arm = assignArm(experiment, userId);
  if (arm.model !== undefined) forwarded.model = arm.model;
  const call = parseChatCompletionRequest(forwarded);
  if (call.stream) throw new ConduitError('invalid_request', 'Experiment requests are answered as JSON; streaming is not supported here yet', { code: 'stream_unsupported', param: 'stream' });
  if (arm.prompt !== undefined) {
    const prompt = await prompts.load(arm.prompt);
    const rendered: Message[] = prompt.template.renderMessages((variables ?? {}) as Record<string, unknown>);
    call.request.messages = [...rendered, ...call.request.messages];
  }
  const store = await openStore();
  ctx.responseHeaders = [...(ctx.responseHeaders ?? []), 'x-conduit-experiment', experiment.id, 'x-conduit-variant', arm.id];

  let model = prepareModelCall(ctx, call.model, false);
  const callOptions = callOptionsFor(ctx, parseDeadlineMs(ctx.req.headers['x-conduit-deadline-ms']));
  const policy = ctx.gw.policy;
  if (policy !== undefined) model = await policy.prepare(ctx, call.model, model, call.request, callOptions);
  const started = performance.now();
  let failure: ConduitError | undefined;
  const result: GenerateResult | undefined = await awaitUpstream(ctx, async () => {
    try {
      return await model.generate(call.request, callOptions);
    } catch (err) {
      failure = toConduitError(err);
      throw err;
    }
  });
  const latencyMs = performance.now() - started;
  const record = {
    requestId: ctx.requestId,
    experimentId: experiment.id,
    variantId: arm.id,
    userId,
    ok: result !== undefined,
    latencyMs,
    inputTokens: result?.usage.inputTokens ?? 0,
    outputTokens: result?.usage.outputTokens ?? 0,
    ...(result === undefined ? { errorCode: failure?.code ?? failure?.kind ?? 'cancelled' } : {}),
    ...(result?.costUsd === undefined ? {} : { costUsd: result.costUsd }),
  };
  try {
    // Recorded before the response leaves, so feedback posted right after finds its request.
    await store.recordRequest(record);
  } catch (err) {
    // The caller still gets its answer; the lost observation is logged loudly.
    ctx.gw.logger?.error({ err, experiment: experiment.id, request_id: ctx.requestId }, 'could not record the A/B request');
  }
  if (result === undefined) return;
  ctx.provider = result.provider;
  ctx.costUsd = result.costUsd;
  ctx.usage = result.usage;
  const id = result.id !== undefined && result.id.startsWith('chatcmpl-') ? result.id : 'chatcmpl-' + ctx.uniqueId();
  ctx.sendJson(200, chatCompletionJson(id, Math.floor(Date.now() / 1000), result.model || call.model, result));
}

function checkUserId(user: string): string {
  if (user.length === 0) {
    throw new ConduitError('invalid_request', "A/B assignment needs a user: set 'user' in the body (or call with a key that has an owner)", { code: 'missing_user', param: 'user' });
  }
  if (user.length > MAX_USER_ID_LENGTH) throw new ConduitError('invalid_request', `'user' is longer than ${MAX_USER_ID_LENGTH} characters`, { param: 'user' });
  return user;
}

function requireMethod(method: string, expected: string): void {
  if (method !== expected) throw new ConduitError('invalid_request', `Use ${expected} here, not ${method}`, { code: 'method_not_allowed', status: 405 });
}

/** Analyses expose every arm's traffic and feedback: master key (or another admin principal) only. */
function requireAdmin(ctx: RequestContext): void {
  if (ctx.principal?.admin !== true) throw new ConduitError('permission', 'Experiment analysis needs the admin (master) key', { code: 'admin_required' });
}
