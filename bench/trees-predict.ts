// Prediction probe for issue 7 (tree prediction of 20,000 rows): the same models, rows and calls as
// bench:trees, but only prediction, with per-thread CPU so that it can be read on a busy machine.
// Needs /tmp/cauce-trees/{reg,clf}_100k (made by `npm run bench:trees`). Models: reg-booster, clf-booster,
// reg-forest, clf-forest.
//   node --conditions=source --import tsx bench/trees-predict.ts fit             fit all four, save to /tmp/ppred
//   node --conditions=source --import tsx bench/trees-predict.ts time <model>    load one, time REPS calls
//   node --conditions=source --import tsx bench/trees-predict.ts fitpredict <model>   fit, then time at once
// Env: REPS (6), WAIT=ms before the first call (a loaded model's worker needs ~1 s to start, as during a fit),
// PAR=0|1 (setParallelPrediction), GAP=ms between calls, SHARED=1 (rows given in shared memory). Each call prints
// wall/process CPU (main thread | busiest other thread) [blocks walked by main : worker].
import { readFileSync, readdirSync } from 'node:fs';
/** Per-thread CPU ns (schedstat) by tid. */
const sched = (): Map<string, number> =>
  new Map(
    readdirSync('/proc/self/task').map((t) => [
      t,
      Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]),
    ]),
  );
const threadMs = (a: Map<string, number>, b: Map<string, number>): string => {
  const main = (b.get(String(process.pid))! - a.get(String(process.pid))!) / 1e6;
  let other = 0;
  for (const [t, v] of b) if (t !== String(process.pid)) other = Math.max(other, (v - (a.get(t) ?? 0)) / 1e6);
  return `${main.toFixed(0)}|${other.toFixed(0)}`;
};
import { Frame, float64Column, vectorColumn } from '@cauce/frame';
import {
  RandomForestClassifier,
  RandomForestRegressor,
  XGBoostClassifier,
  XGBoostRegressor,
  loadStage,
  saveStage,
  setParallelPrediction,
  type TreeClassificationModelBase,
  type TreeRegressionModelBase,
  type XGBoostModelBase,
} from '@cauce/ml';
import { lastParallelPredictStats } from '../packages/ml/src/tree/kernels/predict-parallel.js';

const OUT = '/tmp/ppred/models';
const f64 = (p: string): Float64Array => {
  const b = readFileSync(p);
  return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
};
const ds = (name: string) => {
  const dir = `/tmp/cauce-trees/${name.startsWith('reg') ? 'reg' : 'clf'}_100k`;
  return {
    xtr: f64(`${dir}/Xtr.f64`),
    xte: f64(`${dir}/Xte.f64`),
    ytr: f64(`${dir}/ytr.f64`),
    yte: f64(`${dir}/yte.f64`),
  };
};
const [mode, name] = process.argv.slice(2);
let fitted: unknown;
if (process.env.PAR) setParallelPrediction(process.env.PAR === '1');
if (mode === 'fit') {
  for (const n of ['reg-booster', 'clf-booster', 'reg-forest', 'clf-forest']) {
    const d = ds(n);
    const p = d.xtr.length / d.ytr.length;
    const train = Frame.fromColumns({ features: vectorColumn(p, d.xtr), label: float64Column(d.ytr) });
    const bParams = { num_round: 100, max_depth: 6, eta: 0.3, max_bin: 256, base_score: 0.5 };
    const fParams = { numTrees: 100, maxDepth: 10, maxBins: 256, seed: 0 };
    const m =
      n === 'reg-booster'
        ? await new XGBoostRegressor(bParams).fit(train)
        : n === 'clf-booster'
          ? await new XGBoostClassifier({ ...bParams, objective: 'binary:logistic' }).fit(train)
          : n === 'reg-forest'
            ? await new RandomForestRegressor({ ...fParams, featureSubsetStrategy: 'all' }).fit(train)
            : await new RandomForestClassifier({ ...fParams, featureSubsetStrategy: '15' }).fit(train);
    await saveStage(m, `${OUT}/${n}`, { overwrite: true });
    console.log('saved', n);
  }
} else {
  const d = ds(name!);
  if (mode === 'fitpredict') {
    // The bench's order: fit, then the first prediction at once (the model is not loaded from disk).
    const p = d.xtr.length / d.ytr.length;
    const train = Frame.fromColumns({ features: vectorColumn(p, d.xtr), label: float64Column(d.ytr) });
    const bParams = { num_round: 100, max_depth: 6, eta: 0.3, max_bin: 256, base_score: 0.5 };
    const fParams = { numTrees: 100, maxDepth: 10, maxBins: 256, seed: 0 };
    fitted =
      name === 'reg-booster'
        ? await new XGBoostRegressor(bParams).fit(train)
        : name === 'clf-booster'
          ? await new XGBoostClassifier({ ...bParams, objective: 'binary:logistic' }).fit(train)
          : name === 'reg-forest'
            ? await new RandomForestRegressor({ ...fParams, featureSubsetStrategy: 'all' }).fit(train)
            : await new RandomForestClassifier({ ...fParams, featureSubsetStrategy: '15' }).fit(train);
  }
  const p = d.xte.length / d.yte.length;
  // SHARED=1: the rows in a SharedArrayBuffer (the worker then reads them in place, nothing is copied).
  const rowsIn =
    process.env.SHARED === '1' ? new Float64Array(new SharedArrayBuffer(d.xte.byteLength)) : d.xte;
  if (rowsIn !== d.xte) rowsIn.set(d.xte);
  const x = { data: rowsIn, nRows: d.yte.length, nCols: p };
  const l0 = performance.now();
  const m = fitted ?? ((await loadStage(`${OUT}/${name}`)) as unknown);
  console.log('load ms', (performance.now() - l0).toFixed(1));
  if (process.env.WAIT) await new Promise((r) => setTimeout(r, Number(process.env.WAIT)));
  const fn = (): Float64Array =>
    name!.endsWith('booster')
      ? (m as XGBoostModelBase).predictMatrix(x)
      : name === 'reg-forest'
        ? (m as TreeRegressionModelBase).predictMatrix(x)
        : (m as TreeClassificationModelBase).predictProbability(x);
  const res: string[] = [];
  let sum = 0;
  for (let i = 0; i < Number(process.env.REPS ?? 6); i++) {
    const c0 = process.cpuUsage();
    const s0 = sched();
    const t0 = performance.now();
    const out = fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const s1 = sched();
    if (i === 0) for (let j = 0; j < out.length; j += 97) sum += out[j]!;
    const st = lastParallelPredictStats();
    res.push(
      `${ms.toFixed(1)}/${((c.user + c.system) / 1000).toFixed(0)}(${threadMs(s0, s1)})[${st.mainBlocks}:${st.workerBlocks}${st.wasm ? 'w' : ''}]`,
    );
    if (process.env.GAP) await new Promise((r) => setTimeout(r, Number(process.env.GAP)));
  }
  console.log(name, 'wall/cpu(main|max other) ms [blocks main:worker]:', res.join(' '), 'checksum', sum);
}
