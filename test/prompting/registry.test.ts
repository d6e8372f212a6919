import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConduitError } from '../../src/core/errors.js';
import { runPromptsDiff, runPromptsList, runPromptsShow } from '../../src/prompting/commands.js';
import { diffPrompts } from '../../src/prompting/prompt-diff.js';
import { listPrompts, loadPrompt, showPrompt } from '../../src/prompting/registry.js';

interface FileSpec {
  name: string;
  version: string;
  body: string;
  variables?: string;
  extra?: string;
  changelog?: string;
}

function promptFile(spec: FileSpec): string {
  return [
    '---',
    `name: ${spec.name}`,
    `version: ${spec.version}`,
    'owner: team-support',
    'model: gpt-4o-mini',
    `description: Triage ${spec.version}`,
    spec.variables ?? 'variables:\n  ticket: string',
    'evaluation:\n  criteria:\n    - Accuracy > 95%',
    spec.changelog ?? `changelog:\n  - version: ${spec.version}\n    date: 2025-01-1${spec.version.split('.')[1] ?? '1'}\n    note: Version ${spec.version}.`,
    ...(spec.extra === undefined ? [] : [spec.extra]),
    '---',
    spec.body,
  ].join('\n');
}

async function write(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

function rejectsWith(kind: string, pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ConduitError, String(err));
    assert.equal(err.kind, kind);
    assert.match(err.message, pattern);
    return true;
  };
}

describe('prompt registry', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'conduit-prompts-'));
    // Working version 1.2.0 in support/triage.md; 1.0.0 and 1.1.0 archived under support/triage/.
    await write(root, 'support/triage.md', promptFile({ name: 'support/triage', version: '1.2.0', body: '[system]\nClassify the ticket.\nBe brief.\n\n[user]\n{{ticket}}\nTier: {{tier}}\n', variables: 'variables:\n  ticket: string\n  tier:\n    type: string\n    default: free' }));
    await write(root, 'support/triage/1.0.0.md', promptFile({ name: 'support/triage', version: '1.0.0', body: '[system]\nClassify the ticket.\n\n[user]\n{{ticket}}\n' }));
    await write(root, 'support/triage/1.1.0.md', promptFile({ name: 'support/triage', version: '1.1.0', body: '[system]\nClassify the ticket.\nBe brief.\n\n[user]\n{{ticket}}\n' }));
    await write(root, 'code/review.md', promptFile({ name: 'code/review', version: '0.1.0', body: 'Review this diff:\n{{ticket}}\n' }));
    await write(root, 'README.md', '# not a prompt\n');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('loads by name (highest version) and by name@version', async () => {
    const latest = await loadPrompt('support/triage', { root });
    assert.equal(latest.version, '1.2.0');
    assert.equal(latest.ref, 'support/triage@1.2.0');
    assert.equal(latest.file, join(root, 'support/triage.md'));
    assert.deepEqual(latest.versions, ['1.0.0', '1.1.0', '1.2.0']);
    assert.deepEqual(latest.template.renderMessages({ ticket: 'Card declined' }), [
      { role: 'system', content: 'Classify the ticket.\nBe brief.' },
      { role: 'user', content: 'Card declined\nTier: free' },
    ]);

    const old = await loadPrompt('support/triage@1.0.0', { root });
    assert.equal(old.version, '1.0.0');
    assert.equal(old.file, join(root, 'support/triage/1.0.0.md'));
    assert.equal(old.meta.owner, 'team-support');
    assert.deepEqual(old.meta.evaluation.criteria, ['Accuracy > 95%']);
    // Rendering errors carry the prompt's ref.
    await assert.rejects(async () => old.template.render({ ticket: 'x', tier: 'pro' }), rejectsWith('invalid_request', /support\/triage@1\.0\.0.*"tier" is not declared/));

    assert.equal((await showPrompt('code/review', { root })).version, '0.1.0');
  });

  test('unknown prompts, unknown versions and malformed references', async () => {
    await assert.rejects(loadPrompt('support/refund', { root }), rejectsWith('not_found', /No prompt "support\/refund"/));
    await assert.rejects(loadPrompt('support/triage@9.9.9', { root }), rejectsWith('not_found', /no version 9\.9\.9 \(available: 1\.0\.0, 1\.1\.0, 1\.2\.0\)/));
    await assert.rejects(loadPrompt('triage', { root }), rejectsWith('invalid_request', /not a prompt reference/));
    await assert.rejects(loadPrompt('support/triage@v2', { root }), rejectsWith('invalid_request', /not a semantic version/));
  });

  test('lists every prompt with its versions, skipping READMEs', async () => {
    const list = await listPrompts({ root });
    assert.deepEqual(
      list.map((p) => [p.id, p.latest, p.versions.join(' ')]),
      [
        ['code/review', '0.1.0', '0.1.0'],
        ['support/triage', '1.2.0', '1.0.0 1.1.0 1.2.0'],
      ],
    );
    const text = await runPromptsList({ root });
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^PROMPT\s+LATEST\s+VERSIONS\s+OWNER\s+MODEL\s+DESCRIPTION$/);
    assert.match(lines[2] ?? '', /^support\/triage\s+1\.2\.0\s+1\.0\.0, 1\.1\.0, 1\.2\.0\s+team-support\s+gpt-4o-mini\s+Triage 1\.2\.0$/);
    assert.equal(JSON.parse(await runPromptsList({ root, json: true })).length, 2);
  });

  test('show prints the front matter and the body', async () => {
    const text = await runPromptsShow('support/triage@1.1.0', { root });
    assert.match(text, /^support\/triage@1\.1\.0 /);
    assert.match(text, /owner:\s+team-support/);
    assert.match(text, /versions:\s+1\.0\.0, 1\.1\.0, 1\.2\.0/);
    assert.match(text, /ticket \(string\)/);
    assert.match(text, /evaluation criteria:\n {2}- Accuracy > 95%/);
    assert.match(text, /1\.1\.0 \(2025-01-11\): Version 1\.1\.0\./);
    assert.ok(text.endsWith('---\n[system]\nClassify the ticket.\nBe brief.\n\n[user]\n{{ticket}}\n'));
  });

  test('diff shows front matter changes and a unified body diff', async () => {
    const diff = await diffPrompts('support/triage@1.0.0', 'support/triage@1.2.0', { root });
    assert.deepEqual(
      diff.frontMatter.map((c) => [c.field, c.before, c.after]),
      [
        ['version', '"1.0.0"', '"1.2.0"'],
        ['description', '"Triage 1.0.0"', '"Triage 1.2.0"'],
        ['variables.tier', undefined, '{"type":"string","default":"free"}'],
        ['changelog[]', '{"version":"1.0.0","date":"2025-01-10","note":"Version 1.0.0."}', undefined],
        ['changelog[]', undefined, '{"version":"1.2.0","date":"2025-01-12","note":"Version 1.2.0."}'],
      ],
    );
    assert.equal(
      diff.body,
      '--- support/triage@1.0.0\n+++ support/triage@1.2.0\n@@ -1,5 +1,7 @@\n [system]\n Classify the ticket.\n+Be brief.\n \n [user]\n {{ticket}}\n+Tier: {{tier}}\n',
    );
    assert.match(diff.text, /^support\/triage@1\.0\.0 -> support\/triage@1\.2\.0\n/);
    assert.match(diff.text, / {2}\+ variables\.tier: /);

    // One reference without a version: the latest against the version before it.
    const previous = await runPromptsDiff('support/triage', undefined, { root });
    assert.match(previous, /^support\/triage@1\.1\.0 -> support\/triage@1\.2\.0\n/);
    assert.match(previous, /\n\+Tier: \{\{tier\}\}\n/);
    assert.doesNotMatch(previous, /\+Be brief/);
    await assert.rejects(runPromptsDiff('code/review', undefined, { root }), rejectsWith('invalid_request', /only one version/));
  });
});

describe('prompt file validation', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'conduit-prompts-bad-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const cases: { title: string; path: string; text: string; error: RegExp }[] = [
    { title: 'no front matter', path: 'a/none.md', text: 'Just a body', error: /a\/none\.md: missing front matter/ },
    { title: 'invalid YAML', path: 'a/yaml.md', text: '---\nname: [unclosed\n---\nbody', error: /a\/yaml\.md: front matter is not valid YAML/ },
    { title: 'version not semver', path: 'a/ver.md', text: promptFile({ name: 'a/ver', version: '1.2', body: 'x' }), error: /a\/ver\.md: front matter field "version" must be a semantic version/ },
    { title: 'missing owner', path: 'a/owner.md', text: promptFile({ name: 'a/owner', version: '1.0.0', body: 'x' }).replace('owner: team-support\n', ''), error: /a\/owner\.md: front matter field "owner" is missing/ },
    { title: 'name does not match the location', path: 'a/named.md', text: promptFile({ name: 'a/other', version: '1.0.0', body: 'x' }), error: /a\/named\.md: front matter field "name" is "a\/other" but the file's location makes it "a\/named"/ },
    { title: 'unknown variable type', path: 'a/vartype.md', text: promptFile({ name: 'a/vartype', version: '1.0.0', body: '{{n}}', variables: 'variables:\n  n: integer' }), error: /a\/vartype\.md: front matter field "variables\.n"/ },
    { title: 'bad changelog date', path: 'a/date.md', text: promptFile({ name: 'a/date', version: '1.0.0', body: 'x', changelog: 'changelog:\n  - version: 1.0.0\n    date: last tuesday\n    note: n' }), error: /a\/date\.md: front matter field "changelog\.0\.date" must be a date YYYY-MM-DD/ },
    { title: 'no changelog entry for the version', path: 'a/log.md', text: promptFile({ name: 'a/log', version: '2.0.0', body: 'x', changelog: 'changelog:\n  - version: 1.0.0\n    date: 2025-01-01\n    note: n' }), error: /a\/log\.md: front matter field "changelog" has no entry for version 2\.0\.0/ },
    { title: 'unknown field', path: 'a/extra.md', text: promptFile({ name: 'a/extra', version: '1.0.0', body: 'x', extra: 'temperature: 0.2' }), error: /a\/extra\.md: unknown front matter field\(s\): temperature/ },
    { title: 'body uses an undeclared variable', path: 'a/undeclared.md', text: promptFile({ name: 'a/undeclared', version: '1.0.0', body: '{{customer}}' }), error: /"customer" is used in the template/ },
    { title: 'file name and version disagree', path: 'a/pinned/1.0.0.md', text: promptFile({ name: 'a/pinned', version: '1.0.1', body: 'x' }), error: /a\/pinned\/1\.0\.0\.md: front matter field "version" is 1\.0\.1 but the file name says 1\.0\.0/ },
  ];
  for (const c of cases) {
    test(c.title, async () => {
      await write(root, c.path, c.text);
      const id = c.path.replace(/\/\d+\.\d+\.\d+\.md$/, '').replace(/\.md$/, '');
      await assert.rejects(loadPrompt(id, { root }), rejectsWith('invalid_request', c.error));
    });
  }

  test('a version defined in two files is an error naming both', async () => {
    await write(root, 'b/dup.md', promptFile({ name: 'b/dup', version: '1.0.0', body: 'x' }));
    await write(root, 'b/dup/1.0.0.md', promptFile({ name: 'b/dup', version: '1.0.0', body: 'y' }));
    await assert.rejects(loadPrompt('b/dup', { root }), rejectsWith('invalid_request', /b\/dup@1\.0\.0 is defined twice: .*b\/dup\.md and .*b\/dup\/1\.0\.0\.md/));
  });
});

describe("the repository's prompts/ folder", () => {
  const repoPrompts = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'prompts');

  test('every prompt file loads, by name and by each version', async () => {
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(join(dir, entry.name));
        else if (entry.name.endsWith('.md') && entry.name.toLowerCase() !== 'readme.md') files.push(relative(repoPrompts, join(dir, entry.name)));
      }
    };
    await walk(repoPrompts);
    assert.ok(files.length >= 3, `expected at least 3 prompt files, found ${files.join(', ')}`);

    const list = await listPrompts({ root: repoPrompts });
    const loadedFiles = new Set<string>();
    for (const summary of list) {
      for (const version of summary.versions) {
        const prompt = await loadPrompt(`${summary.id}@${version}`, { root: repoPrompts });
        assert.equal(prompt.meta.name, summary.id);
        assert.ok(prompt.template.variableNames.length > 0);
        loadedFiles.add(relative(repoPrompts, prompt.file));
      }
    }
    assert.deepEqual([...loadedFiles].sort(), files.sort(), 'every file under prompts/ is a loadable prompt version');
    assert.ok(list.some((p) => p.id === 'support/triage' && p.versions.length >= 2));
  });
});
