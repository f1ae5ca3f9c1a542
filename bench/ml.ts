// `npm run bench:ml` — Cauce's linear models beside scikit-learn on the peer-bench data, in one run.
//
// Data: /tmp/mlbench-data/{reg,clf}_100k.csv from /work/shared/peer-bench/gen_data.py (generated if missing).
// Protocol (peer-bench README): fmix32 hash split 80/20; preprocessing fitted on train = median impute + standard
// scaling of x0..x19, one-hot of cat_a/b/c over sorted train levels with the last level dropped → 252 features.
// Ours runs as a Cauce Pipeline (Imputer → VectorAssembler → StandardScaler → StringIndexer → OneHotEncoder →
// VectorAssembler); the peer is bench/peers/ml_sklearn.py, spawned here with Debian's /usr/bin/python3.
// Hyper-parameters are sklearn's, mapped onto Spark's parameterisation (docs/decisions/0005-linear-solvers.md):
//   Ridge(alpha)          → regParam = alpha·σ_y/n, elasticNetParam 0, standardization false
//   Lasso(alpha)          → regParam = alpha, elasticNetParam 1, standardization false
//   ElasticNet(A, r)      → regParam = A·r + A·(1−r)·σ_y, elasticNetParam = A·r/regParam
//   LogisticRegression(C) → regParam = 1/(C·n), standardization false
// Fit times are medians of --repeat fits (default 3). Usage: npm run bench:ml -- [--repeat 3]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { type Frame, vectorColumn } from '@cauce/frame';
import { readFrame } from '@cauce/data';
import {
  Imputer,
  LinearRegression,
  LogisticRegression,
  OneHotEncoder,
  Pipeline,
  StandardScaler,
  StringIndexer,
  VectorAssembler,
  type PipelineModel,
} from '@cauce/ml';

const DATA_DIR = '/tmp/mlbench-data';
const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const REPEAT = flag('repeat', 3);
const NUM = Array.from({ length: 20 }, (_, j) => `x${j}`);
const CAT = ['cat_a', 'cat_b', 'cat_c'];

/**
 * ml.js measured in this run when its packages are installed (the peer-bench recipe:
 * `mkdir -p /tmp/mlbench-js && cd /tmp/mlbench-js && npm init -y && npm install ml-regression-multivariate-linear
 * ml-logistic-regression ml-matrix`, or MLBENCH_JS_DIR). Only the linear regression is run by default (≈11 s on an
 * idle machine); `--mljs-logreg` adds ml-logistic-regression (200 gradient steps, ≈2 minutes).
 */
const MLJS_DIR = process.env.MLBENCH_JS_DIR ?? '/tmp/mlbench-js';
const mljsLive: Record<string, { lib: string; fit_s: number; metric: string }> = {};

function mljsRequire(): NodeRequire | null {
  if (!existsSync(`${MLJS_DIR}/node_modules/ml-regression-multivariate-linear`)) return null;
  return createRequire(`${MLJS_DIR}/package.json`);
}

function denseRows(frame: Frame, col: string): Float64Array[] {
  const m = frame.vectors(col);
  return Array.from({ length: m.rows }, (_, i) => m.values.slice(i * m.size, (i + 1) * m.size));
}

/** Stored ml.js figures (peer-bench results/RESULTS.md, same machine type, not re-run here: ~2 minutes). */
const MLJS_STORED: Record<string, { lib: string; fit_s: number }> = {
  linreg: { lib: 'ml-regression-multivariate-linear', fit_s: 10.906 },
  logreg: { lib: 'ml-logistic-regression', fit_s: 121.545 },
};

/** The peer-bench split: test rows are the 20% with the smallest murmur3 fmix32 hash of (i + 42·0x9E3779B9). */
function splitIndices(n: number): { train: Int32Array; test: Int32Array } {
  const h = new Uint32Array(n);
  const off = Number((42n * 0x9e3779b9n) & 0xffffffffn);
  for (let i = 0; i < n; i++) {
    let x = (i + off) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b) >>> 0;
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x ^= x >>> 16;
    h[i] = x;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => h[a]! - h[b]! || a - b);
  const isTest = new Uint8Array(n);
  for (let k = 0; k < Math.floor(n * 0.2); k++) isTest[order[k]!] = 1;
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (isTest[i] ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

function preprocessing(): Pipeline {
  const imp = NUM.map((c) => `${c}_imp`);
  const idx = CAT.map((c) => `${c}_idx`);
  const oh = CAT.map((c) => `${c}_oh`);
  return new Pipeline({
    stages: [
      new Imputer({ inputCols: NUM, outputCols: imp, strategy: 'median', relativeError: 0 }),
      new VectorAssembler({ inputCols: imp, outputCol: 'num' }),
      new StandardScaler({ inputCol: 'num', outputCol: 'num_scaled', withMean: true, withStd: true }),
      // Sorted levels, last one dropped (the protocol). No test level is unseen in these files; with unseen
      // levels, handleInvalid 'keep' would add an extra category and keep the last real one (Spark's rule).
      new StringIndexer({ inputCols: CAT, outputCols: idx, stringOrderType: 'alphabetAsc' }),
      new OneHotEncoder({ inputCols: idx, outputCols: oh, dropLast: true }),
      new VectorAssembler({ inputCols: ['num_scaled', ...oh], outputCol: 'features' }),
    ],
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = (): number => performance.now() / 1000;

function regMetrics(y: Float64Array, p: Float64Array) {
  let se = 0;
  let ae = 0;
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]! / y.length;
  let st = 0;
  for (let i = 0; i < y.length; i++) {
    const e = p[i]! - y[i]!;
    se += e * e;
    ae += Math.abs(e);
    st += (y[i]! - mean) ** 2;
  }
  return { rmse: Math.sqrt(se / y.length), mae: ae / y.length, r2: 1 - se / st };
}

function clfMetrics(y: Float64Array, prob: Float64Array) {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => prob[a]! - prob[b]!);
  // AUC by the rank-sum (Mann–Whitney) formula with average ranks for ties.
  let rankSum = 0;
  let pos = 0;
  for (let k = 0; k < n;) {
    let e = k;
    while (e + 1 < n && prob[order[e + 1]!] === prob[order[k]!]) e++;
    const r = (k + e) / 2 + 1;
    for (let t = k; t <= e; t++) if (y[order[t]!] === 1) rankSum += r;
    k = e + 1;
  }
  for (let i = 0; i < n; i++) pos += y[i]!;
  const auc = (rankSum - (pos * (pos + 1)) / 2) / (pos * (n - pos));
  let correct = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let ll = 0;
  for (let i = 0; i < n; i++) {
    const pr = prob[i]! >= 0.5 ? 1 : 0;
    if (pr === y[i]) correct++;
    if (pr === 1 && y[i] === 1) tp++;
    if (pr === 1 && y[i] === 0) fp++;
    if (pr === 0 && y[i] === 1) fn++;
    const pc = Math.min(Math.max(prob[i]!, 1e-15), 1 - 1e-15);
    ll -= y[i] === 1 ? Math.log(pc) : Math.log(1 - pc);
  }
  return { auc, accuracy: correct / n, f1: (2 * tp) / (2 * tp + fp + fn), logloss: ll / n };
}

interface PeerResult {
  version: string;
  numpy: string;
  load_s: number;
  preprocess_s: number;
  y_train_std: number;
  n_train: number;
  models: Record<string, { fit_s: number; predict_s: number; metrics: Record<string, number> }>;
}

function runPeer(file: string): PeerResult {
  const r = spawnSync(
    '/usr/bin/python3',
    [new URL('./peers/ml_sklearn.py', import.meta.url).pathname, '--data', file, '--repeat', String(REPEAT)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`sklearn peer failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PeerResult;
}

interface Row {
  dataset: string;
  model: string;
  ours: number;
  peer: number;
  oursMetric: Record<string, number>;
  peerMetric: Record<string, number>;
  note: string;
}

async function prepare(file: string) {
  const t0 = now();
  const raw = await readFrame(file);
  const loadS = now() - t0;
  const t1 = now();
  const { train, test } = splitIndices(raw.numRows);
  const tr = raw.take(train);
  const te = raw.take(test);
  const model: PipelineModel = await preprocessing().fit(tr);
  const trainF = await model.transform(tr);
  const testF = await model.transform(te);
  const preS = now() - t1;
  const size = trainF.schema.find((f) => f.name === 'features')?.size;
  if (size !== 252)
    throw new Error(`expected 252 features after preprocessing (peer-bench protocol), got ${size}`);
  return { loadS, preS, trainF, testF };
}

async function timeFits<M>(fit: () => Promise<M>): Promise<{ model: M; times: number[] }> {
  const times: number[] = [];
  let model: M | undefined;
  for (let r = 0; r < REPEAT; r++) {
    const t = now();
    model = await fit();
    times.push(now() - t);
  }
  return { model: model!, times };
}

async function regression(rows: Row[]): Promise<void> {
  const file = `${DATA_DIR}/reg_100k.csv`;
  const peer = runPeer(file);
  const { loadS, preS, trainF, testF } = await prepare(file);
  rows.push({
    dataset: 'reg_100k',
    model: 'load_csv',
    ours: loadS,
    peer: peer.load_s,
    oursMetric: {},
    peerMetric: {},
    note: 'DuckDB CSV reader vs pandas.read_csv',
  });
  rows.push({
    dataset: 'reg_100k',
    model: 'preprocess',
    ours: preS,
    peer: peer.preprocess_s,
    oursMetric: {},
    peerMetric: {},
    note: 'split + fit + transform train and test',
  });
  const n = trainF.numRows;
  const sy = peer.y_train_std;
  const A = 0.01;
  const enetReg = A * 0.5 + A * 0.5 * sy;
  const configs: Array<[string, ConstructorParameters<typeof LinearRegression>[0], string]> = [
    ['linreg', { solver: 'normal' }, 'normal equations'],
    ['ridge', { solver: 'normal', regParam: (1.0 * sy) / n, standardization: false }, 'sklearn alpha=1'],
    [
      'lasso',
      { solver: 'normal', regParam: 0.01, elasticNetParam: 1, standardization: false },
      'sklearn alpha=0.01; Gram + coordinate descent',
    ],
    [
      'enet',
      { solver: 'normal', regParam: enetReg, elasticNetParam: (A * 0.5) / enetReg, standardization: false },
      'sklearn alpha=0.01 l1_ratio=0.5',
    ],
    [
      'lasso_owlqn',
      { solver: 'l-bfgs', regParam: 0.01, elasticNetParam: 1, standardization: false },
      'OWL-QN over the rows (no sklearn twin: compare with lasso)',
    ],
  ];
  const y = testF.float64('target');
  for (const [name, params, note] of configs) {
    const est = new LinearRegression({ ...params, labelCol: 'target' });
    const { model, times } = await timeFits(() => est.fit(trainF));
    const pred = (await model.transform(testF)).float64('prediction');
    const peerName = name === 'lasso_owlqn' ? 'lasso' : name;
    const pm = peer.models[peerName]!;
    rows.push({
      dataset: 'reg_100k',
      model: name,
      ours: median(times),
      peer: pm.fit_s,
      oursMetric: regMetrics(y, pred),
      peerMetric: pm.metrics,
      note,
    });
  }
  const req = mljsRequire();
  if (req) {
    type MLR = new (
      x: Float64Array[],
      y: number[][],
      o: object,
    ) => { predict(x: unknown): { getColumn(j: number): number[] } };
    const MultivariateLinearRegression = req('ml-regression-multivariate-linear') as MLR;
    const { Matrix } = req('ml-matrix') as { Matrix: new (x: Float64Array[]) => unknown };
    const xtr = denseRows(trainF, 'features');
    const ytr = Array.from(trainF.float64('target'), (v) => [v]);
    const t = now();
    const m = new MultivariateLinearRegression(xtr, ytr, { intercept: true, statistics: false });
    const fitS = now() - t;
    const pred = Float64Array.from(m.predict(new Matrix(denseRows(testF, 'features'))).getColumn(0));
    mljsLive.linreg = {
      lib: 'ml-regression-multivariate-linear',
      fit_s: fitS,
      metric: `rmse ${regMetrics(y, pred).rmse.toFixed(4)}`,
    };
  }
  // The same ridge on a truly dense design: every column centred (one-hot columns too), so no entry is zero and
  // the Gram pass takes the dense path (WebAssembly SIMD tiles over worker threads). scikit-learn's dense
  // Cholesky does the same work on either design, so its ridge time is the reference.
  const dense = centred(trainF.vectors('features'));
  const denseTrain = trainF.withColumn('dense', vectorColumn(dense.size, dense.values));
  const est = new LinearRegression({
    labelCol: 'target',
    featuresCol: 'dense',
    solver: 'normal',
    regParam: (1.0 * sy) / n,
    standardization: false,
  });
  const { model, times } = await timeFits(() => est.fit(denseTrain));
  const shifted = centredWith(testF.vectors('features'), dense.means);
  const denseTest = testF.withColumn('dense', vectorColumn(shifted.size, shifted.values));
  const pred = (await model.transform(denseTest)).float64('prediction');
  rows.push({
    dataset: 'reg_100k',
    model: 'ridge_dense',
    ours: median(times),
    peer: peer.models.ridge!.fit_s,
    oursMetric: regMetrics(y, pred),
    peerMetric: peer.models.ridge!.metrics,
    note: 'all 252 columns centred (no zeros): dense Gram path; sklearn figure is its ridge above',
  });
}

function centred(m: { rows: number; size: number; values: Float64Array }) {
  const means = new Float64Array(m.size);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.size; j++) means[j] = means[j]! + m.values[i * m.size + j]! / m.rows;
  return { ...centredWith(m, means), means };
}

function centredWith(m: { rows: number; size: number; values: Float64Array }, means: Float64Array) {
  const values = new Float64Array(m.values.length);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.size; j++) values[i * m.size + j] = m.values[i * m.size + j]! - means[j]!;
  }
  return { size: m.size, values };
}

async function classification(rows: Row[]): Promise<void> {
  const file = `${DATA_DIR}/clf_100k.csv`;
  const peer = runPeer(file);
  const { loadS, preS, trainF, testF } = await prepare(file);
  rows.push({
    dataset: 'clf_100k',
    model: 'load_csv',
    ours: loadS,
    peer: peer.load_s,
    oursMetric: {},
    peerMetric: {},
    note: '',
  });
  rows.push({
    dataset: 'clf_100k',
    model: 'preprocess',
    ours: preS,
    peer: peer.preprocess_s,
    oursMetric: {},
    peerMetric: {},
    note: '',
  });
  const n = trainF.numRows;
  const est = new LogisticRegression({
    labelCol: 'target',
    regParam: 1 / n,
    standardization: false,
    maxIter: 100,
  });
  const { model, times } = await timeFits(() => est.fit(trainF));
  const prob = (await model.transform(testF)).vectors('probability');
  const p1 = new Float64Array(prob.rows);
  for (let i = 0; i < prob.rows; i++) p1[i] = prob.values[i * 2 + 1]!;
  const reqL = args.includes('--mljs-logreg') ? mljsRequire() : null;
  if (reqL) {
    type LR = new (o: object) => {
      train(x: unknown, y: unknown): void;
      classifiers: Array<{ testScores(x: unknown): number[] }>;
    };
    const MlLogistic = reqL('ml-logistic-regression') as LR;
    const { Matrix } = reqL('ml-matrix') as {
      Matrix: { new (x: Float64Array[]): unknown; columnVector(v: number[]): unknown };
    };
    const withOnes = (rows: Float64Array[]) =>
      rows.map((r) => {
        const z = new Float64Array(r.length + 1);
        z.set(r);
        z[r.length] = 1;
        return z;
      });
    const xtr = new Matrix(withOnes(denseRows(trainF, 'features')));
    const t = now();
    const m = new MlLogistic({ numSteps: 200, learningRate: 1 / trainF.numRows });
    m.train(xtr, Matrix.columnVector(Array.from(trainF.float64('target'))));
    const fitS = now() - t;
    const scores = Float64Array.from(
      m.classifiers[1]!.testScores(new Matrix(withOnes(denseRows(testF, 'features')))),
    );
    mljsLive.logreg = {
      lib: 'ml-logistic-regression',
      fit_s: fitS,
      metric: `auc ${clfMetrics(testF.float64('target'), scores).auc.toFixed(4)}`,
    };
  }
  const pm = peer.models.logreg!;
  rows.push({
    dataset: 'clf_100k',
    model: 'logreg',
    ours: median(times),
    peer: pm.fit_s,
    oursMetric: clfMetrics(testF.float64('target'), p1),
    peerMetric: pm.metrics,
    note: `l-bfgs, sklearn C=1 max_iter=100; ours ${model.summary.totalIterations} iterations`,
  });
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(3) : x.toFixed(4);
}

async function main(): Promise<void> {
  if (!existsSync(`${DATA_DIR}/reg_100k.csv`) || !existsSync(`${DATA_DIR}/clf_100k.csv`)) {
    console.error(`generating ${DATA_DIR} with /work/shared/peer-bench/gen_data.py (about a minute)…`);
    const r = spawnSync('/usr/bin/python3', ['/work/shared/peer-bench/gen_data.py', '--out', DATA_DIR], {
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('data generation failed; run gen_data.py by hand');
  }
  const rows: Row[] = [];
  await regression(rows);
  await classification(rows);
  const peerInfo = runPeerVersion();
  console.log(`# bench:ml — Cauce vs scikit-learn ${peerInfo}, same run\n`);
  console.log(
    `machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, load average at the end ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}; fit times are medians of ${REPEAT}; linear models: the dense Gram pass uses worker threads on all cores, everything else one thread\n`,
  );
  console.log(
    '| dataset | model | Cauce s | sklearn s | sklearn / Cauce | Cauce metrics | sklearn metrics | note |',
  );
  console.log('|---|---|---:|---:|---:|---|---|---|');
  const show = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ');
  for (const r of rows) {
    console.log(
      `| ${r.dataset} | ${r.model} | ${fmt(r.ours)} | ${fmt(r.peer)} | ${(r.peer / r.ours).toFixed(2)}× | ${show(r.oursMetric)} | ${show(r.peerMetric)} | ${r.note} |`,
    );
  }
  console.log('\n| model | ml.js | ml.js s | Cauce s | ml.js / Cauce | source |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const [name, s] of Object.entries(MLJS_STORED)) {
    const r = rows.find((x) => x.model === name)!;
    const live = mljsLive[name];
    const fitS = live ? live.fit_s : s.fit_s;
    const source = live
      ? `measured in this run (${live.metric})`
      : 'stored figure, peer-bench RESULTS.md (idle machine)';
    console.log(
      `| ${name} | ${s.lib} | ${fmt(fitS)} | ${fmt(r.ours)} | ${(fitS / r.ours).toFixed(0)}× | ${source} |`,
    );
  }
  console.log(
    `\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (whole benchmark process)`,
  );
}

function runPeerVersion(): string {
  const r = spawnSync(
    '/usr/bin/python3',
    ['-c', 'import sklearn, numpy; print(sklearn.__version__, "numpy", numpy.__version__)'],
    { encoding: 'utf8' },
  );
  return r.stdout.trim();
}

await main();
