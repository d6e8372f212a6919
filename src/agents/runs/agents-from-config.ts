/**
 * Turns the `agents:` section of conduit.yaml into agent definitions: the built-in tool catalog
 * (calculator always; http_get and the file tools when their settings are present), each agent's
 * allow-list checked against it — an unknown tool name is a configuration error at start, never a
 * surprise at run time — and the built-in `chat` agent behind `/v1/chat` when none is configured.
 */
import { isAbsolute, resolve } from 'node:path';
import type { AgentsConfig } from '../../config/schema.js';
import { ConduitError } from '../../core/errors.js';
import type { ModelResolver } from '../../models/language-model.js';
import type { AgentTool } from '../tool.js';
import { createCalculatorTool } from '../tools/calculator/calculator-tool.js';
import { createFileTools } from '../tools/file-tools.js';
import { createHttpGetTool } from '../tools/http-get-tool.js';
import type { AgentDefinition } from './agent-definition.js';
import { LazyModel } from './lazy-model.js';

export interface AgentsFromConfigOptions {
  config: AgentsConfig;
  resolver: ModelResolver;
  /** Base of relative paths (the sandbox directory). */
  cwd: string;
  /** More tools agents may name (MCP tools, RAG search…). */
  extraTools?: readonly AgentTool[];
}

export const BUILTIN_CHAT_SYSTEM_PROMPT =
  'You are a helpful assistant. For any arithmetic, call the calculator tool instead of computing in your head, then answer with the result.';

/** The built-in tools the configuration makes available, by name. */
export async function builtinToolCatalog(config: AgentsConfig, cwd: string): Promise<Map<string, AgentTool>> {
  const catalog = new Map<string, AgentTool>();
  const calculator = createCalculatorTool();
  catalog.set(calculator.name, calculator);
  const http = config.tools.http_get;
  if (http !== undefined) {
    const tool = createHttpGetTool({ allowedHosts: http.allowed_hosts, timeoutMs: http.timeout_ms, maxBytes: http.max_bytes });
    catalog.set(tool.name, tool);
  }
  const files = config.tools.files;
  if (files !== undefined) {
    const dir = isAbsolute(files.sandbox_dir) ? files.sandbox_dir : resolve(cwd, files.sandbox_dir);
    const { readFile, writeFile } = await createFileTools({ sandboxDir: dir, maxBytes: files.max_bytes, writeRequiresApproval: files.write_requires_approval });
    catalog.set(readFile.name, readFile);
    catalog.set(writeFile.name, writeFile);
  }
  return catalog;
}

export async function agentDefinitionsFromConfig(options: AgentsFromConfigOptions): Promise<AgentDefinition[]> {
  const { config, resolver } = options;
  const catalog = await builtinToolCatalog(config, options.cwd);
  for (const t of options.extraTools ?? []) catalog.set(t.name, t);
  const definitions: AgentDefinition[] = [];
  for (const [name, def] of Object.entries(config.definitions)) {
    const pick = (names: readonly string[], key: string): AgentTool[] =>
      names.map((toolName) => {
        const tool = catalog.get(toolName);
        if (tool === undefined) {
          throw new ConduitError('invalid_request', `agents.definitions.${name}.${key}: unknown tool '${toolName}' (available: ${[...catalog.keys()].join(', ')})`, { code: 'unknown_tool', param: `agents.definitions.${name}.${key}` });
        }
        return tool;
      });
    const tools = pick(def.tools, 'tools');
    for (const t of def.require_approval) {
      if (!def.tools.includes(t)) throw new ConduitError('invalid_request', `agents.definitions.${name}.require_approval: '${t}' is not in the agent's tools`, { code: 'unknown_tool', param: `agents.definitions.${name}.require_approval` });
    }
    const modelName = def.model ?? resolver.defaultModelName();
    definitions.push({
      name,
      model: new LazyModel(resolver, modelName),
      modelName,
      tools,
      toolMode: def.tool_mode,
      requireApproval: def.require_approval,
      limits: {
        maxSteps: def.limits.max_steps,
        deadlineMs: def.limits.deadline_ms,
        ...(def.limits.max_tokens === undefined ? {} : { maxTokens: def.limits.max_tokens }),
        ...(def.limits.max_cost_usd === undefined ? {} : { maxCostUsd: def.limits.max_cost_usd }),
      },
      ...(def.description === undefined ? {} : { description: def.description }),
      ...(def.system === undefined ? {} : { system: def.system }),
      ...(def.tool_timeout_ms === undefined ? {} : { toolTimeoutMs: def.tool_timeout_ms }),
      ...(def.temperature === undefined ? {} : { request: { temperature: def.temperature } }),
    });
  }
  if (!definitions.some((d) => d.name === config.chat_agent)) {
    const modelName = resolver.defaultModelName();
    definitions.push({
      name: config.chat_agent,
      description: 'Built-in assistant behind POST /v1/chat',
      model: new LazyModel(resolver, modelName),
      modelName,
      system: BUILTIN_CHAT_SYSTEM_PROMPT,
      tools: [catalog.get('calculator')!],
    });
  }
  return definitions;
}
