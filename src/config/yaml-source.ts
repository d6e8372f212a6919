/**
 * Parses a YAML config file and keeps enough of the syntax tree to say which line a dotted path
 * came from, so schema errors can point at the line to fix.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { ConfigError } from './config-error.js';

export type ConfigPath = readonly (string | number)[];

export interface YamlSource {
  /** The document as plain data (null for an empty file). */
  value: unknown;
  /** 1-based line of the value (or, for a missing key, of its parent) at `path`. */
  lineOf(path: ConfigPath): number | undefined;
}

export function parseYamlSource(text: string, source: string): YamlSource {
  const lineCounter = new LineCounter();
  // prettyErrors off: the pretty form quotes the offending source line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        source,
        line: lineCounter.linePos(e.pos[0]).line,
        path: '',
        message: `invalid YAML: ${e.message}`,
      })),
    );
  }
  let value: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([{ source, path: '', message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}` }], { cause: err });
  }

  const lineAt = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lineCounter.linePos(offset).line);

  return {
    value,
    lineOf(path) {
      let node: unknown = doc.contents;
      let line = lineAt((node as YamlNode | null)?.range?.[0]);
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
          if (!pair) return line;
          // A key's line is where the user looks, for both "unknown key" and a bad value under it.
          line = lineAt(isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment];
          if (item === undefined) return line;
          line = lineAt((item as YamlNode).range?.[0]) ?? line;
          node = item;
        } else {
          return line;
        }
      }
      // For a scalar value on the key's own line this is the same line; for a block value, its start.
      return isScalar(node) ? (lineAt(node.range?.[0]) ?? line) : line;
    },
  };
}
