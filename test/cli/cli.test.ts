import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import { OFFLINE_MESSAGE } from '../../src/models/providers/offline/index.js';
import { captureIo, runCli, type CaptureOptions, type CliRun } from '../support/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'conduit-cli-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

/** Runs in the file's empty temp dir unless a test names another. */
function run(argv: string[], options: Partial<CaptureOptions> = {}): Promise<CliRun> {
  return runCli(argv, { ...options, cwd: options.cwd ?? cwd });
}

describe('argument parsing', () => {
  test('global options work before or after the command', () => {
    const a = parseCliArgs(['--model', 'gpt-4o', 'chat', 'hi', 'there', '--stream']);
    const b = parseCliArgs(['chat', 'hi', 'there', '-m', 'gpt-4o', '--stream']);
    for (const p of [a, b]) {
      assert.equal(p.command, 'chat');
      assert.deepEqual(p.args, ['hi', 'there']);
      assert.equal(p.model, 'gpt-4o');
      assert.equal(p.stream, true);
    }
    assert.equal(parseCliArgs(['serve', '--port', '0', '--host', '::1', '--config', 'x.yaml']).port, '0');
  });

  test('mistakes are UsageErrors with a clear message', () => {
    const cases: [string[], string][] = [
      [['frob'], "unknown command 'frob' (commands: serve, models, config, chat, solve, prompts, keys, spend, audit, cache, mcp, rag, runs, eval, ab, loadtest, dataset, capacity, incident)"],
      [['chat', '--temperature', '1'], "unknown option '--temperature'"],
      [['models', '--stream'], "option '--stream' does not apply to 'conduit models'"],
      [['serve', '--model'], "option '--model' needs a value"],
      [['chat', 'x', '--max-tokens', 'lots'], "--max-tokens expects a positive integer, got 'lots'"],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseCliArgs(argv), (err: unknown) => err instanceof UsageError && err.message === message, argv.join(' '));
  });
});

describe('conduit (in-process)', () => {
  test('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `conduit ${pkg.version}\n`);
  });

  test('--help and <command> --help print usage and exit 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: conduit <command>/);
    const chat = await run(['chat', '--help']);
    assert.equal(chat.code, 0);
    assert.match(chat.stdout, /^Usage: conduit chat "<prompt>"/);
  });

  test('unknown commands and options exit 2 with the reason on stderr', async () => {
    const r = await run(['deploy']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "conduit: unknown command 'deploy' (commands: serve, models, config, chat, solve, prompts, keys, spend, audit, cache, mcp, rag, runs, eval, ab, loadtest, dataset, capacity, incident)\nRun 'conduit --help' for usage.\n");
    const flag = await run(['models', '--verbose']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^conduit: unknown option '--verbose'/);
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: conduit <command>/);
  });

  test('chat with no model configured prints the offline message and exits 1', async () => {
    const r = await run(['chat', 'What is the capital of France?']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `${OFFLINE_MESSAGE}\n`);
    assert.match(r.stderr, /^model offline · \d+ in \/ \d+ out tokens · \$0\n$/);
  });

  test('chat --stream with no model configured: the same message, exit 1', async () => {
    const r = await run(['chat', '--stream', 'hello']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `${OFFLINE_MESSAGE}\n`);
  });

  test('chat needs a prompt (exit 2); "-" reads it from stdin', async () => {
    assert.equal((await run(['chat'])).code, 2);
    const r = await run(['chat', '-'], { stdin: 'from stdin' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `${OFFLINE_MESSAGE}\n`);
  });

  test('chat --model naming an unconfigured provider exits 1 with guidance', async () => {
    const r = await run(['chat', 'hi', '--model', 'claude-sonnet-4-5']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^conduit: Model "claude-sonnet-4-5" needs the anthropic provider, which is not configured: set ANTHROPIC_API_KEY/);
  });

  test('chat through a real OpenAI-compatible server prints the answer, usage and cost', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
        assert.equal(req.url, '/v1/chat/completions');
        assert.equal(req.headers.authorization, 'Bearer sk-loopback');
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 0,
            model: parsed.model,
            choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${parsed.messages.at(-1)!.content}` }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 2000, completion_tokens: 1000, total_tokens: 3000 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const r = await run(['chat', 'ping'], { env: { OPENAI_API_KEY: 'sk-loopback', OPENAI_BASE_URL: base, CONDUIT_MODEL: 'gpt-4o-mini' } });
      assert.equal(r.stderr, 'model gpt-4o-mini → openai/gpt-4o-mini · 2000 in / 1000 out tokens · $0.000900\n');
      assert.equal(r.stdout, 'echo: ping\n');
      assert.equal(r.code, 0);
    } finally {
      server.close();
    }
  });

  test('models lists what is reachable and marks the default', async () => {
    const r = await run(['models'], { env: { ANTHROPIC_API_KEY: 'sk-ant-xyz' } });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\* anthropic\/claude-sonnet-4-5 +anthropic +model$/m);
    assert.match(r.stdout, /^ {2}offline +offline +model$/m);
    const json = await run(['models', '--json']);
    const parsed = JSON.parse(json.stdout) as { default: string; models: { id: string }[] };
    assert.equal(parsed.default, 'offline');
    assert.ok(parsed.models.some((m) => m.id === 'offline'));
  });

  test('config show is redacted: no secret substring appears', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-show-'));
    try {
      writeFileSync(
        join(dir, 'conduit.yaml'),
        'providers:\n  anthropic:\n    api_key: sk-ant-FILE-SECRET-42\nmodels:\n  fast:\n    deployments:\n      - model: gpt-4o-mini\n        api_key: sk-DEPLOY-SECRET-43\n',
      );
      const r = await run(['config', 'show'], { cwd: dir, env: { OPENAI_API_KEY: 'sk-ENV-SECRET-44' } });
      assert.equal(r.code, 0);
      for (const secret of ['sk-ant-FILE-SECRET-42', 'sk-DEPLOY-SECRET-43', 'sk-ENV-SECRET-44', 'SECRET']) assert.ok(!r.stdout.includes(secret), `${secret} leaked:\n${r.stdout}`);
      assert.match(r.stdout, /^# source: conduit\.yaml$/m);
      assert.match(r.stdout, /api_key: "\[redacted\]"/);
      assert.match(r.stdout, /model: gpt-4o-mini/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a config error exits 1 with file, path and expectation, and no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-bad-'));
    try {
      writeFileSync(join(dir, 'conduit.yaml'), 'providers:\n  openai:\n    api_key: sk-BAD-SECRET-45\nmodels:\n  fast:\n    deployments:\n      - model: gpt-4o\n        weight: high\n');
      for (const argv of [['config', 'check'], ['models'], ['chat', 'hi'], ['serve']]) {
        const r = await run(argv, { cwd: dir });
        assert.equal(r.code, 1, argv.join(' '));
        assert.equal(r.stderr, 'conduit.yaml: models.fast.deployments[0].weight: expected number, got string "high" (line 8)\n');
        assert.ok(!r.stdout.includes('SECRET') && !r.stderr.includes('SECRET'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('config check reports broken aliases (exit 1) and summarises a good config (exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-check-'));
    try {
      writeFileSync(join(dir, 'conduit.yaml'), 'models:\n  smart: claude-sonnet-4-5\n');
      const bad = await run(['config', 'check'], { cwd: dir });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^conduit\.yaml: smart: Model "claude-sonnet-4-5" needs the anthropic provider, which is not configured: set ANTHROPIC_API_KEY/);
      const good = await run(['config', 'check'], { cwd: dir, env: { ANTHROPIC_API_KEY: 'sk-ant-x' } });
      assert.equal(good.code, 0, good.stderr);
      assert.equal(good.stdout, 'conduit.yaml: OK\n  providers: anthropic\n  aliases: smart\n  default model: anthropic/claude-sonnet-4-5\n');
      assert.equal((await run(['config'], { cwd: dir })).code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('serve listens, answers, and shuts down when signalled', async () => {
    const shutdown = new AbortController();
    const serve = captureIo({ cwd, env: { CONDUIT_PORT: '0', CONDUIT_LOG_LEVEL: 'silent' }, signal: shutdown.signal });
    const exit = main(['serve', '--host', '127.0.0.1'], serve.io);
    const url = await serve.listeningUrl();
    const res = await fetch(`${url}/v1/models`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { id: string }[] };
    assert.ok(body.data.some((m) => m.id === 'offline'));
    shutdown.abort();
    assert.equal(await exit, 0);
    await assert.rejects(fetch(`${url}/health`));
  });
});

describe('conduit (spawned)', () => {
  test('chat with no provider: offline message on stdout, exit code 1', async () => {
    const entry = new URL('../../src/cli/entry.ts', import.meta.url).pathname;
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: cwd };
    // Run from an empty folder (no conduit.yaml) with a clean environment: nothing is configured.
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry, 'chat', 'hello'], { cwd, env });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
    assert.equal(stdout, `${OFFLINE_MESSAGE}\n`);
  });
});
