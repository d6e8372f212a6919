/** Usage text for `conduit --help` and `conduit <command> --help`. */
import type { CommandName } from './args.js';

const GLOBAL = `Global options:
  --config <file>   configuration file (default: $CONDUIT_CONFIG, else ./conduit.yaml if present)
  -m, --model <m>   model to use: an alias, provider/model, or a well-known name
                    (wins over $CONDUIT_MODEL and default_model)
  -h, --help        show help
  -v, --version     print the version`;

export const MAIN_HELP = `Usage: conduit <command> [options]

Commands:
  serve                 run the OpenAI-compatible gateway (default http://127.0.0.1:8000)
  chat "<prompt>"       one completion through the configured model; prints usage and cost
  solve "<problem>"     step-by-step reasoning with validated JSON steps and a calculator
  prompts list|show|diff   the versioned prompt registry under ./prompts
  models                list the models that can be used
  config show           print the effective configuration (secrets redacted)
  config check          validate the configuration and every model alias
  keys create|list|revoke   manage virtual API keys (in the configured database)
  spend                 spend report from the usage ledger
  audit verify          verify the audit log's hash chain (exit 1 when tampered)
  cache stats           response-cache hit rate and savings
  mcp serve             Conduit's tools and prompts as an MCP server over stdio
  rag ingest|ask|eval|feedback  retrieval-augmented answers over your documents (see conduit rag --help)
  runs list|show|approve|deny   agent runs and their pending approvals
  eval run|history|from-traces   LLM test suites: prompts × models × cases with assertions
  ab list|analyze|assign   prompt/model A/B experiments: Welch / two-proportion analysis
  loadtest <url>        load test an OpenAI-compatible endpoint (rate or concurrency; TTFT; Little's Law)
  dataset validate|split|export|advise   fine-tuning data checks, stratified split, chat JSONL, decision score
  capacity              Little's Law sizing: concurrency, upstream connections, replicas (measured or what-if)
  incident serve|alert|list|show|approve|deny|resolve|ack|logs|change   alerts to incidents, tickets, approved remediation

${GLOBAL}

Environment: OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL,
  OLLAMA_BASE_URL, CONDUIT_MODEL_PATH (a .gguf file), CONDUIT_MODEL, CONDUIT_HOST, CONDUIT_PORT,
  CONDUIT_CONFIG, CONDUIT_LOG_LEVEL.
`;

const COMMAND_HELP: Record<CommandName, string> = {
  serve: `Usage: conduit serve [--host <host>] [--port <port>] [options]

Runs the gateway until SIGINT/SIGTERM, then stops accepting connections and lets requests in
flight finish.

  --host <host>     listen address (default 127.0.0.1, or $CONDUIT_HOST / server.host)
  -p, --port <n>    listen port (default 8000, or $CONDUIT_PORT / server.port; 0: any free port)

${GLOBAL}
`,
  chat: `Usage: conduit chat "<prompt>" [--stream] [--system <text>] [--max-tokens <n>] [options]

Sends one prompt ("-" reads it from stdin) to the model and prints the answer on stdout, then the
model, token usage and cost on stderr. Exits 1 when no model is configured (the offline answer).

  --stream          print the answer as it is generated
  --system <text>   system prompt
  --max-tokens <n>  limit the answer's length

${GLOBAL}
`,
  solve: `Usage: conduit solve "<problem>" [--max-steps <n>] [--json] [--stream] [options]

Solves a problem one validated JSON step at a time (analyze, calculate, verify, final_answer).
Invalid steps are sent back to the model for correction; calculate steps are checked by a safe
calculator whose result replaces the model's arithmetic. Exits 1 when no model is configured.

  --max-steps <n>   at most this many steps (default 10)
  --json            print the whole run as JSON
  --stream          print each step as it is generated

${GLOBAL}
`,
  prompts: `Usage: conduit prompts list | show <name[@version]> | diff <a> [<b>] [--json]

Reads the versioned prompt registry in ./prompts (<domain>/<name>.md with front matter).
With one reference, diff compares it with the version before (or the latest).

  --json            print JSON

${GLOBAL}
`,
  models: `Usage: conduit models [--json] [options]

Lists config aliases, the configured providers' models, local GGUF files, and what
OpenAI-compatible / Ollama servers report. The default model is marked with *.

  --json            print JSON instead of a table

${GLOBAL}
`,
  config: `Usage: conduit config <show|check> [options]

  show              print the effective configuration (file + environment + defaults), secrets redacted
  check             validate the configuration and build every model alias; exit 1 on problems

${GLOBAL}
`,
  keys: `Usage: conduit keys <create|list|revoke <id>> [options]

Works directly on the configured database (storage.database_url / DATABASE_URL, else the embedded
one under storage.state_dir; stop a gateway using the embedded database first). Needs the master key
(CONDUIT_MASTER_KEY / auth.master_key): key hashes are peppered with it.

  --name <n>        create: the key's name (required)
  --team <t>        create: team;  --user <u>: owner user id
  --models <a,b>    create: allowed models (names, aliases or globs; default all)
  --rpm <n>         create: requests per minute;  --tpm <n>: tokens per minute
  --json            print JSON

${GLOBAL}
`,
  spend: `Usage: conduit spend [--from <time>] [--to <time>] [--group-by key|user|team|model|provider|day] [--json]

Spend from the usage ledger over [from, to) (default: this UTC month), grouped (default: key).

${GLOBAL}
`,
  audit: `Usage: conduit audit verify [options]

Walks the audit log's hash chain in the configured database and prints the report; exits 1 when an
entry was edited, deleted or reordered.

${GLOBAL}
`,
  runs: `Usage: conduit runs list [--agent <name>] [--status <status>] [--json]
       conduit runs show <run_id> [--json]
       conduit runs approve <run_id> <approval_id> [--reason <text>] [--user <name>] [--json]
       conduit runs deny <run_id> <approval_id> [--reason <text>] [--user <name>] [--json]

Agent runs in the configured database. 'show' prints the run's replayed transcript. 'approve' and
'deny' record the decision in the audit log (actor: --user) and resume the paused run here, with
the agent as configured. With embedded storage, stop 'conduit serve' first (or use the HTTP API:
POST /v1/runs/{id}/approvals/{approval_id}).

${GLOBAL}
`,
  cache: `Usage: conduit cache stats [--json] [options]

Asks the running gateway (GET /admin/cache/stats on server.host:server.port, with the master key);
without a master key or a reachable gateway, prints the configured store's own statistics.

${GLOBAL}
`,
  mcp: `Usage: conduit mcp serve [options]

Runs an MCP (Model Context Protocol) server on stdin/stdout for MCP hosts that start it as a
subprocess. It exposes Conduit's built-in tools (calculator; http_get and the file tools when
agents.tools configures them) and the prompts of the registry in
./prompts (prompts/list, prompts/get with arguments). Messages go to stderr only. The same server is
available over Streamable HTTP at /mcp on 'conduit serve'.

${GLOBAL}
`,
  rag: `Usage: conduit rag ingest <path> --collection <c> [--json]
       conduit rag ask "<question>" --collection <c> [--strategy <s>] [--top-k <n>] [--json]
       conduit rag eval <dataset.jsonl> --collection <c> [--strategies a,b,c] [--k <n>] [--json]
       conduit rag feedback "<question>" --strategy <s> (--score <0..1> | --thumbs up|down) [--comment <text>]

ingest  loads a file or a folder (text, Markdown, HTML, PDF, JSON/JSONL, CSV), chunks, embeds and
        indexes it into the collection (created if needed); unchanged documents cost nothing.
        Progress goes to stderr, then a summary: documents, chunks, seconds.
ask     answers from the collection with numbered citations and prints the sources. With no model
        configured the answer is extractive: the best matching sentences, marked as extracted.
eval    reads {"question", "relevant_document_ids"?, "expected_answer"?} lines and prints recall@k,
        precision@k, MRR and nDCG@10 per strategy side by side, plus model-judged faithfulness and
        answer relevance when a model is configured.
feedback
        scores how a strategy answered a question (an answer's strategy, e.g. adaptive:hybrid);
        scores are kept beside the collections and \`--strategy adaptive\` prefers what scores better.

  -c, --collection <c>  the collection
  --strategy <s>        retrieval strategy (default rag.default_strategy, hybrid)
  --strategies <list>   strategies to compare (default: vector, keyword, hybrid and the default)
  --top-k <n>           passages given to the answer (default rag.top_k, 5)
  --k <n>               cut-off for recall@k and precision@k (default 5)
  --json                print JSON

Storage, chunking and defaults come from the rag: section of the configuration (embedded
collections under <storage.state_dir>/rag unless rag.storage is postgres).

${GLOBAL}
`,
  eval: `Usage: conduit eval run <suite.yaml> [--no-cache] [--junit <file>] [--markdown <file>] [--concurrency <n>] [--repeat <n>] [--json]
       conduit eval history [--suite <name>] [--limit <n>] [--json]
       conduit eval from-traces --from <traces.jsonl> [-o <suite.yaml>] [--where k=v,…] [--limit <n>] [--models a,b]

run          runs every prompt × model × case (× repeat) of the suite and checks its assertions
             (contains, regex, equals, is-json + schema, length, latency, cost, similar, model-graded,
             tool-call, trajectory, faithfulness…). Outputs are cached by input hash in the results
             store; each run is recorded. Prints a summary table; exits 1 when any assertion fails,
             2 when the suite itself is invalid.
history      recent runs from the results store, newest first
from-traces  turns production records ({"input": [messages], "output", "model", "metadata"} per line)
             into a suite whose cases expect the observed outputs (semantic similarity ≥ 0.8)

  --no-cache          call the models even when a cached output exists (fresh outputs are still stored)
  --junit <file>      also write JUnit XML (for CI test reporters)
  --markdown <file>   also write a Markdown report
  --concurrency <n>   jobs in flight at once (default: the suite's concurrency, 4)
  --repeat <n>        runs of each job (default: the suite's repeat, 1)
  --suite <name>      history: only this suite
  --limit <n>         history: at most n runs (default 20); from-traces: at most n cases
  --from <file>       from-traces: the JSONL export to read, or 'store': Conduit's trace store (model
                      spans whose key had trace content capture on; newest 500 successful traces)
  -o, --output <file> from-traces: write the suite here (default: stdout)
  --where <k=v,…>     from-traces: only records whose metadata has these values
  --models <a,b>      from-traces: models to test (default: the models that served the traces)
  --json              print JSON

The results store is the configured database (storage.database_url / DATABASE_URL, else the embedded
one under storage.state_dir). Registry prompts (ref: <domain>/<name>@<version>) come from ./prompts.

${GLOBAL}
`,
  ab: `Usage: conduit ab list | analyze <experiment> | assign <experiment> <user> [--json]

A/B experiments under experiments: in the configuration. Requests go through
POST /v1/experiments/{id}/chat/completions on conduit serve; feedback through POST /v1/feedback.

list       the experiments, their arms and traffic shares (the control gets the remainder)
analyze    every variant against the control: Welch's t-test (latency, tokens, cost, score) and the
           two-proportion z-test (thumbs-up, error rate), confidence intervals, a verdict only at
           min_samples_per_arm or more and only when significant; warns when analysed before the
           planned sample size (peeking). Reads the configured database (stop an embedded serve first).
assign     the arm a user gets (sha256 of experiment and user: the same in every process)

  --json            print JSON

${GLOBAL}
`,
  loadtest: `Usage: conduit loadtest <url> --model <m> [--rate <req/s> | --concurrency <n>] [--duration <s>] [options]

Loads any OpenAI-compatible chat-completions endpoint (<url>, <url>/v1 or the full path) and prints
counts, rates, latency percentiles, time to first token (--stream), errors by status, and a capacity
line from Little's Law (L = λ·W).

  --rate <r>              open loop: r requests per second whatever the responses do (default 1);
                          latency counts from each request's scheduled start (no coordinated omission)
  --concurrency <n>       closed loop: n clients, each sending when its last request ends
  --duration <s>          seconds of load (default 10)
  --requests <n>          with --concurrency: stop after n requests
  --stream                stream responses and measure time to first token
  --prompt <text>         the user message;  --max-tokens <n>: its max_tokens
  --api-key <key>         bearer key (default $CONDUIT_API_KEY, else $OPENAI_API_KEY)
  --timeout-ms <ms>       per request (default 60000)
  --target-rate <r>       capacity line: concurrency needed for r req/s
  --target-latency-ms <ms>  ... at this latency (default: the measured mean)
  --json                  print JSON

${GLOBAL}
`,
  dataset: `Usage: conduit dataset validate <file> --task <t> [--json]
       conduit dataset split <file> --task <t> -o <dir> [--seed 42] [--ratios 70/15/15] [--system <text>]
       conduit dataset export <file> --task <t> -o <file.jsonl> [--system <text>]
       conduit dataset advise [<file>] [--data-size <n>] --specificity <0-1> --gap <0-1> --weeks <n> [--model-size small|medium|large]

Fine-tuning data tools for JSON Lines (or JSON array) datasets. Task types and required fields:
classification (text, label), chat (messages), completion (prompt, completion), qa (question, answer).

validate   missing fields, empty and duplicate samples, length outliers, label imbalance; exit 1 on a
           critical issue
split      stratified (by label) train/validation/test split with a fixed seed, written as chat JSONL
export     chat-format JSONL ({"messages": [...]} per line, OpenAI fine-tuning format)
advise     the fine-tuning decision score (data size, domain specificity, performance gap, timeline)
           with its recommendation and cost estimate

${GLOBAL}
`,
  capacity: `Usage: conduit capacity --url <gateway> [--window <s>] [what-if]
       conduit capacity --rate <req/s> --latency-ms <ms> [what-if]
       conduit capacity --target-rate <req/s> --target-latency-ms <ms>

Little's Law, L = λ × W: requests in flight = arrival rate × time in system. For measured traffic
(a running gateway's /metrics read twice --window seconds apart, default 10; or given numbers)
and for a what-if (target rate and latency), prints the concurrent requests, the upstream
connections and the replicas needed.

Options:
  --url <url>                 a running Conduit gateway (its /metrics is read)
  --window <s>                measurement window (default 10)
  --rate, --latency-ms        given traffic instead of measuring
  --target-rate, --target-latency-ms   the what-if
  --per-replica <n>           concurrent requests one replica carries (default 256: half the
                              provider HTTP pool of 512 connections per origin)
  --headroom <fraction>       burst headroom over L (default 0.3)
  --json                      machine-readable output

${GLOBAL}
`,
  incident: `Usage: conduit incident serve [--host <host>] [--port <port>]
       conduit incident alert <name> [label=value ...] [--severity <s>] [--summary <text>] [--status firing|resolved]
       conduit incident list [--status open|acknowledged|resolved] [--json]
       conduit incident show <incident-id>
       conduit incident approve|deny <incident-id> <approval-id> [--reason <text>]
       conduit incident ack <incident-id>
       conduit incident resolve <incident-id> --note "<what fixed it>"
       conduit incident logs <file> --service <name>     (JSON lines or plain text into Conduit's log store)
       conduit incident change <service> [--summary <what changed>] [--status <kind, default deploy>]

The incident-handling application (the incident: section of the configuration; an example with
runbooks is in examples/incident). 'serve' runs the gateway with /v1/incidents/* (Alertmanager
webhook at /v1/incidents/alerts/alertmanager). The other subcommands talk to that gateway:
  --url <url>           gateway base URL (default: the configured server.host:server.port)
  --api-key <key>       Bearer token (default: incident.webhook_token, else $CONDUIT_API_KEY)
  --severity <s>        critical, high, warning, low or info
  --json                print JSON
`,
  help: MAIN_HELP,
};

export function commandHelp(command: CommandName | undefined): string {
  return command ? COMMAND_HELP[command] : MAIN_HELP;
}
