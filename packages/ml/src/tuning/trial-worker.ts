/**
 * Worker-thread side of parallel tuning trials (see worker-trials.ts). Loading the package's index
 * registers every stage and evaluator class, so the estimator and evaluator posted by the main thread can
 * be decoded here; a class the worker does not know (a user stage) answers 'unsupported' and the main
 * thread runs the trials itself.
 */
import { parentPort } from 'node:worker_threads';
import { decodeStage, Estimator, MLError, ParamMap, type Params, type PipelineStage } from '../index.js';
import { decodeEvaluator, type SavedEvaluator, type TuningEvaluator } from './evaluator-ref.js';
import { packFrame, unpackFrame, type WireColumn } from './frame-transfer.js';
import { scoredColumns, scoredSample } from './validation-sample.js';
import { collectStages, foldFrames } from './validator-params.js';
import type { Frame } from '@cauce/frame';

interface Init {
  type: 'init';
  bundle: Array<[string, Uint8Array]>;
  evaluator: SavedEvaluator;
  maps: Array<Array<{ stage: string; param: string; value: unknown }>>;
  frame: WireColumn[];
  splits: Array<{ train: Int32Array; validation: Int32Array }>;
  /** Per split, the positions of the validation rows whose predictions go back with the metric. */
  samples?: Int32Array[];
}
interface Trial {
  type: 'trial';
  split: number;
  map: number;
}

let est: Estimator | undefined;
let evaluator: TuningEvaluator | undefined;
let maps: ParamMap[] = [];
let frame: Frame | undefined;
let splits: Init['splits'] = [];
let samples: Init['samples'];
let scoredOwners: object[] = [];
const views = new Map<number, { train: Frame; validation: Frame }>();

function errorMessage(err: unknown): { code: string | undefined; message: string } {
  return {
    code: err instanceof MLError ? err.code : undefined,
    message: (err as Error)?.message ?? String(err),
  };
}

async function init(m: Init): Promise<void> {
  const stage: PipelineStage = await decodeStage(new Map(m.bundle), '(tuning worker)');
  if (!(stage instanceof Estimator)) throw new MLError('LOAD_ERROR', 'the posted stage is not an Estimator');
  est = stage;
  evaluator = decodeEvaluator(m.evaluator, '(tuning worker)');
  const owners = new Map<string, Params>();
  for (const s of collectStages(est)) owners.set(s.uid, s);
  owners.set(evaluator.uid, evaluator as unknown as Params);
  maps = m.maps.map((pairs) => {
    const pm = new ParamMap();
    for (const p of pairs) pm.put(owners.get(p.stage)!.getParam(p.param), p.value);
    return pm;
  });
  frame = unpackFrame(m.frame);
  splits = m.splits;
  samples = m.samples;
  scoredOwners = [...collectStages(est), evaluator];
}

async function trial(t: Trial): Promise<{ metric: number; sample?: WireColumn[] }> {
  let v = views.get(t.split);
  if (!v) {
    v = foldFrames(frame!, splits[t.split]!, maps.length);
    views.set(t.split, v);
  }
  const model = await est!.fit(v.train, maps[t.map]);
  const pred = await model.transform(v.validation);
  const metric = await evaluator!.evaluate(pred);
  const positions = samples?.[t.split];
  if (!positions) return { metric };
  return { metric, sample: packFrame(scoredSample(pred, positions, scoredColumns(scoredOwners, pred))) };
}

parentPort!.on('message', (m: Init | Trial) => {
  if (m.type === 'init') {
    init(m).then(
      () => parentPort!.postMessage({ type: 'ready' }),
      (err: unknown) => parentPort!.postMessage({ type: 'unsupported', ...errorMessage(err) }),
    );
  } else {
    trial(m).then(
      (r) => parentPort!.postMessage({ type: 'result', split: m.split, map: m.map, ...r }),
      (err: unknown) =>
        parentPort!.postMessage({ type: 'error', split: m.split, map: m.map, ...errorMessage(err) }),
    );
  }
});
