/**
 * The diagnosis agent's tools: log search, Prometheus queries, recent changes and similar past
 * incidents. They only read; nothing here can change a system, so none needs an approval.
 */
import { z } from 'zod';
import { defineTool } from '../../../agents/tools/define-tool.js';
import type { AgentTool } from '../../../agents/tool.js';
import type { SemanticMemory } from '../../../agents/memory/index.js';
import type { SignalStore } from '../store/signal-store.js';
import type { LogSearch } from './log-search.js';
import type { PrometheusClient } from './prometheus-client.js';
import { recallSimilar } from './incident-memory.js';

export interface DiagnosisSources {
  logs: LogSearch[];
  prometheus?: PrometheusClient;
  signals: SignalStore;
  memory?: SemanticMemory;
  clock?: () => Date;
}

const MAX_TOOL_OUTPUT = 6000;

function cap(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length <= MAX_TOOL_OUTPUT ? text : `${text.slice(0, MAX_TOOL_OUTPUT)}… (truncated)`;
}

export function createDiagnosisTools(sources: DiagnosisSources): AgentTool[] {
  const now = sources.clock ?? (() => new Date());
  const tools: AgentTool[] = [];
  if (sources.logs.length > 0) {
    tools.push(
      defineTool({
        name: 'search_logs',
        description: `Search logs (${sources.logs.map((l) => l.backend).join(', ')}) for text, optionally for one service, over the last minutes.`,
        schema: z.object({ query: z.string().describe('text to find, e.g. "error" or "timeout"'), service: z.string().optional(), minutes_back: z.number().int().min(1).max(1440).default(60) }),
        async execute(args) {
          const until = now();
          const since = new Date(until.getTime() - args.minutes_back * 60_000);
          const results = await Promise.all(sources.logs.map(async (l) => ({ backend: l.backend, lines: await l.search({ text: args.query, ...(args.service === undefined ? {} : { service: args.service }), since, until, limit: 20 }) })));
          return cap(results);
        },
      }),
    );
  }
  const prometheus = sources.prometheus;
  if (prometheus !== undefined) {
    tools.push(
      defineTool({
        name: 'query_metrics',
        description: 'Run a PromQL query on Prometheus: instant when minutes_back is omitted, else a range query.',
        schema: z.object({ promql: z.string().min(1), minutes_back: z.number().int().min(1).max(1440).optional(), step_seconds: z.number().int().min(1).max(3600).default(60) }),
        async execute(args) {
          const end = now();
          const series = args.minutes_back === undefined ? await prometheus.query(args.promql, end) : await prometheus.queryRange(args.promql, new Date(end.getTime() - args.minutes_back * 60_000), end, args.step_seconds);
          return cap(series.slice(0, 20));
        },
      }),
    );
  }
  tools.push(
    defineTool({
      name: 'recent_changes',
      description: 'Deploys and configuration changes pushed to Conduit, newest first.',
      schema: z.object({ service: z.string().optional(), hours_back: z.number().min(0.1).max(168).default(6) }),
      async execute(args) {
        const since = new Date(now().getTime() - args.hours_back * 3_600_000).toISOString();
        return cap(await sources.signals.recentChanges(args.service === undefined ? [] : [args.service], since));
      },
    }),
  );
  const memory = sources.memory;
  if (memory !== undefined) {
    tools.push(
      defineTool({
        name: 'similar_incidents',
        description: 'Past incidents similar to a description, with how they were resolved.',
        schema: z.object({ description: z.string().min(1) }),
        execute: async (args) => cap(await recallSimilar(memory, args.description)),
      }),
    );
  }
  return tools;
}
