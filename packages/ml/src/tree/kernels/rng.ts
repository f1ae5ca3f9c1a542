/**
 * A small seeded generator (mulberry32, public domain, by Tommy Ettinger) so every random choice in the
 * tree code — bootstrap draws, row subsampling, feature subsets — is reproducible from `seed`.
 */
export class Rng {
  private state: number;
  private poissonLambda = NaN;
  private poissonCdf: Float64Array = new Float64Array(0);

  constructor(seed: number) {
    // Mix the seed once (murmur3 finalizer) so that nearby seeds give unrelated streams.
    let h = (seed | 0) ^ 0x9e3779b9;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.state = (h ^ (h >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A fresh 31-bit seed, used to give each tree its own stream. */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }

  /**
   * Poisson(λ) draw by inversion (Devroye 1986, "Non-Uniform Random Variate Generation", §X.3.2): one uniform u,
   * and the count is the first k with u < P(X ≤ k). Spark's bootstrap uses Poisson(subsamplingRate) counts, one
   * per row with the same λ, so the distribution function is tabulated once. Knuth's product method used before
   * took λ + 1 uniforms per draw (two for a bootstrap), a fifth of a forest tree's time.
   */
  poisson(lambda: number): number {
    if (lambda !== this.poissonLambda) {
      this.poissonLambda = lambda;
      this.poissonCdf = poissonCdf(lambda);
    }
    const cdf = this.poissonCdf;
    const u = this.next();
    let k = 0;
    while (k < cdf.length - 1 && u >= cdf[k]!) k++;
    return k;
  }

  /** `k` distinct indices of [0, n), ascending (partial Fisher–Yates on a scratch array). */
  sample(n: number, k: number, scratch?: Int32Array): Int32Array {
    const a = scratch && scratch.length >= n ? scratch : new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a.slice(0, k).sort();
  }

  /**
   * sample(n, k) without its O(n) set-up: `perm` holds 0 .. n−1 in order on entry and again on return (the swaps
   * are undone), so a forest node pays for its k draws only. Same draws, same result as sample.
   */
  sampleInto(n: number, k: number, perm: Int32Array, swaps: Int32Array, out: Int32Array): Int32Array {
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      swaps[i] = j;
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    for (let i = 0; i < k; i++) out[i] = perm[i]!;
    for (let i = k - 1; i >= 0; i--) {
      const j = swaps[i]!;
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    const o = out.subarray(0, k);
    // Insertion sort: k is small (√p features per node).
    for (let i = 1; i < k; i++) {
      const v = o[i]!;
      let m = i - 1;
      while (m >= 0 && o[m]! > v) {
        o[m + 1] = o[m]!;
        m--;
      }
      o[m + 1] = v;
    }
    return o;
  }
}

/** P(X ≤ k) for X ~ Poisson(λ), k = 0, 1, … until it reaches 1 in double precision (the last entry is 1). */
function poissonCdf(lambda: number): Float64Array {
  const out: number[] = [];
  let p = Math.exp(-lambda);
  let sum = p;
  for (let k = 1; sum < 1 && k < 1000; k++) {
    out.push(sum);
    p *= lambda / k;
    if (sum + p === sum) break;
    sum += p;
  }
  out.push(1);
  return Float64Array.from(out);
}
