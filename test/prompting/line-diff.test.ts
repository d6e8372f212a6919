import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diffLines, unifiedDiff } from '../../src/prompting/line-diff.js';
import { compareSemver, isSemver } from '../../src/prompting/semver.js';

describe('line diff', () => {
  test('minimal edit script, deletions before insertions', () => {
    assert.deepEqual(diffLines('a\nb\nc\n', 'a\nx\nc\n'), [
      { op: 'equal', line: 'a' },
      { op: 'delete', line: 'b' },
      { op: 'insert', line: 'x' },
      { op: 'equal', line: 'c' },
    ]);
    assert.equal(unifiedDiff('same\n', 'same\n'), '');
  });

  test('unified output with hunk headers and 3 lines of context; far changes get separate hunks', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const after = before.replace('line 2\n', 'line two\n').replace('line 18', 'line eighteen');
    const diff = unifiedDiff(before, after, { fromLabel: 'old', toLabel: 'new' });
    assert.equal(
      diff,
      [
        '--- old',
        '+++ new',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -15,6 +15,6 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        '+line eighteen',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
  });

  test('additions to an empty text', () => {
    assert.equal(unifiedDiff('', 'a\nb\n'), '--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  });
});

describe('semver', () => {
  test('orders versions by precedence', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-rc.1', '0.9.9', '1.2.0-beta', '2.0.0'].sort(compareSemver);
    assert.deepEqual(sorted, ['0.9.9', '1.2.0-beta', '1.2.0-rc.1', '1.2.0', '1.10.0', '2.0.0']);
    assert.ok(isSemver('1.2.3+build.5'));
    assert.ok(!isSemver('1.2'));
    assert.ok(!isSemver('01.2.3'));
  });
});
