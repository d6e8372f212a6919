/**
 * Command-line parsing with node's util.parseArgs. All options are parsed in one pass (so global
 * options may come before or after the command), then checked against what the command accepts.
 */
import { parseArgs } from 'node:util';

/** A mistake in how the CLI was called: reported with a hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const COMMANDS = ['serve', 'models', 'config', 'chat', 'solve', 'prompts', 'keys', 'spend', 'audit', 'cache', 'mcp', 'rag', 'runs', 'eval', 'ab', 'loadtest', 'dataset', 'capacity', 'incident', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  config: { type: 'string' },
  model: { type: 'string', short: 'm' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  stream: { type: 'boolean' },
  system: { type: 'string' },
  'max-tokens': { type: 'string' },
  json: { type: 'boolean' },
  name: { type: 'string' },
  team: { type: 'string' },
  user: { type: 'string' },
  models: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'group-by': { type: 'string' },
  'max-steps': { type: 'string' },
  collection: { type: 'string', short: 'c' },
  strategy: { type: 'string' },
  strategies: { type: 'string' },
  'top-k': { type: 'string' },
  k: { type: 'string' },
  agent: { type: 'string' },
  status: { type: 'string' },
  reason: { type: 'string' },
  'no-cache': { type: 'boolean' },
  junit: { type: 'string' },
  markdown: { type: 'string' },
  concurrency: { type: 'string' },
  repeat: { type: 'string' },
  suite: { type: 'string' },
  limit: { type: 'string' },
  output: { type: 'string', short: 'o' },
  where: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  requests: { type: 'string' },
  prompt: { type: 'string' },
  'api-key': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'target-rate': { type: 'string' },
  'target-latency-ms': { type: 'string' },
  task: { type: 'string' },
  seed: { type: 'string' },
  ratios: { type: 'string' },
  'data-size': { type: 'string' },
  specificity: { type: 'string' },
  gap: { type: 'string' },
  weeks: { type: 'string' },
  'model-size': { type: 'string' },
  url: { type: 'string' },
  window: { type: 'string' },
  'latency-ms': { type: 'string' },
  'per-replica': { type: 'string' },
  headroom: { type: 'string' },
  severity: { type: 'string' },
  summary: { type: 'string' },
  note: { type: 'string' },
  service: { type: 'string' },
  score: { type: 'string' },
  thumbs: { type: 'string' },
  comment: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;

const GLOBAL_OPTIONS: readonly OptionName[] = ['config', 'model', 'help', 'version'];

const COMMAND_OPTIONS: Record<CommandName, readonly OptionName[]> = {
  serve: ['host', 'port'],
  models: ['json'],
  config: [],
  chat: ['stream', 'system', 'max-tokens'],
  solve: ['max-steps', 'json', 'stream'],
  prompts: ['json'],
  keys: ['name', 'team', 'user', 'models', 'rpm', 'tpm', 'json'],
  spend: ['from', 'to', 'group-by', 'json'],
  audit: [],
  cache: ['json'],
  mcp: [],
  rag: ['collection', 'strategy', 'strategies', 'top-k', 'k', 'score', 'thumbs', 'comment', 'json'],
  runs: ['agent', 'status', 'reason', 'user', 'json'],
  eval: ['no-cache', 'junit', 'markdown', 'concurrency', 'repeat', 'suite', 'limit', 'output', 'where', 'from', 'models', 'json'],
  ab: ['json'],
  loadtest: ['rate', 'concurrency', 'duration', 'requests', 'stream', 'prompt', 'max-tokens', 'api-key', 'timeout-ms', 'target-rate', 'target-latency-ms', 'json'],
  dataset: ['task', 'seed', 'ratios', 'output', 'system', 'data-size', 'specificity', 'gap', 'weeks', 'model-size', 'json'],
  capacity: ['url', 'window', 'rate', 'latency-ms', 'target-rate', 'target-latency-ms', 'per-replica', 'headroom', 'json'],
  incident: ['host', 'port', 'url', 'api-key', 'status', 'reason', 'severity', 'summary', 'note', 'service', 'json'],
  help: [],
};

export interface ParsedArgs {
  /** Undefined when no command was given (`conduit`, `conduit --version`). */
  command: CommandName | undefined;
  /** Positionals after the command. */
  args: string[];
  config?: string;
  model?: string;
  help: boolean;
  version: boolean;
  host?: string;
  port?: string;
  stream: boolean;
  system?: string;
  maxTokens?: number;
  json: boolean;
  /** Raw values of the policy commands' options (`keys create --name …`, `spend --from …`). */
  options: Record<string, string | undefined>;
}

export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(describeParseError(err));
  }
  const { values, positionals, tokens } = parsed;

  const [first, ...rest] = positionals;
  let command: CommandName | undefined;
  if (first !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      throw new UsageError(`unknown command '${first}' (commands: ${COMMANDS.filter((c) => c !== 'help').join(', ')})`);
    }
    command = first as CommandName;
  }

  const allowed = new Set<OptionName>([...GLOBAL_OPTIONS, ...(command ? COMMAND_OPTIONS[command] : [])]);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!allowed.has(token.name as OptionName)) {
      const where = command ? `'conduit ${command}'` : "'conduit' without a command";
      throw new UsageError(`option '${token.rawName}' does not apply to ${where}`);
    }
  }

  let maxTokens: number | undefined;
  if (values['max-tokens'] !== undefined) {
    maxTokens = Number(values['max-tokens']);
    if (!Number.isInteger(maxTokens) || maxTokens <= 0) throw new UsageError(`--max-tokens expects a positive integer, got '${values['max-tokens']}'`);
  }

  return {
    command,
    args: rest,
    config: values.config,
    model: values.model,
    help: values.help ?? false,
    version: values.version ?? false,
    host: values.host,
    port: values.port,
    stream: values.stream ?? false,
    system: values.system,
    maxTokens,
    json: values.json ?? false,
    options: {
      name: values.name,
      team: values.team,
      user: values.user,
      models: values.models,
      rpm: values.rpm,
      tpm: values.tpm,
      from: values.from,
      to: values.to,
      groupBy: values['group-by'],
      maxSteps: values['max-steps'],
      collection: values.collection,
      strategy: values.strategy,
      strategies: values.strategies,
      topK: values['top-k'],
      k: values.k,
      agent: values.agent,
      status: values.status,
      reason: values.reason,
      noCache: values['no-cache'] === true ? 'true' : undefined,
      junit: values.junit,
      markdown: values.markdown,
      concurrency: values.concurrency,
      repeat: values.repeat,
      suite: values.suite,
      limit: values.limit,
      output: values.output,
      where: values.where,
      rate: values.rate,
      duration: values.duration,
      requests: values.requests,
      prompt: values.prompt,
      apiKey: values['api-key'],
      timeoutMs: values['timeout-ms'],
      targetRate: values['target-rate'],
      targetLatencyMs: values['target-latency-ms'],
      task: values.task,
      seed: values.seed,
      ratios: values.ratios,
      dataSize: values['data-size'],
      specificity: values.specificity,
      gap: values.gap,
      weeks: values.weeks,
      modelSize: values['model-size'],
      url: values.url,
      window: values.window,
      latencyMs: values['latency-ms'],
      perReplica: values['per-replica'],
      headroom: values.headroom,
      severity: values.severity,
      summary: values.summary,
      note: values.note,
      service: values.service,
      score: values.score,
      thumbs: values.thumbs,
      comment: values.comment,
    },
  };
}

/** parseArgs messages mention internals ("To specify a positional argument starting with a '-'…"); keep the first sentence. */
function describeParseError(err: unknown): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /Unknown option '([^']+)'/.exec(message);
    return `unknown option '${m?.[1] ?? message}'`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const m = /Option '(?:-\w, )?(--[\w-]+)/.exec(message);
    const name = m?.[1] ?? 'option';
    return message.includes('does not take an argument') ? `option '${name}' does not take a value` : `option '${name}' needs a value`;
  }
  return message.split('. ')[0] ?? message;
}
