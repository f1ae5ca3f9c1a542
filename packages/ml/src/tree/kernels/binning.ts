/**
 * Quantile binning of a dense feature matrix, the first step of histogram-based tree learning
 * (Ke et al. 2017, "LightGBM", §2; Chen & Guestrin 2016, "XGBoost", §3.3 approximate split finding).
 *
 * Every feature gets at most `maxBin` value bins (capped at 255 so a bin code fits a byte) plus one
 * missing bin. Value bin b holds the values x with cuts[b-1] <= x < cuts[b], so "bin <= t goes left" is the
 * same test as XGBoost's `x < split_condition` with split_condition = cuts[t]: a tree learned on bins
 * predicts on raw values with the same result.
 *
 * Two layouts are kept (see docs/decisions/0006-histogram-trees.md):
 * - `colBins`: column-major bin codes, one byte per cell, for partitioning rows on the chosen feature;
 * - a CSR list per row of the global bin ids that are NOT the feature's most frequent bin. Histograms are built
 *   from this list and the most frequent bin of each feature is recovered as (node total − other bins), the
 *   trick LightGBM uses for sparse features. One-hot columns are almost always at their most frequent bin,
 *   so on the benchmark data a row touches ~23 bins instead of 252.
 */

/** A dense row-major matrix of doubles: cell (r, c) is data[r * nCols + c]; NaN means missing. */
export interface DenseMatrix {
  readonly data: Float64Array;
  readonly nRows: number;
  readonly nCols: number;
}

export interface BinnedMatrix {
  readonly nRows: number;
  readonly nFeatures: number;
  /** Boundaries between value bins, per feature (length nBins[f] - 1). */
  readonly cuts: Float64Array[];
  /** Value bins per feature; the feature's missing bin has local code nBins[f]. */
  readonly nBins: Int32Array;
  /** Global id of the feature's local bin 0; feature f owns ids offsets[f] .. offsets[f] + nBins[f]. */
  readonly offsets: Int32Array;
  /** Number of global bins, missing bins included. */
  readonly totalBins: number;
  /** Owning feature of each global bin. */
  readonly binFeature: Int32Array;
  /** Global id of each feature's most frequent bin (left out of the CSR lists). */
  readonly defaultBin: Int32Array;
  /** Column-major local codes: colBins[f * nRows + r]. */
  readonly colBins: Uint8Array;
  readonly rowPtr: Uint32Array;
  readonly rowBins: Uint16Array | Uint32Array;
}

export const MAX_BINS = 255;
const SKETCH_ROWS = 200_000;

/** Rows between two sampled values when learning a continuous feature's cuts (1 up to 200,000 rows). */
export function sketchStride(n: number): number {
  return Math.max(1, Math.ceil(n / SKETCH_ROWS));
}

/** Cut points for one feature from its non-missing values (sorted in place). */
export function computeCuts(values: Float64Array, maxBin: number): Float64Array {
  const m = values.length;
  if (m === 0) return new Float64Array(0);
  values.sort();
  const distinct: number[] = [];
  for (let i = 0; i < m && distinct.length <= maxBin; i++) {
    const v = values[i]!;
    if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
  }
  if (distinct.length <= maxBin) {
    // Few values: one bin each, boundaries half-way so unseen values in between fall to the nearer side.
    const cuts = new Float64Array(distinct.length - 1);
    for (let i = 1; i < distinct.length; i++) cuts[i - 1] = (distinct[i - 1]! + distinct[i]!) / 2;
    return cuts;
  }
  // Many values: equal-frequency boundaries. Bin k starts at the data value v at rank k·m/maxBin; the cut is
  // placed half-way between v and the largest smaller value, so no training value sits on a threshold (a
  // value on it would flip sides when XGBoost compares in float32 after export).
  const out: number[] = [];
  for (let k = 1; k < maxBin; k++) {
    const v = values[Math.floor((k * m) / maxBin)]!;
    if (!(v > values[0]!)) continue;
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const pred = values[lo - 1]!;
    const half = (pred + v) / 2;
    const cut = half > pred ? half : v;
    if (out.length === 0 || cut > out[out.length - 1]!) out.push(cut);
  }
  return Float64Array.from(out);
}

/**
 * Index of the first cut greater than x (upper bound), i.e. the value bin of x; cuts.length >= 1. The search
 * halves a window with a select instead of a branch (Khuong & Morin 2017, "Array layouts for comparison-based
 * searching"): continuous values land at random, so a branching search mispredicts at every step.
 */
function binOf(cuts: Float64Array, x: number): number {
  let b = 0;
  let m = cuts.length;
  while (m > 1) {
    const h = m >>> 1;
    b = cuts[b + h]! <= x ? b + h : b;
    m -= h;
  }
  return b + (cuts[b]! <= x ? 1 : 0);
}

/** Columns feats[j0 .. j0+k) of a row-major matrix, transposed into `out` (k × n), one pass over the rows. */
export function transposeChunk(
  x: DenseMatrix,
  feats: Int32Array,
  j0: number,
  k: number,
  out: Float64Array,
): void {
  const { data, nRows: n, nCols: p } = x;
  for (let r = 0; r < n; r++) {
    const base = r * p;
    for (let j = 0; j < k; j++) out[j * n + r] = data[base + feats[j0 + j]!]!;
  }
}

/**
 * Features with more than FEW distinct values among the first `rows` rows: continuous for sure (binRows would
 * send them down the column path), known before the full scan.
 */
export function detectContinuous(x: DenseMatrix, rows = 64): Int32Array {
  const { data, nRows: n, nCols: p } = x;
  const m = Math.min(n, rows);
  const out: number[] = [];
  const seen = new Set<number>();
  for (let f = 0; f < p; f++) {
    seen.clear();
    for (let r = 0; r < m && seen.size <= FEW; r++) {
      const v = data[r * p + f]!;
      if (v === v) seen.add(v === 0 ? 0 : v);
    }
    if (seen.size > FEW) out.push(f);
  }
  return Int32Array.from(out);
}

/** At most this many distinct values make a feature "few-valued" (binned row by row, see binMatrix). */
const FEW = 8;

/** Per-feature results of scanFewValues. */
interface FewScan {
  /** Distinct non-NaN values (FEW per feature, in order of first appearance) and their counts. */
  vals: Float64Array;
  cnt: Float64Array;
  nan: Float64Array;
  /** Number of distinct values, or FEW + 1 for more. */
  k: Int32Array;
  /** The row at which a feature was found to have more than FEW values (n if never). */
  dropRow: Int32Array;
  /** Per row: how many scanned features had their first-seen value there (code 0). */
  zeros: Int32Array;
}

/**
 * One row-major pass over the matrix (the layout it comes in; a column-by-column scan would read a whole cache
 * line per cell). For each feature, while it has at most FEW distinct values: the values with their counts, and
 * each cell's code — the index of its value in order of first appearance, FEW for NaN — written to `colBins`.
 * binMatrix then turns codes into bins; a row's count of non-default bins starts from `zeros`.
 */
function scanFewValues(x: DenseMatrix, colBins: Uint8Array, skip: Int32Array | undefined): FewScan {
  const { data, nRows: n, nCols: p } = x;
  const vals = new Float64Array(p * FEW);
  const cnt = new Float64Array(p * FEW);
  const nan = new Float64Array(p);
  const k = new Int32Array(p);
  const dropRow = new Int32Array(p).fill(n);
  const zeros = new Int32Array(n);
  // Features known to be continuous are out from row 0.
  for (const f of skip ?? []) {
    k[f] = FEW + 1;
    dropRow[f] = 0;
  }
  // Features still few-valued; the list is rebuilt (at most once per feature) when one drops out.
  let live = Int32Array.from({ length: p }, (_, f) => f).filter((f) => k[f]! <= FEW);
  for (let r = 0; r < n; r++) {
    const base = r * p;
    let dropped = false;
    let z = 0;
    for (let j = 0; j < live.length; j++) {
      const f = live[j]!;
      const v = data[base + f]!;
      if (v !== v) {
        nan[f]!++;
        colBins[f * n + r] = FEW;
        continue;
      }
      const o = f * FEW;
      const kf = k[f]!;
      let i = 0;
      while (i < kf && vals[o + i] !== v) i++;
      if (i === kf) {
        if (kf === FEW) {
          k[f] = FEW + 1;
          dropRow[f] = r;
          dropped = true;
          continue;
        }
        vals[o + kf] = v;
        k[f] = kf + 1;
      }
      cnt[o + i]!++;
      colBins[f * n + r] = i;
      z += i === 0 ? 1 : 0;
    }
    zeros[r] = z;
    if (dropped) live = live.filter((f) => k[f]! <= FEW);
  }
  return { vals, cnt, nan, k, dropRow, zeros };
}

/**
 * Learns cuts from `x` (or reuses `cuts` from an earlier call, e.g. for a validation set) and bins it.
 * Cuts come from all rows up to 200,000 and from an evenly strided sample beyond that.
 *
 * Two paths, by feature:
 * - few-valued features (≤ 8 distinct values, e.g. one-hot columns) are coded, counted and their rows'
 *   non-default bins tallied in one row-major scan (scanFewValues); codes become bins afterwards, column by
 *   column, only where the order of first appearance differs from the values' order;
 * - the others (continuous) are transposed a chunk of columns at a time, sorted for their quantiles and
 *   binned column by column.
 * With given cuts, features with ≤ 8 cuts are binned in a row-major pass and the others by the column path.
 * Session 3 measurement (clf_100k, 80,000 × 252, 232 one-hot columns): ~0.65 → ~0.45 s of CPU; the
 * column-by-column version spent a third of its time reading the row-major matrix eight columns at a time.
 */
export function binMatrix(x: DenseMatrix, maxBin: number, cutsIn?: Float64Array[]): BinnedMatrix {
  const st = binRows(x, maxBin, cutsIn);
  binColumns(st, st.colFeats);
  return finishBinning(st);
}

/** Binning between its row-major part and its column part (binMatrix; parallel.ts binMatrixParallel). */
export interface BinningStage {
  readonly x: DenseMatrix;
  readonly mb: number;
  readonly learn: boolean;
  readonly cuts: Float64Array[];
  readonly colBins: Uint8Array;
  /** Rows' non-default counts at rowPtr[r + 1] until finishBinning turns them into offsets. */
  readonly rowPtr: Uint32Array;
  readonly localDefault: Int32Array;
  /** Features left for the column path. */
  readonly colFeats: Int32Array;
  /** Rows between two sampled values when learning cuts (1 up to 200,000 rows). */
  readonly stride: number;
}

/** The row-major part of binMatrix: few-valued features (or ones with few given cuts) done. */
export function binRows(
  x: DenseMatrix,
  maxBin: number,
  cutsIn?: Float64Array[],
  pre?: { colBins: Uint8Array; continuous: Int32Array },
): BinningStage {
  const { nRows: n, nCols: p } = x;
  const mb = Math.min(maxBin, MAX_BINS);
  const cuts: Float64Array[] = cutsIn ? cutsIn.slice() : new Array<Float64Array>(p);
  // Shared memory: posting the binned matrix to a forest worker then shares these instead of copying ~n·p bytes.
  // `pre`: the codes array already handed to a worker, and features known to be continuous (not scanned).
  const colBins = pre?.colBins ?? new Uint8Array(new SharedArrayBuffer(n * p));
  const rowPtr = new Uint32Array(new SharedArrayBuffer(4 * (n + 1)));
  const localDefault = new Int32Array(p);
  const counts = new Int32Array(MAX_BINS + 2);

  // Which features go row by row: few-valued ones (training) or ones with few given cuts.
  const rowPath = new Uint8Array(p);
  if (cutsIn) {
    for (let f = 0; f < p; f++) rowPath[f] = cuts[f]!.length <= FEW ? 1 : 0;
    binRowsWithCuts(x, cuts, rowPath, colBins, rowPtr, localDefault);
  } else {
    const { vals, cnt, nan, k, dropRow, zeros } = scanFewValues(x, colBins, pre?.continuous);
    const map = new Uint8Array(FEW + 1);
    let nRowFeats = 0;
    for (let f = 0; f < p; f++) {
      const kf = k[f]!;
      const col = colBins.subarray(f * n, (f + 1) * n);
      if (kf > FEW || kf > mb) {
        // Column path below: take back this feature's scan codes from the rows' tallies.
        const end = dropRow[f]!;
        for (let r = 0; r < end; r++) zeros[r]! -= col[r] === 0 ? 1 : 0;
        continue;
      }
      rowPath[f] = 1;
      nRowFeats++;
      const c = computeCuts(vals.slice(f * FEW, f * FEW + kf), mb);
      cuts[f] = c;
      const miss = c.length + 1;
      // Code → bin (value i lands in bin binOf(c, value i); one value per bin), bin counts and the default
      // bin: the most frequent, lowest bin on ties, as the column path picks it.
      counts.fill(0);
      let identity = nan[f] === 0 || miss === FEW;
      for (let i = 0; i < kf; i++) {
        const b = c.length === 0 ? 0 : binOf(c, vals[f * FEW + i]!);
        map[i] = b;
        if (b !== i) identity = false;
        counts[b]! += cnt[f * FEW + i]!;
      }
      map[FEW] = miss;
      counts[miss] = nan[f]!;
      let best = 0;
      for (let b = 1; b <= miss; b++) if (counts[b]! > counts[best]!) best = b;
      localDefault[f] = best;
      // zeros[r] counted code 0 as this feature's default; correct rows where that is not so.
      let zCode = FEW;
      for (let i = 0; i < kf; i++) if (map[i] === best) zCode = i;
      if (zCode !== 0) {
        for (let r = 0; r < n; r++) {
          const code = col[r]!;
          zeros[r]! += (code === zCode ? 1 : 0) - (code === 0 ? 1 : 0);
        }
      }
      if (!identity) for (let r = 0; r < n; r++) col[r] = map[col[r]!]!;
    }
    for (let r = 0; r < n; r++) rowPtr[r + 1] = nRowFeats - zeros[r]!;
  }
  const colFeats = Int32Array.from({ length: p }, (_, f) => f).filter((f) => rowPath[f] === 0);
  const stride = sketchStride(n);
  return { x, mb, learn: !cutsIn, cuts, colBins, rowPtr, localDefault, colFeats, stride };
}

/**
 * Bins one continuous column: learns its cuts from every stride-th value (unless `given`), writes its codes to
 * `col`, and adds each row's "not the default bin" to rowCnt[o + r]. Returns the cuts and the default bin.
 */
export function binColumn(
  colv: Float64Array,
  given: Float64Array | null,
  stride: number,
  mb: number,
  col: Uint8Array,
  rowCnt: Uint32Array | Int32Array,
  o: number,
  sample: Float64Array,
): { cuts: Float64Array; best: number } {
  const n = colv.length;
  let c = given;
  if (!c) {
    let m = 0;
    for (let r = 0; r < n; r += stride) {
      const v = colv[r]!;
      if (v === v) sample[m++] = v;
    }
    c = computeCuts(sample.slice(0, m), mb);
  }
  const miss = c.length + 1;
  const counts = new Int32Array(miss + 1);
  for (let r = 0; r < n; r++) {
    const v = colv[r]!;
    const b = v === v ? (c.length === 0 ? 0 : binOf(c, v)) : miss;
    col[r] = b;
    counts[b]!++;
  }
  let best = 0;
  for (let b = 1; b <= miss; b++) if (counts[b]! > counts[best]!) best = b;
  // Each row's non-default bins, counted while the column is in cache (CSR pass 1).
  for (let r = 0; r < n; r++) rowCnt[o + r]! += col[r] !== best ? 1 : 0;
  return { cuts: c, best };
}

/**
 * The column path for features `feats` on this thread: CH columns at a time through a transposed buffer. A
 * chunk pass reads CH × 8 bytes of every row, a row apart in memory; 32 columns (4 cache lines) when the
 * buffer stays under 32 MB, 8 at least.
 */
export function binColumns(st: BinningStage, feats: Int32Array): void {
  const { x, colBins, cuts, localDefault, rowPtr } = st;
  const n = x.nRows;
  const CH = Math.max(8, Math.min(32, Math.floor(2 ** 22 / Math.max(1, n) / 8) * 8));
  const buf = new Float64Array(Math.min(CH, feats.length) * n);
  const sample = new Float64Array(Math.ceil(n / st.stride));
  for (let j0 = 0; j0 < feats.length; j0 += CH) {
    const k = Math.min(CH, feats.length - j0);
    transposeChunk(x, feats, j0, k, buf);
    for (let j = 0; j < k; j++) {
      const f = feats[j0 + j]!;
      const colv = buf.subarray(j * n, (j + 1) * n);
      const col = colBins.subarray(f * n, (f + 1) * n);
      const r = binColumn(colv, st.learn ? null : cuts[f]!, st.stride, st.mb, col, rowPtr, 1, sample);
      cuts[f] = r.cuts;
      localDefault[f] = r.best;
    }
  }
}

/** Bin offsets, default bins and the CSR of the non-default bins, once every feature is binned. */
export function finishBinning(st: BinningStage): BinnedMatrix {
  const { cuts, colBins, rowPtr, localDefault } = st;
  const { nRows: n, nCols: p } = st.x;
  const nBins = new Int32Array(p);
  const offsets = new Int32Array(p);
  let total = 0;
  for (let f = 0; f < p; f++) {
    nBins[f] = cuts[f]!.length + 1;
    offsets[f] = total;
    total += nBins[f]! + 1;
  }
  const binFeature = new Int32Array(total);
  for (let f = 0; f < p; f++) binFeature.fill(f, offsets[f]!, offsets[f]! + nBins[f]! + 1);
  const defaultBin = new Int32Array(p);
  for (let f = 0; f < p; f++) defaultBin[f] = offsets[f]! + localDefault[f]!;

  // CSR of the non-default bins: counts were taken above, now prefix sums and the fill pass.
  for (let r = 0; r < n; r++) rowPtr[r + 1]! += rowPtr[r]!;
  const nnz = rowPtr[n]!;
  const rowBins =
    total <= 65536
      ? new Uint16Array(new SharedArrayBuffer(2 * nnz))
      : new Uint32Array(new SharedArrayBuffer(4 * nnz));
  const fill = rowPtr.slice(0, n);
  for (let f = 0; f < p; f++) {
    const col = colBins.subarray(f * n, (f + 1) * n);
    const off = offsets[f]!;
    const d = defaultBin[f]! - off;
    for (let r = 0; r < n; r++) {
      const b = col[r]!;
      if (b !== d) rowBins[fill[r]!++] = off + b;
    }
  }
  return {
    nRows: n,
    nFeatures: p,
    cuts,
    nBins,
    offsets,
    totalBins: total,
    binFeature,
    defaultBin,
    colBins,
    rowPtr,
    rowBins,
  };
}

/**
 * Bins the rowPath features of `x` with given cuts (≤ FEW each) in one row-major pass, then finds each one's
 * default bin and adds its non-default cells to the rows' counts in rowPtr[r + 1].
 */
function binRowsWithCuts(
  x: DenseMatrix,
  cuts: Float64Array[],
  rowPath: Uint8Array,
  colBins: Uint8Array,
  rowPtr: Uint32Array,
  localDefault: Int32Array,
): void {
  const { data, nRows: n, nCols: p } = x;
  const feats = Int32Array.from({ length: p }, (_, f) => f).filter((f) => rowPath[f] === 1);
  const len = Int32Array.from(feats, (f) => cuts[f]!.length);
  const c0 = Float64Array.from(feats, (f) => (cuts[f]!.length > 0 ? cuts[f]![0]! : 0));
  for (let r = 0; r < n; r++) {
    const base = r * p;
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j]!;
      const v = data[base + f]!;
      const L = len[j]!;
      let b: number;
      if (L === 1) {
        const c = c0[j]!;
        b = v < c ? 0 : v >= c ? 1 : 2;
      } else if (v !== v) b = L + 1;
      else b = L === 0 ? 0 : binOf(cuts[f]!, v);
      colBins[f * n + r] = b;
    }
  }
  const counts = new Int32Array(FEW + 2);
  for (const f of feats) {
    const col = colBins.subarray(f * n, (f + 1) * n);
    const miss = cuts[f]!.length + 1;
    counts.fill(0);
    for (let r = 0; r < n; r++) counts[col[r]!]!++;
    let best = 0;
    for (let b = 1; b <= miss; b++) if (counts[b]! > counts[best]!) best = b;
    localDefault[f] = best;
    for (let r = 0; r < n; r++) rowPtr[r + 1]! += col[r] !== best ? 1 : 0;
  }
}
