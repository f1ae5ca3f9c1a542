/**
 * A small seeded generator (mulberry32, public domain, by Tommy Ettinger) so every random choice in the
 * tree code — bootstrap draws, row subsampling, feature subsets — is reproducible from `seed`.
 */
export class Rng {
  private state: number;
  private poissonLambda = NaN;
  private poissonL = 0;

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

  /** Poisson(1) draw (Knuth's product method); Spark's bootstrap uses Poisson(subsamplingRate) counts. */
  poisson(lambda: number): number {
    // e^(−λ) is cached: a bootstrap draws one count per row with the same λ.
    if (lambda !== this.poissonLambda) {
      this.poissonLambda = lambda;
      this.poissonL = Math.exp(-lambda);
    }
    const l = this.poissonL;
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
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
}
