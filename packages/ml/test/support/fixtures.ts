/** Loads the peer fixtures written by test/peers/gen_*.py, and small comparison helpers. */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** |a − b| ≤ tol · max(1, |b|) element-wise, with a message naming the first bad index. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = 'value',
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    const err = Math.abs(a - b);
    assert.ok(err <= tol * Math.max(1, Math.abs(b)), `${what}[${i}]: ${a} vs expected ${b} (tol ${tol})`);
  }
}

/** Seeded PRNG (mulberry32) for generated test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
