import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

const LOGGER = new URL('../../src/observability/logger.ts', import.meta.url).href;

/** Runs a script that logs through createLogger's default stdout destination; returns stdout. */
function run(body: string): Promise<{ code: number | null; stdout: string }> {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst log = createLogger();\n${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

function sequence(stdout: string): number[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { n: number }).n);
}

const COUNT = 5_000;
const expected = Array.from({ length: COUNT }, (_, i) => i);

test('every line reaches stdout, in order, when the process ends by itself', async () => {
  const { code, stdout } = await run(`for (let n = 0; n < ${COUNT}; n++) log.info({ n }, 'line');`);
  assert.equal(code, 0);
  assert.deepEqual(sequence(stdout), expected);
});

test('every line reaches stdout, in order, through process.exit with a partial batch pending', async () => {
  // 5,001 lines: the last batch is short of the 8 KiB threshold and only the exit hook writes it.
  const { code, stdout } = await run(`for (let n = 0; n <= ${COUNT}; n++) log.info({ n }, 'line'); process.exit(3);`);
  assert.equal(code, 3);
  assert.deepEqual(sequence(stdout), [...expected, COUNT]);
});

test('a quiet logger still writes its line within the flush interval', async () => {
  const { stdout } = await run(`log.info({ n: 0 }, 'one'); setTimeout(() => { process.stdout.write('{"n":-1}\\n'); process.exit(0); }, 600);`);
  // The logged line appears before the marker written 600 ms later: the 250 ms timer flushed it.
  assert.deepEqual(sequence(stdout), [0, -1]);
});
