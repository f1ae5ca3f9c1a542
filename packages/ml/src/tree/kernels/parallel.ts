/**
 * Worker threads for the tree learners (Node's worker_threads; one worker beside the main thread, so
 * "2 threads"). Results never depend on the thread count:
 * - forests: every tree has its own seed drawn up front (forest.ts), so it does not matter which thread
 *   builds it;
 * - boosting: a large node's histogram is summed from fixed 16,384-row blocks in block order (histogram.ts);
 *   the worker builds the odd blocks and the main thread the even ones, into separate buffers, and the sum
 *   runs in the same order as on one thread — bit-identical histograms.
 * Under tsx (running from TypeScript sources) the worker is started through tsx's loader, as STACK.md shows.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../util/worker.js';
import {
  binColumns,
  binRows,
  detectContinuous,
  finishBinning,
  MAX_BINS,
  sketchStride,
  transposeChunk,
  type BinnedMatrix,
  type BinningStage,
  type DenseMatrix,
} from './binning.js';
import {
  buildForestTree,
  forestScratch,
  forestSeeds,
  type ForestParams,
  type TreeProgress,
} from './forest.js';
import { accumulate, fixDefaultBins, HIST_BLOCK_ROWS } from './histogram.js';
import { CTRL, type HistSession } from './parallel-protocol.js';
import type { Tree } from './tree.js';

let defaultThreads = Math.max(1, Math.min(2, availableParallelism()));

/** Threads the tree learners use by default (main thread included): 2, or 1 on a single-core machine. */
export function treeThreads(): number {
  return defaultThreads;
}

/** Sets the default thread count (1 = no workers); results are the same for any value. */
export function setTreeThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`thread count must be an integer >= 1, got ${n}`);
  defaultThreads = Math.min(n, 2);
}

/** A tree worker thread (tree-worker.ts), started through tsx when running from sources. @internal */
export function spawn(): Worker {
  const w = startModuleWorker(import.meta.url, 'tree-worker');
  w.unref();
  return w;
}

/** How long the main thread waits for the worker's half of a histogram before doing it itself. */
let workerPatienceMs = 10_000;

/** @internal for tests: how long to wait for the worker before taking over its blocks. */
export function setWorkerPatience(ms: number): void {
  workerPatienceMs = ms;
}

let forestWorker: Worker | null = null;
let histWorker: Worker | null = null;

/** Starts the histogram worker early (its start-up then overlaps the caller's binning). */
export function warmHistogramWorker(): void {
  histWorker ??= spawn();
}
let nextId = 1;

/**
 * Starts the forest worker early: its start-up (~180 ms of CPU under tsx, which compiles the worker's modules)
 * then runs on the other core while the caller bins the data, instead of delaying the first trees.
 */
export function warmForestWorker(): void {
  if (forestWorker) return;
  forestWorker = spawn();
  forestReady = new Int32Array(new SharedArrayBuffer(4));
  forestWorker.postMessage({ type: 'hello', flag: forestReady.buffer });
}

/** Set to 1 by the forest worker once it is up (it answers the 'hello' sent at spawn). */
let forestReady: Int32Array | null = null;

/** @internal for tests: whether the forest worker is up. */
export function forestWorkerReady(): boolean {
  return forestReady !== null && Atomics.load(forestReady, 0) === 1;
}

/**
 * binMatrix with the forest worker (warmForestWorker) binning continuous columns: they are handed over
 * transposed, in shared memory, and the worker sorts and bins them straight into the shared bin codes. The
 * result is binMatrix's, bit for bit: every column is binned alone and the rows' counts are integers.
 * - Worker already up (a second fit in the process): it takes ~85% of the continuous columns found on the first
 *   64 rows (detectContinuous) at once, and bins them while this thread scans the few-valued ones.
 * - Worker still starting (~180 ms under tsx): this thread scans first, then hands over half of the continuous
 *   columns and bins the other half.
 * Falls back to this thread alone without a worker, when the hand-over would exceed 128 MB, or if it fails.
 */
export async function binMatrixParallel(x: DenseMatrix, maxBin: number): Promise<BinnedMatrix> {
  const n = x.nRows;
  const worker = forestWorker;
  const warm = worker !== null && forestReady !== null && Atomics.load(forestReady, 0) === 1;
  if (worker && warm) {
    const continuous = detectContinuous(x);
    const theirs = continuous.slice(Math.ceil(continuous.length * MAIN_SHARE));
    if (theirs.length > 0 && theirs.length * n * 8 <= 2 ** 27) {
      const colBins = new Uint8Array(new SharedArrayBuffer(n * x.nCols));
      const job = handOver(worker, x, theirs, colBins, sketchStride(n), Math.min(maxBin, MAX_BINS));
      const st = binRows(x, maxBin, undefined, { colBins, continuous });
      const mine = new Set(theirs);
      binColumns(
        st,
        st.colFeats.filter((f) => !mine.has(f)),
      );
      await collect(worker, st, theirs, job);
      return finishBinning(st);
    }
  }
  const st = binRows(x, maxBin);
  const feats = st.colFeats;
  const half = feats.length >> 1;
  const theirs = feats.slice(half);
  if (!worker || theirs.length === 0 || theirs.length * n * 8 > 2 ** 27) {
    binColumns(st, feats);
    return finishBinning(st);
  }
  const job = handOver(worker, x, theirs, st.colBins, st.stride, st.mb);
  binColumns(st, feats.subarray(0, half));
  await collect(worker, st, theirs, job);
  return finishBinning(st);
}

/** Share of the continuous columns a warm worker leaves to the calling thread (which also scans the rest). */
const MAIN_SHARE = 0.15;

interface BinJob {
  reply: Promise<{ cuts: Float64Array[]; best: Int32Array }>;
  nnz: Int32Array;
}

/** Sends columns `feats` of x, transposed into shared memory, to the worker to bin into `colBins`. */
function handOver(
  worker: Worker,
  x: DenseMatrix,
  feats: Int32Array,
  colBins: Uint8Array,
  stride: number,
  mb: number,
): BinJob {
  const n = x.nRows;
  const cols = new Float64Array(new SharedArrayBuffer(feats.length * n * 8));
  transposeChunk(x, feats, 0, feats.length, cols);
  const nnz = new Int32Array(new SharedArrayBuffer(4 * n));
  const id = nextId++;
  const reply = new Promise<{ cuts: Float64Array[]; best: Int32Array }>((resolve, reject) => {
    const onMessage = (m: { type: string; id: number; cuts: Float64Array[]; best: Int32Array }): void => {
      if (m.type !== 'binned' || m.id !== id) return;
      worker.off('message', onMessage);
      worker.off('error', onError);
      resolve(m);
    };
    const onError = (e: Error): void => {
      worker.off('message', onMessage);
      reject(e);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
  });
  // If the caller fails before awaiting, a later worker error must not become an unhandled rejection.
  reply.catch(() => undefined);
  worker.ref();
  worker.postMessage({ type: 'bin', id, cols, colBins, feats, nnz, stride, mb });
  return { reply, nnz };
}

/** Waits for a hand-over and folds the worker's cuts, default bins and row counts into `st`. */
async function collect(worker: Worker, st: BinningStage, feats: Int32Array, job: BinJob): Promise<void> {
  try {
    const r = await job.reply;
    for (let j = 0; j < feats.length; j++) {
      st.cuts[feats[j]!] = r.cuts[j]!;
      st.localDefault[feats[j]!] = r.best[j]!;
    }
    for (let i = 0; i < st.x.nRows; i++) st.rowPtr[i + 1]! += job.nnz[i]!;
  } catch {
    // The worker is gone: bin its columns here (what it wrote to the shared codes is overwritten).
    if (forestWorker === worker) forestWorker = null;
    binColumns(st, feats);
  } finally {
    worker.unref();
  }
}

/** Trees of a forest built on the main thread and one worker; same trees as `trainForest`. */
export async function trainForestParallel(
  bm: BinnedMatrix,
  y: Float64Array,
  w: Float64Array | null,
  p: ForestParams,
  onTree?: (e: TreeProgress) => void,
): Promise<Tree[]> {
  const seeds = forestSeeds(p);
  const trees = new Array<Tree>(p.numTrees);
  warmForestWorker();
  const worker = forestWorker!;
  const id = nextId++;
  let next = 0;
  let done = 0;
  const report = (): void => onTree?.({ tree: done++, numTrees: p.numTrees });
  const scratch = forestScratch(bm, p);
  // The binned matrix and the layout live in shared memory (binning.ts, histogram.ts): not copied.
  worker.postMessage({ type: 'forest', id, bm, y, w, p, layout: scratch.layout });
  const fromWorker = new Promise<void>((resolve, reject) => {
    let pending = 0;
    const onMessage = (m: { type: string; id: number; t: number; tree: Tree }): void => {
      if (m.type !== 'tree' || m.id !== id) return;
      trees[m.t] = m.tree;
      report();
      pending--;
      feed();
    };
    const onError = (e: Error): void => {
      worker.off('message', onMessage);
      reject(e);
    };
    const feed = (): void => {
      // Two trees queued in the worker, so it never waits for the busy main thread to hand out work.
      while (pending < 2 && next < p.numTrees) {
        const t = next++;
        worker.postMessage({ type: 'tree', id, t, seed: seeds[t] });
        pending++;
      }
      if (pending === 0) {
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.ref();
    feed();
  });
  // If the main thread fails first, a later worker error must not become an unhandled rejection.
  fromWorker.catch(() => undefined);
  try {
    while (next < p.numTrees) {
      const t = next++;
      trees[t] = buildForestTree(bm, y, w, p, seeds[t]!, scratch);
      report();
      // Let the worker's results in and hand it more trees.
      await new Promise((r) => setImmediate(r));
    }
    await fromWorker;
  } finally {
    // Also on failure: a referenced idle worker would keep the process alive.
    worker.postMessage({ type: 'drop', id });
    worker.unref();
  }
  return trees;
}

function shared(a: Uint32Array | Uint16Array | Float64Array | Int32Array): SharedArrayBuffer {
  const b = a.buffer;
  if (b instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength) return b;
  const sab = new SharedArrayBuffer(a.byteLength);
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
}

/**
 * Histogram blocks of large nodes shared with one worker for the duration of a boosting fit. `stats` and
 * `idx` live in shared memory: the booster writes gradients and partitions rows in them directly.
 */
export class ParallelHistograms {
  readonly stats: Float64Array;
  readonly idx: Int32Array;
  private readonly ctrl: Int32Array;
  private readonly out: Float64Array;
  private readonly outTot: Float64Array;
  private readonly histLen: number;
  private seq = 0;
  private statsOffset = 0;
  /** @internal exposed for tests */
  readonly worker: Worker;

  constructor(
    private readonly bm: BinnedMatrix,
    statsLength: number,
    private readonly C: number,
  ) {
    const n = bm.nRows;
    this.histLen = bm.totalBins * C;
    const maxBlocks = Math.ceil(n / HIST_BLOCK_ROWS);
    const session: HistSession = {
      ctrl: new SharedArrayBuffer(CTRL.SIZE * 4),
      rowPtr: shared(bm.rowPtr),
      rowBins: shared(bm.rowBins),
      wide: bm.rowBins instanceof Uint32Array,
      stats: new SharedArrayBuffer(statsLength * 8),
      idx: new SharedArrayBuffer(n * 4),
      out: new SharedArrayBuffer(maxBlocks * this.histLen * 8),
      outTot: new SharedArrayBuffer(maxBlocks * C * 8),
      histLen: this.histLen,
      channels: C,
    };
    this.ctrl = new Int32Array(session.ctrl);
    this.stats = new Float64Array(session.stats);
    this.idx = new Int32Array(session.idx);
    this.out = new Float64Array(session.out);
    this.outTot = new Float64Array(session.outTot);
    this.worker = histWorker ??= spawn();
    this.worker.postMessage({ type: 'hist', session });
  }

  /** Statistics of the next trees start at this offset of `stats` (multiclass: one slice per class). */
  useStatsAt(offset: number): void {
    this.statsOffset = offset;
  }

  /**
   * Builds the histogram of rows idx[start..end) when it spans several blocks (else returns false and the
   * caller builds it on this thread): odd blocks on the worker, even ones here, summed in block order.
   */
  build(start: number, end: number, hist: Float64Array, totals: Float64Array): boolean {
    if (end - start <= HIST_BLOCK_ROWS || this.abandoned) return false;
    const { ctrl, out, outTot, histLen: len, C } = this;
    ctrl[CTRL.START] = start;
    ctrl[CTRL.END] = end;
    ctrl[CTRL.BLOCK] = HIST_BLOCK_ROWS;
    ctrl[CTRL.STATS] = this.statsOffset;
    const seq = ++this.seq;
    Atomics.store(ctrl, CTRL.SEQ, seq);
    Atomics.notify(ctrl, CTRL.SEQ);
    const nBlocks = Math.ceil((end - start) / HIST_BLOCK_ROWS);
    const stats = this.stats.subarray(this.statsOffset);
    for (let b = 0; b < nBlocks; b += 2) {
      const h = out.subarray(b * len, (b + 1) * len);
      const t = outTot.subarray(b * C, (b + 1) * C);
      h.fill(0);
      t.fill(0);
      const s = start + b * HIST_BLOCK_ROWS;
      accumulate(this.bm, stats, C, this.idx, s, Math.min(end, s + HIST_BLOCK_ROWS), h, t);
    }
    const t0 = Date.now();
    while (Atomics.load(ctrl, CTRL.DONE) !== seq && Date.now() - t0 < workerPatienceMs) {
      Atomics.wait(ctrl, CTRL.DONE, Atomics.load(ctrl, CTRL.DONE), 100);
    }
    let outB = out;
    let totB = outTot;
    if (Atomics.load(ctrl, CTRL.DONE) !== seq) {
      // The worker is gone or starved: build its blocks here, into private buffers (it may still write
      // into the shared ones), and stop using it. Block partials are the same whoever builds them.
      outB = out.slice(0, nBlocks * len);
      totB = outTot.slice(0, nBlocks * C);
      for (let b = 1; b < nBlocks; b += 2) {
        const h = outB.subarray(b * len, (b + 1) * len);
        const t = totB.subarray(b * C, (b + 1) * C);
        h.fill(0);
        t.fill(0);
        const s = start + b * HIST_BLOCK_ROWS;
        accumulate(this.bm, stats, C, this.idx, s, Math.min(end, s + HIST_BLOCK_ROWS), h, t);
      }
      this.abandon();
    }
    hist.fill(0);
    totals.fill(0);
    for (let b = 0; b < nBlocks; b++) {
      const o = b * len;
      for (let i = 0; i < len; i++) hist[i]! += outB[o + i]!;
      for (let c = 0; c < C; c++) totals[c]! += totB[b * C + c]!;
    }
    fixDefaultBins(this.bm, C, hist, totals);
    return true;
  }

  private abandoned = false;

  /** Gives up on the worker: the rest of the fit runs on this thread, and the next fit gets a new worker. */
  private abandon(): void {
    this.abandoned = true;
    if (histWorker === this.worker) histWorker = null;
    void this.worker.terminate();
  }

  /** Ends the worker's loop; the worker stays (unreferenced) for the next fit. */
  close(): void {
    if (this.abandoned) return;
    Atomics.store(this.ctrl, CTRL.STOP, 1);
    Atomics.store(this.ctrl, CTRL.SEQ, ++this.seq);
    Atomics.notify(this.ctrl, CTRL.SEQ);
  }
}
