/** `conduit prompts list|show|diff`: the versioned prompt registry (src/prompting) under ./prompts. */
import { join } from 'node:path';
import { runPromptsDiff, runPromptsList, runPromptsShow } from '../../prompting/index.js';
import { UsageError, type ParsedArgs } from '../args.js';
import type { CliIo } from '../io.js';

export async function runPrompts(args: ParsedArgs, io: CliIo): Promise<number> {
  const [sub, a, b] = args.args;
  const options = { root: join(io.cwd, 'prompts'), json: args.json };
  let text: string;
  switch (sub) {
    case 'list':
      text = await runPromptsList(options);
      break;
    case 'show':
      if (a === undefined) throw new UsageError('conduit prompts show needs a prompt: conduit prompts show <domain/name[@version]>');
      text = await runPromptsShow(a, options);
      break;
    case 'diff':
      if (a === undefined) throw new UsageError('conduit prompts diff needs a prompt: conduit prompts diff <a> [<b>]');
      text = await runPromptsDiff(a, b, options);
      break;
    default:
      throw new UsageError(`conduit prompts expects list, show or diff${sub === undefined ? '' : `, got '${sub}'`}`);
  }
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
