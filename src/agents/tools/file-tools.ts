/**
 * The built-in `read_file` and `write_file` tools, confined to a sandbox directory (sandbox-path.ts).
 * Refusals (escapes, missing files, oversize content) are error results the model can read.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { z } from 'zod';
import { isConduitError } from '../../core/errors.js';
import type { AgentTool, ToolOutput } from '../tool.js';
import { defineTool } from './define-tool.js';
import { Sandbox } from './sandbox-path.js';

export interface FileToolsOptions {
  sandboxDir: string;
  /** Largest file read or written, in bytes (default 1 MB). */
  maxBytes?: number;
  /** Whether writes wait for a human decision (default false). */
  writeRequiresApproval?: boolean;
}

export const READ_FILE_TOOL_NAME = 'read_file';
export const WRITE_FILE_TOOL_NAME = 'write_file';

export async function createFileTools(options: FileToolsOptions): Promise<{ readFile: AgentTool; writeFile: AgentTool; sandbox: Sandbox }> {
  const sandbox = await Sandbox.open(options.sandboxDir);
  const maxBytes = options.maxBytes ?? 1_000_000;

  const readFile = defineTool({
    name: READ_FILE_TOOL_NAME,
    description: 'Reads a UTF-8 text file from the agent\'s sandbox directory. Paths are relative to the sandbox (no absolute paths, no "..").',
    schema: z.object({ path: z.string().min(1).max(1024) }),
    execute: ({ path }) =>
      refusalsAsResults(async () => {
        const real = await sandbox.existing(path);
        const st = await stat(real);
        if (!st.isFile()) return { content: `'${path}' is not a regular file`, isError: true };
        if (st.size > maxBytes) return { content: `'${path}' is ${st.size} bytes; the limit is ${maxBytes}`, isError: true };
        const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const text = await handle.readFile('utf8');
          return { content: text, data: { path, bytes: Buffer.byteLength(text) } };
        } finally {
          await handle.close();
        }
      }),
  });

  const writeFile = defineTool({
    name: WRITE_FILE_TOOL_NAME,
    description: 'Writes (creates or replaces) a UTF-8 text file in the agent\'s sandbox directory. Paths are relative to the sandbox (no absolute paths, no "..").',
    schema: z.object({ path: z.string().min(1).max(1024), content: z.string() }),
    requiresApproval: options.writeRequiresApproval ?? false,
    execute: ({ path, content }) =>
      refusalsAsResults(async () => {
        const bytes = Buffer.byteLength(content);
        if (bytes > maxBytes) return { content: `The content is ${bytes} bytes; the limit is ${maxBytes}`, isError: true };
        const target = await sandbox.forWrite(path);
        const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
        try {
          await handle.writeFile(content, 'utf8');
        } finally {
          await handle.close();
        }
        return { content: `Wrote ${bytes} bytes to ${path}`, data: { path, bytes } };
      }),
  });
  return { readFile, writeFile, sandbox };
}

async function refusalsAsResults(fn: () => Promise<ToolOutput>): Promise<ToolOutput> {
  try {
    return await fn();
  } catch (err) {
    if (isConduitError(err)) return { content: err.message, isError: true, data: { code: err.code } };
    const code = (err as NodeJS.ErrnoException).code;
    // ELOOP: O_NOFOLLOW met a symlink swapped in after the check.
    if (code === 'ELOOP') return { content: 'Refused: the path is a symbolic link', isError: true, data: { code: 'sandbox_escape' } };
    throw err;
  }
}
