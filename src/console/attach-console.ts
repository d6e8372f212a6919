/**
 * The console as `conduit serve` (and the tests) mount it: built from what the gateway and its
 * policies already opened, and put in front of the gateway's handler.
 */
import type { Server } from 'node:http';
import type { OpenedPolicies } from '../gateway/policy/open-policies.js';
import type { ModelResolver } from '../models/language-model.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { PromptRegistry } from '../prompting/registry.js';
import { approvalsOverHttp } from './approvals-source.js';
import type { ApprovalsSource } from './approvals-source.js';
import type { ConduitConsole } from './console-server.js';
import { createConsole } from './console-server.js';
import { createGatewayClient } from './gateway-client.js';
import { incidentsFromService, incidentsOverHttp } from './incident-source.js';
import type { IncidentSource } from './incident-source.js';
import type { IncidentService } from '../apps/incident/incident-service.js';
import { createLiveStats } from './live-stats.js';
import { mountConsole } from './mount-console.js';
import type { AlertSource, TraceSource } from './trace-source.js';

export interface AttachConsoleOptions {
  gateway: { server: Server; metrics: GatewayMetrics };
  resolver: ModelResolver;
  policies: Pick<OpenedPolicies, 'services' | 'db' | 'dlq'>;
  /** The gateway's own base URL once it listens (the playground and approvals call its routes). */
  baseUrl: () => string | undefined;
  prompts?: PromptRegistry;
  /** Whether the agent routes (`/v1/runs`) are mounted: the approvals page uses them. */
  agentRuns?: boolean;
  /** Where approvals come from instead of this gateway's `/v1/runs` (agents served elsewhere). */
  approvals?: ApprovalsSource;
  traces?: TraceSource;
  alerts?: AlertSource;
  /** The incident service (or a function opening it on first use), or another source of incidents. */
  incidents?: IncidentService | (() => Promise<IncidentService>) | IncidentSource;
  /** Whether the incident routes (`/v1/incidents`) are mounted: without `incidents`, the page uses them. */
  incidentRoutes?: boolean;
  staticDir?: string;
  sessionTtlMs?: number;
  /** Live-number sampling interval; default 1000 ms. */
  sampleIntervalMs?: number;
  onError?: (err: unknown) => void;
}

function isIncidentSource(v: NonNullable<AttachConsoleOptions['incidents']>): v is IncidentSource {
  return typeof v === 'object' && 'decide' in v;
}

export function attachConsole(options: AttachConsoleOptions): ConduitConsole {
  const services = options.policies.services;
  const masterKey = services?.masterKey;
  const client = masterKey === undefined ? undefined : createGatewayClient({ baseUrl: options.baseUrl, credential: masterKey });
  const given = options.incidents;
  const incidents: IncidentSource | undefined =
    given !== undefined ? (isIncidentSource(given) ? given : incidentsFromService(given)) : client !== undefined && options.incidentRoutes === true ? incidentsOverHttp(client) : undefined;
  const live = createLiveStats({ metrics: options.gateway.metrics, ...(options.sampleIntervalMs === undefined ? {} : { intervalMs: options.sampleIntervalMs }) });
  const console = createConsole({
    masterKey,
    live,
    resolver: options.resolver,
    ...(services?.keys === undefined ? {} : { keys: services.keys }),
    ...(services?.ledger === undefined ? {} : { ledger: services.ledger }),
    ...(services?.ledgerBuffer === undefined ? {} : { ledgerBuffer: services.ledgerBuffer }),
    ...(services?.ledger === undefined || options.policies.db === undefined ? {} : { db: options.policies.db }),
    ...(services?.emergencyStop === undefined ? {} : { emergencyStop: services.emergencyStop }),
    ...(services?.audit === undefined ? {} : { audit: services.audit }),
    ...(services === undefined ? {} : { cacheStats: services.cacheStats }),
    ...(services?.budgets === undefined ? {} : { budgetRules: services.budgets.rules }),
    ...(options.policies.dlq === undefined ? {} : { dlq: options.policies.dlq }),
    ...(options.prompts === undefined ? {} : { prompts: options.prompts }),
    ...(client === undefined ? {} : { gateway: client }),
    ...(options.approvals !== undefined ? { approvals: options.approvals } : client === undefined || options.agentRuns !== true ? {} : { approvals: approvalsOverHttp(client) }),
    ...(options.traces === undefined ? {} : { traces: options.traces }),
    ...(options.alerts === undefined ? {} : { alerts: options.alerts }),
    ...(incidents === undefined ? {} : { incidents }),
    ...(options.staticDir === undefined ? {} : { staticDir: options.staticDir }),
    ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  mountConsole(options.gateway.server, console);
  return console;
}
