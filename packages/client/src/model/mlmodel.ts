/**
 * The MLflow model directory (https://mlflow.org/docs/latest/models.html#storage-format), written for a
 * Cauce model:
 *
 *   model/
 *     MLmodel                     YAML: artifact_path, flavors.cauce, model_uuid, run_id, utc_time_created,
 *                                 signature (inputs/outputs as JSON strings), saved_input_example_info
 *     model/                      the saved stage (ml's save format, docs/decisions/0004-model-save-format.md)
 *     input_example.json          pandas split orient: {"columns": [...], "data": [[...]]}
 *     serving_input_example.json  the same wrapped as a scoring request {"dataframe_split": …}
 *     profile.json                training-data profile for drift monitoring (profile.ts)
 *
 * Only the `cauce` flavor is written: MLflow's `python_function` flavor needs a Python loader module,
 * which a TypeScript model does not have (docs/decisions/0008 says why a shim would not be truthful
 * either); Cauce's loadModel reads the `cauce` flavor.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Frame } from '@cauce/frame';
import {
  CAUCE_VERSION,
  FORMAT_NAME,
  classNameOf,
  encodeStage,
  stringParamValues,
  type Model,
  type PipelineStage,
} from '@cauce/ml';
import { parse } from 'yaml';
import { ClientError } from '../http/errors.js';
import { mlmodelYaml } from './mlmodel-file.js';
import { profileFrame } from './profile.js';
import { exampleSplit, inferSchema, type ColSpec, type ModelSignature } from './signature.js';

export const FLAVOR = 'cauce';
export const MODEL_DATA_DIR = 'model';

export interface CauceFlavor {
  cauce_version: string;
  /** The saved stage's directory, relative to the model directory. */
  data: string;
  /** Registered class of the saved stage, e.g. 'PipelineModel'. */
  model_class: string;
  /** ml's save format name. */
  format: string;
}

export interface MLmodel {
  artifact_path?: string;
  flavors: Record<string, unknown> & { cauce?: CauceFlavor };
  model_uuid: string;
  run_id?: string;
  utc_time_created: string;
  signature?: { inputs: string; outputs: string; params: null };
  saved_input_example_info?: {
    artifact_path: string;
    type: string;
    pandas_orient: string;
    serving_input_path?: string;
  };
  cauce_version: string;
  /** Profile file for monitoring (Cauce's own key; MLflow ignores unknown keys). */
  cauce_profile?: string;
}

export interface SaveModelOptions {
  /** A few rows the model accepts, stored as input_example.json (its columns are the signature inputs). */
  inputExample?: Frame;
  /** The training frame: profiled for drift, and the source of the signature when no example is given. */
  trainingFrame?: Frame;
  /**
   * Columns of the training frame that are no model inputs besides the label and weight columns the model
   * names itself — the fold column of the validator that chose it (autolog passes nonInputColumns of the
   * fitted estimator).
   */
  nonInputColumns?: readonly string[];
  /** Explicit signature (otherwise inferred). */
  signature?: ModelSignature;
  /** Without `inputExample`: take this many rows of the training frame's input columns as the example. */
  inputExampleRows?: number;
  artifactPath?: string;
  runId?: string;
}

/**
 * Params whose values name columns a fit reads besides the model's features (never model inputs): the
 * label, the sample weights, and a validator's fold column (CrossValidator's foldCol).
 */
const NON_INPUT_PARAMS = ['labelCol', 'weightCol', 'foldCol'];
/** Params naming the columns a model adds that are its answer (the signature's outputs). */
const OUTPUT_PARAMS = ['predictionCol', 'probabilityCol', 'rawPredictionCol'];

function stagesOf(model: Model): Model[] {
  const inner = (model as { stages?: readonly Model[] }).stages;
  const best = (model as { bestModel?: Model }).bestModel;
  if (Array.isArray(inner)) return [model, ...inner.flatMap((s: Model) => stagesOf(s))];
  if (best) return [model, ...stagesOf(best)];
  return [model];
}

function paramValues(model: Model, names: readonly string[]): Set<string> {
  return stringParamValues(
    stagesOf(model).flatMap((s) => [s, s.parent]),
    names,
  );
}

/** An estimator and every stage inside it: a Pipeline's stages, a validator's estimator (recursively). */
export function estimatorStages(stage: PipelineStage): PipelineStage[] {
  const out = [stage];
  const inner = (stage as { getStages?: () => unknown }).getStages?.();
  if (Array.isArray(inner)) for (const s of inner as PipelineStage[]) out.push(...estimatorStages(s));
  const est = (stage as { getEstimator?: () => PipelineStage | undefined }).getEstimator?.();
  if (est) out.push(...estimatorStages(est));
  return out;
}

/** The columns a fit of `estimator` reads that its model never does: label, weight and fold columns. */
export function nonInputColumns(estimator: PipelineStage): string[] {
  return [...stringParamValues(estimatorStages(estimator), NON_INPUT_PARAMS)];
}

/**
 * The signature inputs the model of `estimator.fit(frame)` will get when no input example is given (as
 * inferSignature names them: the frame's columns but label, weight and fold columns), known before the
 * fit: autolog uploads the input example and the profile while the fit runs (issue 8).
 */
export function expectedInputs(estimator: PipelineStage, frame: Frame): string[] {
  const skip = new Set(nonInputColumns(estimator));
  return inferSchema(
    frame,
    frame.columnNames.filter((c) => !skip.has(c)),
  ).map((c) => c.name);
}

/** input_example.json (pandas split orient) and serving_input_example.json (a scoring request) of `example`. */
export function exampleFiles(example: Frame): Array<[string, string]> {
  const split = exampleSplit(example);
  return [
    ['input_example.json', JSON.stringify(split)],
    ['serving_input_example.json', JSON.stringify({ dataframe_split: split }, null, 2)],
  ];
}

/** Inputs: the example's columns, else the training frame's minus label/weight; outputs: what transform adds. */
export async function inferSignature(
  model: Model,
  example: Frame | undefined,
  training: Frame | undefined,
  /** Training columns that are no inputs besides the model's own label and weight columns (a fold column). */
  nonInputs: readonly string[] = [],
) {
  const source = example ?? training;
  if (!source) return undefined;
  const skip = example ? new Set<string>() : paramValues(model, NON_INPUT_PARAMS);
  for (const c of example ? [] : nonInputs) skip.add(c);
  const inputs = inferSchema(
    source,
    source.columnNames.filter((c) => !skip.has(c)),
  );
  const sample = source.head(Math.min(5, source.numRows)).select(...inputs.map((c) => c.name));
  let outputs: ColSpec[] = [];
  try {
    const out = await model.transform(sample);
    const added = out.columnNames.filter((c) => !sample.has(c));
    const wanted = paramValues(model, OUTPUT_PARAMS);
    const chosen = added.filter((c) => wanted.has(c));
    outputs = inferSchema(out, chosen.length > 0 ? chosen : added).map((c) => ({ ...c, required: true }));
  } catch {
    // a model that cannot score the inputs alone (e.g. it needs the label) gets an input-only signature
  }
  return { inputs, outputs };
}

/** A model directory in memory: its MLmodel and every file by path relative to the directory. */
export interface ModelFiles {
  mlmodel: MLmodel;
  files: Map<string, Uint8Array | string>;
  /**
   * With `deferProfile`: the columns profile.json must cover (the signature's inputs that are training
   * columns), in order; `files` then lacks profile.json and MLmodel, which `completeModelFiles`
   * (mlmodel-file.ts) adds once the profile and the run id are known.
   */
  profileColumns?: string[];
}

/**
 * The files of the model directory, built in memory (logModel uploads them from here: no temporary
 * directory written and read back, issue 8); saveModel writes the same files to disk.
 */
export async function modelFiles(
  model: Model,
  options: SaveModelOptions & { deferProfile?: boolean } = {},
): Promise<ModelFiles> {
  const files = new Map<string, Uint8Array | string>();
  // the saved stage: exactly what model.save writes (ml's encodeStage is its content)
  for (const [rel, bytes] of encodeStage(model)) files.set(`${MODEL_DATA_DIR}/${rel}`, bytes);
  const mlmodel: MLmodel = {
    artifact_path: options.artifactPath,
    flavors: {
      [FLAVOR]: {
        cauce_version: CAUCE_VERSION,
        data: MODEL_DATA_DIR,
        model_class: classNameOf(model),
        format: FORMAT_NAME,
      },
    },
    model_uuid: randomUUID().replace(/-/g, ''),
    run_id: options.runId,
    utc_time_created: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    cauce_version: CAUCE_VERSION,
  };
  const sig =
    options.signature ??
    (await inferSignature(model, options.inputExample, options.trainingFrame, options.nonInputColumns));
  if (sig) {
    mlmodel.signature = {
      inputs: JSON.stringify(sig.inputs),
      outputs: JSON.stringify(sig.outputs),
      params: null,
    };
  }
  const example =
    options.inputExample ??
    (options.inputExampleRows && options.trainingFrame && sig
      ? options.trainingFrame.head(options.inputExampleRows).select(...sig.inputs.map((c) => c.name))
      : undefined);
  if (example) {
    for (const [file, text] of exampleFiles(example)) files.set(file, text);
    mlmodel.saved_input_example_info = {
      artifact_path: 'input_example.json',
      type: 'dataframe',
      pandas_orient: 'split',
      serving_input_path: 'serving_input_example.json',
    };
  }
  let profileColumns: string[] | undefined;
  if (options.trainingFrame) {
    const frame = options.trainingFrame;
    profileColumns = sig ? sig.inputs.map((c) => c.name).filter((c) => frame.has(c)) : frame.columnNames;
    if (!options.deferProfile) files.set('profile.json', JSON.stringify(profileFrame(frame, profileColumns)));
    mlmodel.cauce_profile = 'profile.json';
  }
  // drop undefined keys: YAML would write them as null
  const clean = JSON.parse(JSON.stringify(mlmodel)) as MLmodel;
  if (options.deferProfile) return { mlmodel: clean, files, profileColumns };
  files.set('MLmodel', mlmodelYaml(clean));
  return { mlmodel: clean, files };
}

/** Writes the model directory `dir` (created; must not exist). */
export async function saveModel(model: Model, dir: string, options: SaveModelOptions = {}): Promise<MLmodel> {
  const { mlmodel, files } = await modelFiles(model, options);
  const stageDir = join(dir, MODEL_DATA_DIR);
  // like model.save: refuse to write over an existing saved stage
  if (
    await stat(stageDir).then(
      () => true,
      () => false,
    )
  ) {
    throw new ClientError(
      'IO_ERROR',
      `cannot save the model to ${dir}: ${stageDir} already exists`,
      'choose a new directory',
    );
  }
  await mkdir(dir, { recursive: true });
  for (const [rel, data] of files) {
    const file = join(dir, ...rel.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data);
  }
  return mlmodel;
}

/** Reads and checks `dir/MLmodel`. */
export async function readMLmodel(dir: string): Promise<MLmodel> {
  const text = await readFile(join(dir, 'MLmodel'), 'utf8').catch(() => undefined);
  if (text === undefined) {
    throw new ClientError(
      'IO_ERROR',
      `${dir} has no MLmodel file`,
      'point at a model directory written by logModel / saveModel',
    );
  }
  let m: MLmodel;
  try {
    m = parse(text) as MLmodel;
  } catch (err) {
    throw new ClientError('IO_ERROR', `${dir}/MLmodel is not valid YAML: ${(err as Error).message}`);
  }
  if (!m || typeof m !== 'object' || typeof m.flavors !== 'object' || m.flavors === null) {
    throw new ClientError('IO_ERROR', `${dir}/MLmodel has no flavors section`);
  }
  return m;
}

/** The signature stored in an MLmodel, parsed. */
export function signatureOf(m: MLmodel): ModelSignature | undefined {
  if (!m.signature) return undefined;
  return {
    inputs: JSON.parse(m.signature.inputs) as ColSpec[],
    outputs: m.signature.outputs ? (JSON.parse(m.signature.outputs) as ColSpec[]) : [],
  };
}
