// autolog's logging thread (issue 8): a fit logged on the worker thread records exactly what the same fit
// logged on the caller's thread records (params, metrics, children, tags, every artifact byte for byte
// but the per-run ids and times); profile.json, computed there from the sample cut when the fit starts,
// equals profileFrame of the training frame; and a logging failure is a warning, never a failed fit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '@cauce/frame';
import {
  CrossValidator,
  LinearRegression,
  ParamGridBuilder,
  Pipeline,
  RegressionEvaluator,
  VectorAssembler,
} from '@cauce/ml';
import type { Run } from '@cauce/protocol';
import {
  MlflowClient,
  _resetFluentState,
  autolog,
  disableAutolog,
  profileFrame,
  setExperiment,
  setTrackingUri,
} from '@cauce/client';
import { rng } from './support/rng.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let client: MlflowClient;

function frame(n: number): Frame {
  const r = rng(5);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const group = Array.from({ length: n }, () => (r() < 0.3 ? 'a' : 'b'));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = r() * 10;
    x2[i] = r() * 4 - 2;
    y[i] = 3 * x1[i]! - 2 * x2[i]! + (group[i] === 'a' ? 2 : 0) + (r() - 0.5);
  }
  return Frame.fromColumns({ x1, x2, group, label: y });
}

function tuner(): CrossValidator {
  const lr = new LinearRegression({ solver: 'normal' });
  const pipe = new Pipeline({
    stages: [new VectorAssembler({ inputCols: ['x1', 'x2'], outputCol: 'features' }), lr],
  });
  return new CrossValidator({
    estimator: pipe,
    estimatorParamMaps: new ParamGridBuilder().addGrid(lr.regParam, [0, 0.1, 1, 10]).build(),
    evaluator: new RegressionEvaluator({ metricName: 'rmse' }),
    numFolds: 3,
    seed: 7,
  });
}

/** Everything a run recorded that does not name the run itself: params, metrics, tags, files and their text. */
async function recorded(run: Run): Promise<Record<string, unknown>> {
  const id = run.info.run_id;
  const volatile = new Set(['mlflow.parentRunId', 'mlflow.runName', 'mlflow.log-model.history']);
  const files: Record<string, string> = {};
  const walk = async (path?: string): Promise<void> => {
    for (const f of await client.listArtifacts(id, path)) {
      if (f.is_dir) await walk(f.path);
      else files[f.path] = await client.readArtifactText(id, f.path);
    }
  };
  await walk();
  // per-model values: its uuid, creation time, run id; the saved stages' and the profile's creation times
  if (files['model/MLmodel'])
    files['model/MLmodel'] = files['model/MLmodel'].replace(
      /^(model_uuid|utc_time_created|run_id): .*$/gm,
      '$1: …',
    );
  for (const [path, text] of Object.entries(files))
    if (path.endsWith('metadata.json')) files[path] = text.replace(/"timestamp": "[^"]*"/, '"timestamp": …');
  if (files['model/profile.json'])
    files['model/profile.json'] = files['model/profile.json'].replace(/"createdAt":"[^"]*"/, '"createdAt":…');
  return {
    status: run.info.status,
    params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])),
    tags: Object.fromEntries(run.data.tags.filter((t) => !volatile.has(t.key)).map((t) => [t.key, t.value])),
    files,
  };
}

async function tunedRuns(
  cv: CrossValidator,
  experiment: string,
  worker: boolean,
): Promise<{ parent: Run; children: Run[] }> {
  const exp = await setExperiment(experiment);
  // not silent: a logging thread that failed to start (and fell back to this thread) would say so
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  autolog({ worker });
  try {
    await cv.fit(frame(240));
  } finally {
    disableAutolog();
    console.warn = warn;
  }
  assert.deepEqual(warnings, []);
  const runs = await client.searchAllRuns([exp.experiment_id]);
  const isChild = (r: Run): boolean => r.data.tags.some((t) => t.key === 'mlflow.parentRunId');
  const parents = runs.filter((r) => !isChild(r));
  assert.equal(parents.length, 1);
  const children = runs.filter(isChild);
  children.sort((a, b) => a.info.run_name!.localeCompare(b.info.run_name!));
  return { parent: parents[0]!, children };
}

before(async () => {
  server = await startTestServer();
  client = new MlflowClient(server.url);
  _resetFluentState();
  setTrackingUri(server.url);
});
after(async () => {
  disableAutolog();
  _resetFluentState();
  await server.close();
});

describe('autolog logging thread', () => {
  test("the worker thread records what the caller's thread records, and the profile is the frame's", async () => {
    // one estimator for both (stage uids name the saved model's files)
    const cv = tuner();
    const onWorker = await tunedRuns(cv, 'thread-worker', true);
    const onCaller = await tunedRuns(cv, 'thread-caller', false);
    assert.equal(onWorker.children.length, 4);
    assert.equal(onCaller.children.length, 4);
    const a = await recorded(onWorker.parent);
    const b = await recorded(onCaller.parent);
    assert.deepEqual(Object.keys(a.files as object).sort(), Object.keys(b.files as object).sort());
    assert.deepEqual(a, b);
    for (let i = 0; i < 4; i++) {
      assert.equal(onWorker.children[i]!.info.status, 'FINISHED');
      assert.deepEqual(await recorded(onWorker.children[i]!), await recorded(onCaller.children[i]!));
    }
    // profile.json: the sample cut on the fit's thread, profiled on the logging thread, cut to the inputs
    const profile = JSON.parse(
      await client.readArtifactText(onWorker.parent.info.run_id, 'model/profile.json'),
    ) as Record<string, unknown>;
    const direct = JSON.parse(JSON.stringify(profileFrame(frame(240), ['x1', 'x2', 'group']))) as Record<
      string,
      unknown
    >;
    assert.deepEqual({ ...profile, createdAt: '' }, { ...direct, createdAt: '' });
  });

  test('a server that cannot be reached costs a warning, never the fit', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
    try {
      // nothing listens on port 9 of the loopback (discard): connections are refused
      autolog({ client: new MlflowClient('http://127.0.0.1:9', { connectRetries: 0 }) });
      const model = await tuner().fit(frame(60));
      assert.equal(model.avgMetrics.length, 4, 'the fit returned its model');
    } finally {
      disableAutolog();
      console.warn = warn;
    }
    assert.ok(
      warnings.some((w) => /cauce autolog: could not start logging CrossValidator.*cannot reach/.test(w)),
      warnings.join('\n'),
    );
  });
});
