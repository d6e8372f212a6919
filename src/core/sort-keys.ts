/**
 * Sorts object keys in place in the order `Array.prototype.sort()` gives strings (UTF-16 code
 * units), for the canonical-JSON writers that hash every cached request and every audit entry.
 *
 * Why not `keys.sort()`: V8's sort copies the array into a work area and back on every call; with
 * a dozen small sorts per request that was the largest single allocation site of the policy path
 * (about 4.5 KB per request). An insertion sort over the few keys of a JSON object allocates
 * nothing and is as fast; long arrays still go to the built-in sort.
 */
const INSERTION_SORT_MAX = 24;

export function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  if (n > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
