/**
 * `conduit serve`: the gateway on server.host:server.port until SIGINT/SIGTERM, then a graceful
 * shutdown (no new connections; requests in flight may finish within the gateway's grace period).
 */
import { createGateway } from '../../gateway/index.js';
import { openPolicies } from '../../gateway/policy/open-policies.js';
import { createLogger } from '../../observability/logger.js';
import { GatewayMetrics } from '../../observability/metrics.js';
import type { ModelRegistry } from '../../models/registry/index.js';
import type { CommandContext } from '../context.js';

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
  const gateway = createGateway({
    resolver: registry,
    metrics,
    logger,
    bodyLimitBytes: server.body_limit_bytes,
    maxJsonDepth: server.max_json_depth,
    readiness: async () => ({ ...(await readiness(registry)), ...(await policies.readiness()) }),
    ...(policies.policy === undefined ? {} : { policy: policies.policy }),
    ...(policies.admin === undefined ? {} : { admin: policies.admin }),
    ...(server.cors === undefined ? {} : { corsOrigins: server.cors.origins }),
  });
  const { url } = await gateway.listen(server.port, server.host);
  registry.startHealthChecks();
  // Warm the remote model lists (Ollama, OpenAI-compatible servers) so GET /v1/models includes them.
  registry.listReachable().catch(() => undefined);
  logger.info({ url, config: loaded.displayName ?? null, defaultModel: registry.defaultModelName() }, 'conduit gateway listening');
  io.stderr.write(`Conduit gateway listening on ${url} (default model: ${registry.defaultModelName()})\n`);

  const shutdown = io.shutdownSignal();
  if (!shutdown.aborted) await new Promise<void>((resolve) => shutdown.addEventListener('abort', () => resolve(), { once: true }));

  io.stderr.write('Shutting down: finishing requests in flight…\n');
  registry.close();
  await gateway.close();
  await policies.close();
  logger.info('conduit gateway stopped');
  logger.flush();
  return 0;
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
