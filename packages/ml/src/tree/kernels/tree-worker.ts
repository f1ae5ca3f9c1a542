/**
 * Worker-thread side of parallel.ts. Kinds of work:
 * - forest trees: the main thread sends the binned data once, then tree indices with their seeds;
 * - binning: continuous columns of a forest fit, into the shared binned matrix (binMatrixParallel);
 * - histogram blocks: the worker waits on a SharedArrayBuffer control word and accumulates the odd row
 *   blocks of a node into its slots of a shared output buffer (see parallel.ts for the protocol).
 * Prediction has its own worker (predict-worker.ts).
 */
import { parentPort } from 'node:worker_threads';
import { binColumn, type BinnedMatrix } from './binning.js';
import { buildForestTree, forestScratch, type ForestParams, type ForestScratch } from './forest.js';
import { accumulate, type SampledLayout } from './histogram.js';
import { CTRL, type HistSession } from './parallel-protocol.js';

interface ForestCtx {
  bm: BinnedMatrix;
  y: Float64Array;
  w: Float64Array | null;
  p: ForestParams;
  scratch: ForestScratch;
}

const forests = new Map<number, ForestCtx>();

type Msg =
  | {
      type: 'forest';
      id: number;
      bm: BinnedMatrix;
      y: Float64Array;
      w: Float64Array | null;
      p: ForestParams;
      layout: SampledLayout | null;
    }
  | { type: 'tree'; id: number; t: number; seed: number }
  | {
      type: 'bin';
      id: number;
      cols: Float64Array;
      colBins: Uint8Array;
      feats: Int32Array;
      nnz: Int32Array;
      stride: number;
      mb: number;
    }
  | { type: 'drop'; id: number }
  | { type: 'hist'; session: HistSession }
  | { type: 'hello'; flag: SharedArrayBuffer };

function histLoop(s: HistSession): void {
  const ctrl = new Int32Array(s.ctrl);
  const bm = {
    rowPtr: new Uint32Array(s.rowPtr),
    rowBins: s.wide ? new Uint32Array(s.rowBins) : new Uint16Array(s.rowBins),
  };
  const allStats = new Float64Array(s.stats);
  const idx = new Int32Array(s.idx);
  const out = new Float64Array(s.out);
  const outTot = new Float64Array(s.outTot);
  const len = s.histLen;
  const C = s.channels;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.SEQ, seen);
    seen = Atomics.load(ctrl, CTRL.SEQ);
    if (Atomics.load(ctrl, CTRL.STOP) === 1) return;
    const start = ctrl[CTRL.START]!;
    const end = ctrl[CTRL.END]!;
    const block = ctrl[CTRL.BLOCK]!;
    const nBlocks = Math.ceil((end - start) / block);
    const stats = allStats.subarray(ctrl[CTRL.STATS]!);
    for (let b = 1; b < nBlocks; b += 2) {
      const h = out.subarray(b * len, (b + 1) * len);
      const t = outTot.subarray(b * C, (b + 1) * C);
      h.fill(0);
      t.fill(0);
      accumulate(
        bm as BinnedMatrix,
        stats,
        C,
        idx,
        start + b * block,
        Math.min(end, start + (b + 1) * block),
        h,
        t,
      );
    }
    Atomics.store(ctrl, CTRL.DONE, seen);
    Atomics.notify(ctrl, CTRL.DONE);
  }
}

parentPort?.on('message', (m: Msg) => {
  if (m.type === 'forest') {
    const scratch = forestScratch(m.bm, m.p, false);
    scratch.layout = m.layout;
    forests.set(m.id, { bm: m.bm, y: m.y, w: m.w, p: m.p, scratch });
  } else if (m.type === 'tree') {
    const c = forests.get(m.id)!;
    const tree = buildForestTree(c.bm, c.y, c.w, c.p, m.seed, c.scratch);
    parentPort!.postMessage({ type: 'tree', id: m.id, t: m.t, tree });
  } else if (m.type === 'bin') {
    // Continuous columns for binMatrixParallel: codes into the shared colBins, row counts into nnz.
    const n = m.nnz.length;
    const sample = new Float64Array(Math.ceil(n / m.stride));
    const cuts: Float64Array[] = [];
    const best = new Int32Array(m.feats.length);
    for (let j = 0; j < m.feats.length; j++) {
      const f = m.feats[j]!;
      const colv = m.cols.subarray(j * n, (j + 1) * n);
      const col = m.colBins.subarray(f * n, (f + 1) * n);
      const r = binColumn(colv, null, m.stride, m.mb, col, m.nnz, 0, sample);
      cuts.push(r.cuts);
      best[j] = r.best;
    }
    parentPort!.postMessage({ type: 'binned', id: m.id, cuts, best });
  } else if (m.type === 'drop') {
    forests.delete(m.id);
  } else if (m.type === 'hello') {
    Atomics.store(new Int32Array(m.flag), 0, 1);
  } else {
    histLoop(m.session);
    parentPort!.postMessage({ type: 'histStopped' });
  }
});
