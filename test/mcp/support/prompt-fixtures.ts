/** A throwaway prompts folder with one two-version prompt, so MCP prompt tests do not depend on the repository's prompts. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function promptFile(version: string, body: string): string {
  return `---
name: demo/greet
version: ${version}
owner: tests@conduit.dev
model: gpt-4o-mini
description: Greets a person a number of times.
variables:
  person:
    type: string
    description: Who to greet.
  times:
    type: number
    description: How many greetings.
    default: 1
  excited:
    type: boolean
    optional: true
  topics:
    type: list
    optional: true
evaluation:
  criteria:
    - Greets the right person
changelog:
  - version: ${version}
    date: 2026-01-01
    note: Test version.
---
${body}`;
}

export interface PromptFixture {
  /** The folder that holds `prompts/` (use as the process cwd). */
  dir: string;
  root: string;
  remove(): void;
}

export function writePromptFixture(): PromptFixture {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-mcp-prompts-'));
  const root = join(dir, 'prompts');
  mkdirSync(join(root, 'demo', 'greet'), { recursive: true });
  writeFileSync(join(root, 'demo', 'greet.md'), promptFile('2.0.0', '[system]\nYou greet people.\n[user]\nGreet {{person}} {{times}} time(s). Excited: {{excited}}\nTopics:\n{{topics}}\n'));
  writeFileSync(join(root, 'demo', 'greet', '1.0.0.md'), promptFile('1.0.0', 'Hello {{person}} x{{times}}\n'));
  return { dir, root, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
