/**
 * The console's static files (HTML, CSS, ES modules) from the package's `console/` folder. Only
 * plain files directly reachable under that folder with a known type are served: no listings, no
 * dotfiles, no `..` escapes. Files are read once and kept in memory (the app is a few tens of kB).
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<package>/console/`: two levels up from both src/console/*.ts and dist/console/*.js. */
export const DEFAULT_CONSOLE_STATIC_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export interface StaticFiles {
  /** `relativePath` is the part after `/console/` ('' → index.html); undefined when there is no such file. */
  get(relativePath: string): Promise<StaticFile | undefined>;
}

export function createStaticFiles(dir: string = DEFAULT_CONSOLE_STATIC_DIR): StaticFiles {
  const root = resolve(dir);
  const cache = new Map<string, Promise<StaticFile | undefined>>();
  return {
    get(relativePath) {
      const rel = relativePath === '' ? 'index.html' : relativePath;
      if (rel.split('/').some((seg) => seg === '' || seg.startsWith('.'))) return Promise.resolve(undefined);
      const type = TYPES[extname(rel)];
      if (type === undefined) return Promise.resolve(undefined);
      const full = resolve(root, rel);
      if (!full.startsWith(root + sep)) return Promise.resolve(undefined);
      let hit = cache.get(full);
      if (hit === undefined) {
        hit = readFile(full).then(
          (body) => ({ body, contentType: type }),
          () => undefined,
        );
        cache.set(full, hit);
      }
      return hit;
    },
  };
}
