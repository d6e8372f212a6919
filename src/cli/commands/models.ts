/** `conduit models`: what can be used, with the default marked. */
import type { CommandContext } from '../context.js';

export async function runModels(ctx: CommandContext): Promise<number> {
  const { io, registry, args } = ctx;
  const models = await registry.listReachable();
  const defaultName = registry.defaultModelName();
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ default: defaultName, models }, null, 2)}\n`);
    return 0;
  }
  const rows = models.map((m) => [m.id === defaultName ? `* ${m.id}` : `  ${m.id}`, m.provider, m.kind]);
  const header = ['  MODEL', 'PROVIDER', 'KIND'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  io.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  if (!models.some((m) => m.id === defaultName)) io.stdout.write(`\ndefault model: ${defaultName}\n`);
  return 0;
}
