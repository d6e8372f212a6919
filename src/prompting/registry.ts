/**
 * The versioned prompt registry: prompt files in the repository, loadable by `name` or
 * `name@version` with no network and no git.
 *
 * Layout under the root (default `<cwd>/prompts`):
 * - `<domain>/<name>.md` holds the working version of `<domain>/<name>`; its version is the
 *   `version` in its front matter. Edits show up in review as ordinary diffs of this file.
 * - `<domain>/<name>/<version>.md` (e.g. `support/triage/1.0.0.md`) holds any other version, kept
 *   so that `support/triage@1.0.0` stays loadable after the working file moves on. The file name
 *   and the front matter's `version` must agree.
 * To release a new version: copy `<name>.md` to `<name>/<old version>.md`, then edit `<name>.md`,
 * bump its `version` and add a changelog entry. A version may live in only one file.
 *
 * `<domain>/<name>` alone means the highest semantic version present (pre-releases rank below their
 * release). Ids are two or more path segments of letters, digits, `-` and `_`. Files directly in
 * the root, and README.md files anywhere, are not prompts.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { ConduitError } from '../core/errors.js';
import { parsePromptFile, type PromptMeta } from './front-matter.js';
import { compareSemver, isSemver } from './semver.js';
import { definePrompt, type PromptTemplate } from './template.js';

export interface PromptRegistryOptions {
  /** The prompts folder. Default `<cwd>/prompts`. */
  root?: string;
}

export interface PromptRef {
  id: string;
  /** Undefined: the highest version. */
  version: string | undefined;
}

export interface LoadedPrompt {
  /** `<domain>/<name>`. */
  id: string;
  version: string;
  /** `<domain>/<name>@<version>`. */
  ref: string;
  /** Absolute path of the file it came from. */
  file: string;
  meta: PromptMeta;
  /** The template text (everything after the front matter). */
  body: string;
  /** The body compiled with the front matter's variables; errors name `ref`. */
  template: PromptTemplate<Record<string, unknown>>;
  /** Every version of this prompt in the registry, ascending. */
  versions: string[];
}

export interface PromptSummary {
  id: string;
  /** The highest version. */
  latest: string;
  /** Ascending. */
  versions: string[];
  owner: string;
  model: string;
  description: string;
}

interface Candidate {
  file: string;
  /** Set when the file name is the version (`<name>/<version>.md`). */
  version: string | undefined;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

export function parsePromptRef(ref: string): PromptRef {
  const at = ref.lastIndexOf('@');
  const id = (at < 0 ? ref : ref.slice(0, at)).trim().replace(/\.md$/, '');
  const version = at < 0 ? undefined : ref.slice(at + 1).trim();
  const segments = id.split('/');
  if (segments.length < 2 || !segments.every((s) => SEGMENT.test(s))) {
    throw new ConduitError('invalid_request', `"${ref}" is not a prompt reference (expected <domain>/<name> or <domain>/<name>@<version>, e.g. support/triage@1.2.0)`, { param: 'ref' });
  }
  if (version !== undefined && !isSemver(version)) {
    throw new ConduitError('invalid_request', `"${ref}": "${version}" is not a semantic version like 1.2.0`, { param: 'ref' });
  }
  return { id, version };
}

export interface PromptRegistry {
  readonly root: string;
  load(ref: string): Promise<LoadedPrompt>;
  list(): Promise<PromptSummary[]>;
}

export function createPromptRegistry(options: PromptRegistryOptions = {}): PromptRegistry {
  const root = resolve(options.root ?? join(process.cwd(), 'prompts'));

  async function readCandidate(id: string, candidate: Candidate): Promise<Omit<LoadedPrompt, 'versions'>> {
    let text: string;
    try {
      text = await readFile(candidate.file, 'utf8');
    } catch (err) {
      throw new ConduitError('internal', `${display(candidate.file)}: cannot read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const { meta, body } = parsePromptFile(text, display(candidate.file), { name: id, ...(candidate.version === undefined ? {} : { version: candidate.version }) });
    const ref = `${id}@${meta.version}`;
    const template = definePrompt({ template: body, variables: meta.variables, name: ref }) as PromptTemplate<Record<string, unknown>>;
    return { id, version: meta.version, ref, file: candidate.file, meta, body, template };
  }

  /** Every file of one prompt, parsed, keyed by version; a version in two files is an error. */
  async function versionsOf(id: string, candidates: Candidate[]): Promise<Map<string, Omit<LoadedPrompt, 'versions'>>> {
    const byVersion = new Map<string, Omit<LoadedPrompt, 'versions'>>();
    for (const candidate of candidates) {
      const prompt = await readCandidate(id, candidate);
      const clash = byVersion.get(prompt.version);
      if (clash !== undefined) {
        throw new ConduitError('invalid_request', `${id}@${prompt.version} is defined twice: ${display(clash.file)} and ${display(prompt.file)}`);
      }
      byVersion.set(prompt.version, prompt);
    }
    return byVersion;
  }

  async function candidatesFor(id: string): Promise<Candidate[]> {
    const out: Candidate[] = [];
    const single = join(root, ...id.split('/')) + '.md';
    if (await isFile(single)) out.push({ file: single, version: undefined });
    const dir = join(root, ...id.split('/'));
    for (const entry of await readDirSafe(dir)) {
      if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
      const version = entry.name.slice(0, -3);
      if (isSemver(version)) out.push({ file: join(dir, entry.name), version });
    }
    return out;
  }

  async function allCandidates(): Promise<Map<string, Candidate[]>> {
    const byId = new Map<string, Candidate[]>();
    const add = (id: string, candidate: Candidate): void => {
      const list = byId.get(id) ?? [];
      list.push(candidate);
      byId.set(id, list);
    };
    const walk = async (dir: string, segments: string[]): Promise<void> => {
      const entries = (await readDirSafe(dir)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (SEGMENT.test(entry.name)) await walk(path, [...segments, entry.name]);
          continue;
        }
        if (!entry.isFile() || !entry.name.endsWith('.md') || entry.name.toLowerCase() === 'readme.md') continue;
        const stem = entry.name.slice(0, -3);
        if (isSemver(stem) && segments.length >= 2) add(segments.join('/'), { file: path, version: stem });
        else if (SEGMENT.test(stem) && segments.length >= 1) add([...segments, stem].join('/'), { file: path, version: undefined });
      }
    };
    await walk(root, []);
    return byId;
  }

  return {
    root,

    async load(ref) {
      const { id, version } = parsePromptRef(ref);
      const candidates = await candidatesFor(id);
      if (candidates.length === 0) {
        throw new ConduitError('not_found', `No prompt "${id}" under ${display(root)} (looked for ${id}.md and ${id}/<version>.md)`, { param: 'ref' });
      }
      const byVersion = await versionsOf(id, candidates);
      const versions = [...byVersion.keys()].sort(compareSemver);
      const chosen = version ?? (versions[versions.length - 1] as string);
      const prompt = byVersion.get(chosen);
      if (prompt === undefined) {
        throw new ConduitError('not_found', `Prompt "${id}" has no version ${chosen} (available: ${versions.join(', ')})`, { param: 'ref' });
      }
      return { ...prompt, versions };
    },

    async list() {
      const summaries: PromptSummary[] = [];
      for (const [id, candidates] of await allCandidates()) {
        const byVersion = await versionsOf(id, candidates);
        const versions = [...byVersion.keys()].sort(compareSemver);
        const latest = byVersion.get(versions[versions.length - 1] as string);
        if (latest === undefined) continue;
        summaries.push({ id, latest: latest.version, versions, owner: latest.meta.owner, model: latest.meta.model, description: latest.meta.description });
      }
      return summaries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}

export function loadPrompt(ref: string, options: PromptRegistryOptions = {}): Promise<LoadedPrompt> {
  return createPromptRegistry(options).load(ref);
}

export function listPrompts(options: PromptRegistryOptions = {}): Promise<PromptSummary[]> {
  return createPromptRegistry(options).list();
}

/** The same as `loadPrompt`; named for the `prompts show` command. */
export function showPrompt(ref: string, options: PromptRegistryOptions = {}): Promise<LoadedPrompt> {
  return createPromptRegistry(options).load(ref);
}

/** A path relative to the working directory when it is inside it, for shorter error messages. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : path;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readDirSafe(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (err instanceof Error && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return [];
    throw new ConduitError('internal', `Cannot read ${display(dir)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
