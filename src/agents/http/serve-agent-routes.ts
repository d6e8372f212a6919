/**
 * The agent routes as `conduit serve` mounts them: definitions from the `agents:` section (checked
 * at start), and the runtime — run store and audit log on the shared database — opened on the first
 * agent request. Approval decisions go to the gateway's audit log when one is configured, else to
 * an audit log on the same database: a decision is never unaudited.
 */
import { createAuditLog, type AuditLog } from '../../audit/index.js';
import type { AgentsConfig } from '../../config/schema.js';
import type { AppRoutes } from '../../gateway/app-routes.js';
import type { ModelResolver } from '../../models/language-model.js';
import type { SqlDatabase } from '../../store/sql.js';
import type { AgentTool } from '../tool.js';
import type { RunEvent } from '../runs/run-event.js';
import { createAgentRuntime, type AgentRuntime } from '../runs/agent-runtime.js';
import { agentDefinitionsFromConfig } from '../runs/agents-from-config.js';
import { createSqlRunStore } from '../runs/sql-run-store.js';
import { createAgentRoutes } from './agent-routes.js';

export interface ServeAgentRoutesOptions {
  config: AgentsConfig;
  resolver: ModelResolver;
  cwd: string;
  /** Opens (once) the database shared with the other agent stores. */
  openDb: () => Promise<SqlDatabase>;
  /** The gateway's audit log, when `audit:` is configured. */
  audit?: AuditLog;
  extraTools?: readonly AgentTool[];
  /** Sees every run event (tracing). */
  observeEvent?: (event: RunEvent) => void;
}

export async function createServeAgentRoutes(options: ServeAgentRoutesOptions): Promise<AppRoutes> {
  const definitions = await agentDefinitionsFromConfig({
    config: options.config,
    resolver: options.resolver,
    cwd: options.cwd,
    ...(options.extraTools === undefined ? {} : { extraTools: options.extraTools }),
  });
  let opening: Promise<AgentRuntime> | undefined;
  const open = (): Promise<AgentRuntime> => {
    opening ??= (async () => {
      const db = await options.openDb();
      const audit = options.audit ?? (await createAuditLog({ db }));
      return createAgentRuntime({ store: await createSqlRunStore({ db }), audit, agents: definitions, ...(options.observeEvent === undefined ? {} : { observeEvent: options.observeEvent }) });
    })().catch((err: unknown) => {
      // A failed open (database down) is retried by the next request rather than cached forever.
      opening = undefined;
      throw err;
    });
    return opening;
  };
  return createAgentRoutes({ runtime: open, chatAgent: options.config.chat_agent });
}
