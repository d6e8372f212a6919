/**
 * `conduit serve`: the gateway on server.host:server.port until SIGINT/SIGTERM, then a graceful
 * shutdown (no new connections; requests in flight may finish within the gateway's grace period).
 */
import { join } from 'node:path';
import { createGateway } from '../../gateway/index.js';
import { openPolicies } from '../../gateway/policy/open-policies.js';
import { createLogger } from '../../observability/logger.js';
import { GatewayMetrics } from '../../observability/metrics.js';
import type { ModelRegistry } from '../../models/registry/index.js';
import type { CommandContext } from '../context.js';
import { mcpRoutes } from '../../mcp/http-routes.js';
import { createPromptRegistry } from '../../prompting/registry.js';
import { conduitMcpTools } from './mcp.js';
import { connectConfiguredMcpServers } from '../../mcp/configured-servers.js';
import { resolve as resolvePath } from 'node:path';
import { createConversationRoutes } from '../../agents/http/conversation-routes.js';
import { createLazyConversationStore } from '../../agents/conversations/sql-conversation-store.js';
import { openDatabase } from '../../store/open-database.js';
import type { SqlDatabase } from '../../store/sql.js';
import { ragConfigOf } from '../../config/schema.js';
import { createRagRoutes } from '../../rag/service/rag-routes.js';
import { openRagService } from '../../rag/service/open-rag-service.js';
import { agentsConfigOf } from '../../config/schema.js';
import { createServeAgentRoutes } from '../../agents/http/serve-agent-routes.js';
import { openTracing } from '../../observability/tracing/open-tracing.js';
import { tracedResolver } from '../../observability/tracing/traced-resolver.js';
import { agentRunTracer } from '../../observability/tracing/agent-run-tracing.js';
import { openAlerting } from '../../observability/alerting/open-alerting.js';
import type { BudgetReading } from '../../observability/alerting/alert-rules.js';
import { readBudgetUse } from '../../budgets/index.js';
import type { PolicyServices } from '../../gateway/policy/policy-services.js';
import { createTraceRoutes } from '../../observability/tracing/trace-routes.js';
import { createAlertRoutes } from '../../observability/alerting/alert-routes.js';
import { createAbRoutes } from '../../eval/ab/ab-routes.js';
import { defineExperiments } from '../../eval/ab/experiment.js';
import { lazyExperimentStore } from '../../eval/ab/experiment-store.js';
import { attachConsole } from '../../console/index.js';
import { incidentRoutesFor } from './incident.js';

export async function runServe(ctx: CommandContext): Promise<number> {
  const { io, loaded, registry } = ctx;
  const { server, logging } = loaded.config;
  const logger = createLogger({ level: logging.level });
  // Policies (keys, limits, budgets, cache, guardrails, audit) open their storage here, and run migrations, before we listen.
  // One metrics object for both: the policies add their gauges (dlq_*) to the registry the gateway serves.
  const metrics = new GatewayMetrics();
  const policies = await openPolicies(loaded.config, { priceTable: registry.priceTable, logger, env: io.env, metrics });
  for (const warning of policies.warnings) {
    logger.warn(warning);
    io.stderr.write(`WARNING: ${warning}\n`);
  }
  // Agent state (conversations…) uses the policies' database when they opened one — two PGlite
  // instances must never open the same directory — else its own, opened on first use.
  let agentDb: Promise<SqlDatabase> | undefined;
  const openAgentDb = (): Promise<SqlDatabase> => {
    const { storage } = loaded.config;
    agentDb ??= policies.db !== undefined ? Promise.resolve(policies.db) : openDatabase({ ...(storage.database_url === undefined ? {} : { url: storage.database_url }), stateDir: resolvePath(io.cwd, storage.state_dir) });
    return agentDb;
  };
  // Tracing (`tracing.enabled`): spans go to OTLP or the store; model calls are traced through the resolver.
  const tracing = loaded.config.tracing?.enabled === true ? await openTracing(loaded.config.tracing, { openDb: openAgentDb, logger }) : undefined;
  const resolver = tracing === undefined ? registry : tracedResolver(registry, tracing.tracer);
  // Alert rules over this gateway's metrics (`alerting:`), with router deployment health as the provider signal; started once listening.
  const alerting =
    loaded.config.alerting === undefined
      ? undefined
      : openAlerting(loaded.config.alerting, { metrics, logger, providerHealth: () => deploymentHealth(registry), budgets: budgetReadings(policies.services) });
  // Agent runs: definitions checked now (a bad `agents:` section fails the start), runtime opened on first use.
  const agentsConfig = agentsConfigOf(loaded.config);
  // A/B experiments: checked now (shares over 100% fail the start), their store opened on first use.
  const experiments = defineExperiments(loaded.config.experiments ?? []);
  // Tools of the MCP servers under mcp.servers (`<server>__<tool>`), for agents to name; one that cannot be reached is left out with a warning.
  const mcpToolset = await connectConfiguredMcpServers(loaded.config.mcp?.servers ?? [], { onError: 'skip' });
  for (const warning of mcpToolset.warnings) {
    logger.warn(warning);
    io.stderr.write(`WARNING: ${warning}\n`);
  }
  const agentRoutes = agentsConfig.http
    ? await createServeAgentRoutes({
        config: agentsConfig,
        // Traced when tracing is on: agent model calls become children of the request's span; runs and tool calls become spans from the run events.
        resolver,
        ...(tracing === undefined ? {} : { observeEvent: agentRunTracer(tracing.tracer, { modelCalls: false }) }),
        cwd: io.cwd,
        openDb: openAgentDb,
        extraTools: mcpToolset.tools,
        ...(policies.services?.audit === undefined ? {} : { audit: policies.services.audit }),
      })
    : undefined;
  const gateway = createGateway({
    resolver,
    ...(tracing === undefined ? {} : { tracing: tracing.gateway }),
    metrics,
    logger,
    bodyLimitBytes: server.body_limit_bytes,
    maxJsonDepth: server.max_json_depth,
    readiness: async () => ({ ...(await readiness(registry)), ...(await policies.readiness()) }),
    ...(policies.policy === undefined ? {} : { policy: policies.policy }),
    ...(policies.admin === undefined ? {} : { admin: policies.admin }),
    ...(server.cors === undefined ? {} : { corsOrigins: server.cors.origins }),
    appRoutes: [
      // GET /v1/traces, /v1/traces/{id} (own trace store) and GET /v1/alerts: admin only, for the console.
      ...(tracing?.store === undefined ? [] : [createTraceRoutes(tracing.store)]),
      ...(alerting === undefined ? [] : [createAlertRoutes(alerting)]),
      // /v1/conversations: append-only threads answered with earlier turns in context.
      createConversationRoutes({ store: createLazyConversationStore(openAgentDb) }),
      // /v1/agents/{name}/runs, /v1/runs/*, /v1/chat: agent runs with persisted events and approvals.
      ...(agentRoutes === undefined ? [] : [agentRoutes]),
      // MCP at /mcp: the built-in tools and ./prompts, admitted like every other route.
      ...(loaded.config.mcp?.http === false ? [] : [mcpRoutes({ tools: await conduitMcpTools(loaded.config, io.cwd), prompts: createPromptRegistry({ root: join(io.cwd, 'prompts') }) })]),
      // /v1/rag/*: collections, ingestion (JSON or multipart), queries; storage opened on first use.
      ...(ragConfigOf(loaded.config).http
        ? [createRagRoutes(() => openRagService({ config: loaded.config, registry, cwd: io.cwd, env: io.env, ...(tracing === undefined ? {} : { tracer: tracing.tracer }) }), { uploadLimitBytes: ragConfigOf(loaded.config).upload_limit_bytes })]
        : []),
      // /v1/experiments/{id}/chat/completions, /v1/feedback, /v1/experiments/{id}/analysis (admin).
      ...(experiments.size === 0 ? [] : [createAbRoutes({ experiments, store: lazyExperimentStore(openAgentDb), prompts: createPromptRegistry({ root: join(io.cwd, 'prompts') }) })]),
      // /v1/incidents/*: alert ingestion, incidents and their timeline, approvals (`incident:` section).
      ...(loaded.config.incident?.http === true ? [incidentRoutesFor(loaded.config.incident, { registry, openDb: openAgentDb, cwd: io.cwd, metrics, logger, ...(policies.services?.audit === undefined ? {} : { audit: policies.services.audit }) })] : []),
    ],
  });
  const { url } = await gateway.listen(server.port, server.host);
  registry.startHealthChecks();
  alerting?.start();
  // The operator's console at /console (master-key login), in front of the gateway's handler so it stays reachable during an emergency stop.
  attachConsole({
    gateway,
    resolver: registry,
    policies,
    baseUrl: () => url,
    prompts: createPromptRegistry({ root: join(io.cwd, 'prompts') }),
    agentRuns: agentRoutes !== undefined,
    // The incident app opens inside its route group on first use; the console reaches it through those routes.
    incidentRoutes: loaded.config.incident?.http === true,
    ...(tracing?.store === undefined ? {} : { traces: tracing.store }),
    ...(alerting === undefined ? {} : { alerts: alerting }),
    onError: (err) => logger.error({ err }, 'unexpected error in the console'),
  });
  // Warm the remote model lists (Ollama, OpenAI-compatible servers) so GET /v1/models includes them.
  registry.listReachable().catch(() => undefined);
  logger.info({ url, config: loaded.displayName ?? null, defaultModel: registry.defaultModelName() }, 'conduit gateway listening');
  io.stderr.write(`Conduit gateway listening on ${url} (default model: ${registry.defaultModelName()})\n`);

  const shutdown = io.shutdownSignal();
  if (!shutdown.aborted) await new Promise<void>((resolve) => shutdown.addEventListener('abort', () => resolve(), { once: true }));

  io.stderr.write('Shutting down: finishing requests in flight…\n');
  registry.close();
  await alerting?.stop();
  await gateway.close();
  await tracing?.close();
  await mcpToolset.close();
  if (agentDb !== undefined && policies.db === undefined) await (await agentDb.catch(() => undefined))?.close();
  await policies.close();
  logger.info('conduit gateway stopped');
  logger.flush();
  return 0;
}

/** Each routed deployment that is marked unhealthy or has an open circuit, for the provider-health alert. */
function deploymentHealth(registry: ModelRegistry): { provider: string; healthy: boolean; reason?: string }[] {
  return registry.routers().flatMap((router) =>
    router.status().map((d) => {
      const open = d.circuit?.state === 'open';
      return { provider: `${router.name}/${d.id}`, healthy: d.healthy && !open, reason: open ? 'circuit open' : d.healthy ? undefined : 'health check failing' };
    }),
  );
}

/** `GET /ready`: the default model resolves, and every routed alias has a deployment it can use. */
async function readiness(registry: ModelRegistry): Promise<Record<string, boolean | string>> {
  const checks: Record<string, boolean | string> = {};
  try {
    registry.resolve(registry.defaultModelName());
    checks.default_model = true;
  } catch (err) {
    checks.default_model = err instanceof Error ? err.message : String(err);
  }
  for (const router of registry.routers()) {
    const usable = router.status().some((d) => d.healthy && d.circuit?.state !== 'open');
    checks[`alias:${router.name}`] = usable ? true : 'no healthy deployment (unhealthy or circuit open)';
  }
  return checks;
}

/** `budget_use` alerts: each configured budget's spend in its window, from the ledger (none without budgets or a ledger). */
function budgetReadings(services: PolicyServices | undefined): (() => Promise<BudgetReading[]>) | undefined {
  const ledger = services?.ledger;
  const rules = services?.budgets?.rules;
  if (ledger === undefined || rules === undefined || rules.length === 0) return undefined;
  return async () => {
    await services?.ledgerBuffer?.flush();
    return (await readBudgetUse(ledger, rules)).map((b) => ({ scope: `${b.scope}:${b.scopeValue ?? '*'}/${b.window}`, usedUsd: b.spentUsd, limitUsd: b.limitUsd }));
  };
}
