// `npm run bench:trees` — Cauce's tree learners beside XGBoost and scikit-learn on the peer-bench data, in one run.
//
// Data: /tmp/mlbench-data/{reg,clf}_{100k,1m}.csv from /work/shared/peer-bench/gen_data.py (generated if missing).
// Protocol (peer-bench README): fmix32 hash split 80/20; median impute + standard scaling of x0..x19, one-hot of
// cat_a/b/c over sorted train levels with the last level dropped → 252 features. bench/peers/trees_peers.py applies
// it once and caches the matrices as raw float64 files under /tmp/cauce-trees/<dataset>, so both sides train on the
// very same numbers; then it times the peers, and this script times ours on those files.
//   booster: XGBoostRegressor/Classifier, 100 rounds, depth 6, eta 0.3, max_bin 256, base_score 0.5
//            vs xgboost.XGBRegressor/XGBClassifier(tree_method='hist') with the same settings;
//   forest:  RandomForest, 100 trees, depth 10, maxBins 256, all features (regression) / 15 = ⌊√252⌋ features
//            (classification), bootstrap — scikit-learn's defaults for its forests at the same size.
// Times are wall clock of fit (ours includes binning; XGBoost's includes its DMatrix build). Both sides use 2 threads.
// Prediction: the 20,000-row (100k) / 200,000-row (1m) test matrix, raw predict (`predictMatrix` /
// `predictProbability` on a row-major matrix, no frame): "first" is the first call after fit (it also compiles the
// trees into flat arrays), "warm" the median of three more calls; the peer's is one predict / predict_proba call.
// Usage: npm run bench:trees -- [--sizes 100k,1m] [--kinds reg,clf] [--sklearn-rf-rows N] [--skip-rf]
//   --sklearn-rf-rows N fits scikit-learn's forest on the first N training rows only and scales its time linearly
//   to the full size; the table labels such figures "scaled from N rows" (scikit-learn's RF takes ~57 s at 100k).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Frame, float64Column, vectorColumn } from '@cauce/frame';
import {
  RandomForestClassifier,
  RandomForestRegressor,
  XGBoostClassifier,
  XGBoostRegressor,
  type TreeClassificationModelBase,
  type TreeRegressionModelBase,
  type XGBoostModelBase,
} from '@cauce/ml';

const DATA_DIR = '/tmp/mlbench-data';
const CACHE = '/tmp/cauce-trees';
const PY = '/usr/bin/python3';
const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const SIZES = opt('sizes', '100k').split(',');
const RF_ROWS = Number(opt('sklearn-rf-rows', '0'));
const SKIP_RF = args.includes('--skip-rf');
const KINDS = opt('kinds', 'reg,clf').split(',');

interface PeerLine {
  kind: string;
  library?: string;
  version?: string;
  model?: string;
  fit_s?: number;
  predict_s?: number;
  rows_used?: number;
  max_rss_mb?: number;
  metrics?: Record<string, number>;
  n_train?: number;
  n_test?: number;
  n_features?: number;
}

function ensureData(): void {
  if (existsSync(`${DATA_DIR}/reg_1m.csv`) && existsSync(`${DATA_DIR}/clf_1m.csv`)) return;
  console.error('generating /tmp/mlbench-data with peer-bench gen_data.py (~45 s) …');
  const r = spawnSync(PY, ['/work/shared/peer-bench/gen_data.py', '--out', DATA_DIR], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('gen_data.py failed; see peer-bench README');
}

function runPeers(ds: string, models: string): PeerLine[] {
  const a = ['bench/peers/trees_peers.py', '--data', `${DATA_DIR}/${ds}.csv`, '--out', `${CACHE}/${ds}`];
  a.push('--models', models, '--threads', '2');
  if (RF_ROWS > 0) a.push('--rf-rows', String(RF_ROWS));
  const r = spawnSync(PY, a, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`peer script failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PeerLine);
}

function f64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
}

function r2(p: ArrayLike<number>, y: Float64Array): number {
  let mu = 0;
  for (const v of y) mu += v;
  mu /= y.length;
  let ss = 0;
  let st = 0;
  for (let i = 0; i < y.length; i++) {
    ss += (p[i]! - y[i]!) ** 2;
    st += (y[i]! - mu) ** 2;
  }
  return 1 - ss / st;
}

function auc(s: ArrayLike<number>, y: Float64Array): number {
  const idx = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => s[a]! - s[b]!);
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && s[idx[j + 1]!] === s[idx[i]!]) j++;
    for (let k = i; k <= j; k++) {
      if (y[idx[k]!] === 1) {
        pos++;
        sum += (i + j) / 2 + 1;
      }
    }
    i = j + 1;
  }
  return (sum - (pos * (pos + 1)) / 2) / (pos * (y.length - pos));
}

/** Linux peak RSS of this process (VmHWM) in bytes, or 0 where /proc is missing. */
function hwm(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Peak RSS while `fn` runs: the kernel's high-water mark (VmHWM), reset before the fit by writing 5 to
 * /proc/self/clear_refs, so it is this fit's peak (data + model + worker copies) even while synchronous code
 * blocks the event loop; plus RSS sampled every 20 ms where /proc is unavailable.
 */
async function withPeak<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakMb: number }> {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux, or not allowed: the sampled figure remains
  }
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss, hwm());
    return { value, seconds, peakMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

interface Row {
  dataset: string;
  model: string;
  ours: number;
  peer: number | undefined;
  peerLabel: string;
  oursMetric: string;
  peerMetric: string;
  predictMs: number;
  warmPredictMs: number;
  peerPredictMs: number | undefined;
  peakMb: number;
  peerRssMb: number | undefined;
}

const rows: Row[] = [];

/** [first result, first call ms, median ms of three more calls]. */
function timePredict(fn: () => Float64Array): [Float64Array, number, number] {
  const t0 = performance.now();
  const first = fn();
  const firstMs = performance.now() - t0;
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    fn();
    warm.push(performance.now() - t);
  }
  return [first, firstMs, warm.sort((a, b) => a - b)[1]!];
}

function line(r: Row): string {
  const ratio = r.peer !== undefined ? (r.peer / r.ours).toFixed(2) : '';
  return `| ${r.dataset} | ${r.model} | ${r.ours.toFixed(2)} | ${r.peer?.toFixed(2) ?? ''}${r.peerLabel} | ${ratio} | ${r.oursMetric} | ${r.peerMetric} | ${r.predictMs.toFixed(1)} | ${r.warmPredictMs.toFixed(1)} | ${r.peerPredictMs?.toFixed(1) ?? ''} | ${r.peakMb.toFixed(0)} | ${r.peerRssMb?.toFixed(0) ?? ''} |`;
}

/** Records a result and shows it at once (long runs: a partial table survives an interruption). */
function push(r: Row): void {
  rows.push(r);
  console.error(line(r));
}
const fmtM = (task: string, m: number): string => `${task === 'regression' ? 'r2' : 'AUC'} ${m.toFixed(4)}`;

async function benchDataset(ds: string): Promise<void> {
  const task = ds.startsWith('reg') ? 'regression' : 'classification';
  const models = SKIP_RF ? 'xgb' : 'xgb,rf';
  console.error(`# ${ds}: peers (${models}) …`);
  const peers = runPeers(ds, models);
  const meta = peers.find((l) => l.kind === 'meta')!;
  const p = meta.n_features!;
  const xtr = f64(`${CACHE}/${ds}/Xtr.f64`);
  const xte = f64(`${CACHE}/${ds}/Xte.f64`);
  const ytr = f64(`${CACHE}/${ds}/ytr.f64`);
  const yte = f64(`${CACHE}/${ds}/yte.f64`);
  const train = Frame.fromColumns({ features: vectorColumn(p, xtr), label: float64Column(ytr) });
  const test = { data: xte, nRows: yte.length, nCols: p };
  const metric = (pred: ArrayLike<number>): number =>
    task === 'regression' ? r2(pred, yte) : auc(pred, yte);

  // Booster.
  console.error(`# ${ds}: our booster …`);
  const bParams = { num_round: 100, max_depth: 6, eta: 0.3, max_bin: 256, base_score: 0.5 };
  const b = await withPeak<XGBoostModelBase>(() =>
    task === 'regression'
      ? new XGBoostRegressor(bParams).fit(train)
      : new XGBoostClassifier({ ...bParams, objective: 'binary:logistic' }).fit(train),
  );
  const bm = b.value as XGBoostModelBase;
  const [bPred, bPredMs, bWarmMs] = timePredict(() => bm.predictMatrix(test));
  const xg = peers.find((l) => l.model === 'booster')!;
  push({
    dataset: ds,
    model: `booster (XGBoost ${xg.version} hist)`,
    ours: b.seconds,
    peer: xg.fit_s,
    peerLabel: '',
    oursMetric: fmtM(task, metric(bPred)),
    peerMetric: fmtM(task, task === 'regression' ? xg.metrics!.r2! : xg.metrics!.auc!),
    predictMs: bPredMs,
    warmPredictMs: bWarmMs,
    peerPredictMs: xg.predict_s! * 1000,
    peakMb: b.peakMb,
    peerRssMb: xg.max_rss_mb,
  });

  if (SKIP_RF) return;
  console.error(`# ${ds}: our forest …`);
  const fParams = { numTrees: 100, maxDepth: 10, maxBins: 256, seed: 0 };
  const f = await withPeak<TreeRegressionModelBase | TreeClassificationModelBase>(() =>
    task === 'regression'
      ? new RandomForestRegressor({ ...fParams, featureSubsetStrategy: 'all' }).fit(train)
      : new RandomForestClassifier({ ...fParams, featureSubsetStrategy: '15' }).fit(train),
  );
  const [fPred, fPredMs, fWarmMs] = timePredict(() =>
    task === 'regression'
      ? (f.value as TreeRegressionModelBase).predictMatrix(test)
      : (() => {
          const pr = (f.value as TreeClassificationModelBase).predictProbability(test);
          return Float64Array.from({ length: yte.length }, (_, i) => pr[2 * i + 1]!);
        })(),
  );
  const sk = peers.find((l) => l.model === 'forest')!;
  const scaled = sk.rows_used! < meta.n_train!;
  push({
    dataset: ds,
    model: `forest (scikit-learn ${sk.version})`,
    ours: f.seconds,
    peer: scaled ? (sk.fit_s! * meta.n_train!) / sk.rows_used! : sk.fit_s,
    peerLabel: scaled ? ` (scaled from ${sk.rows_used} rows: ${sk.fit_s!.toFixed(2)} s)` : '',
    oursMetric: fmtM(task, metric(fPred)),
    peerMetric: scaled
      ? `${fmtM(task, task === 'regression' ? sk.metrics!.r2! : sk.metrics!.auc!)}*`
      : fmtM(task, task === 'regression' ? sk.metrics!.r2! : sk.metrics!.auc!),
    predictMs: fPredMs,
    warmPredictMs: fWarmMs,
    peerPredictMs: sk.predict_s! * 1000,
    peakMb: f.peakMb,
    peerRssMb: sk.max_rss_mb,
  });
}

async function main(): Promise<void> {
  ensureData();
  for (const size of SIZES) {
    for (const kind of KINDS) await benchDataset(`${kind}_${size}`);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const pyv = spawnSync(
    PY,
    ['-c', 'import xgboost, sklearn; print(xgboost.__version__, sklearn.__version__)'],
    {
      encoding: 'utf8',
    },
  ).stdout.trim();
  console.log(
    `\n## bench:trees — ${os.cpus().length} × ${cpu}, Node ${process.version}, xgboost/sklearn ${pyv}\n`,
  );
  console.log(
    '| dataset | model (peer) | fit ours (s) | fit peer (s) | peer / ours | metric ours | metric peer | predict ours, first (ms) | predict ours, warm (ms) | predict peer (ms) | peak RSS ours (MB) | peak RSS peer (MB) |',
  );
  console.log('|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(line(r));
  console.log(
    '\npeer / ours > 1 means ours is faster. Metrics on the 20% test split. * = peer fitted on fewer rows.\n' +
      'Predict = the whole test split (20% of the rows) as a row-major matrix; first = first call after fit.',
  );
  console.log(
    'Peak RSS ours is the Node process high-water mark (VmHWM, reset before each fit: data + model); peer is ru_maxrss of its process.',
  );
}

await main();
