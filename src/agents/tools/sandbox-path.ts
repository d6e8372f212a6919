/**
 * Confines file paths to a sandbox directory. A path is refused when it is absolute, contains a
 * `..` segment or a NUL byte, or resolves — through symlinks anywhere along it — to a place
 * outside the sandbox's real path. Writes open the final component with O_NOFOLLOW, so a symlink
 * swapped in after the check cannot redirect them.
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConduitError } from '../../core/errors.js';

export class Sandbox {
  private constructor(readonly root: string) {}

  /** Creates the directory if needed and pins its real path. */
  static async open(dir: string): Promise<Sandbox> {
    await mkdir(dir, { recursive: true });
    return new Sandbox(await realpath(dir));
  }

  /** The checked absolute path of an existing file (symlinks resolved, must stay inside). */
  async existing(path: string): Promise<string> {
    const candidate = this.lexical(path);
    let real: string;
    try {
      real = await realpath(candidate);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConduitError('not_found', `No file '${path}' in the sandbox`, { code: 'file_not_found' });
      throw err;
    }
    this.assertInside(real, path);
    return real;
  }

  /**
   * The checked absolute path to write `path` to, creating missing parent directories. The parent's
   * real path must be inside; an existing final component must not be a symlink or a directory.
   */
  async forWrite(path: string): Promise<string> {
    const candidate = this.lexical(path);
    const rel = relative(this.root, candidate);
    const parts = rel.split(sep);
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      try {
        const st = await lstat(dir);
        if (st.isSymbolicLink()) this.assertInside(await realpath(dir), path);
        else if (!st.isDirectory()) throw new ConduitError('invalid_request', `'${path}': a parent is not a directory`, { code: 'sandbox_not_directory' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await mkdir(dir);
      }
    }
    const parentReal = await realpath(dir);
    this.assertInside(parentReal, path, true);
    const target = join(parentReal, parts[parts.length - 1]!);
    try {
      const st = await lstat(target);
      if (st.isSymbolicLink()) throw new ConduitError('permission', `'${path}' is a symbolic link; writing through links is not allowed`, { code: 'sandbox_escape' });
      if (st.isDirectory()) throw new ConduitError('invalid_request', `'${path}' is a directory`, { code: 'sandbox_is_directory' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return target;
  }

  /** The path joined to the root, after the purely textual checks. */
  private lexical(path: string): string {
    if (path.trim() === '') throw new ConduitError('invalid_request', 'The path is empty', { code: 'sandbox_bad_path' });
    if (path.includes('\0')) throw new ConduitError('permission', 'The path contains a NUL byte', { code: 'sandbox_escape' });
    if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.startsWith('\\') || path.startsWith('~')) {
      throw new ConduitError('permission', `'${path}' is absolute; paths must be relative to the sandbox`, { code: 'sandbox_escape' });
    }
    if (path.split(/[\\/]+/).includes('..')) throw new ConduitError('permission', `'${path}' contains '..'; paths must stay inside the sandbox`, { code: 'sandbox_escape' });
    const candidate = resolve(this.root, path);
    this.assertInside(candidate, path);
    if (candidate === this.root) throw new ConduitError('invalid_request', `'${path}' names the sandbox itself, not a file`, { code: 'sandbox_bad_path' });
    return candidate;
  }

  private assertInside(real: string, original: string, allowRoot = false): void {
    if ((allowRoot && real === this.root) || real.startsWith(this.root + sep)) return;
    throw new ConduitError('permission', `'${original}' resolves outside the sandbox`, { code: 'sandbox_escape' });
  }
}
