/**
 * logModel / loadModel: a fitted model as an MLflow model directory inside a run's artifacts, and back.
 * logModel also records the model in the run the way MLflow 2 does (the `mlflow.log-model.history` tag
 * and the log-model endpoint) and registers it when `registeredModelName` is given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '@cauce/frame';
import { Model, loadStage } from '@cauce/ml';
import type { ModelVersion } from '@cauce/protocol';
import type { MlflowClient } from '../client.js';
import { ClientError } from '../http/errors.js';
import { activeRun, getClient } from '../fluent.js';
import { FLAVOR, modelFiles, readMLmodel, type MLmodel } from './mlmodel.js';
import type { ModelSignature } from './signature.js';
import { uploadModelFiles } from './upload-model.js';

export interface LogModelOptions {
  registeredModelName?: string;
  inputExample?: Frame;
  trainingFrame?: Frame;
  signature?: ModelSignature;
  /** Without `inputExample`: this many rows of the training frame's input columns become the example. */
  inputExampleRows?: number;
  /** Run to log into (default: the active run of the fluent API). */
  runId?: string;
  client?: MlflowClient;
}

export interface ModelInfo {
  runId: string;
  artifactPath: string;
  modelUri: string;
  mlmodel: MLmodel;
  registeredModelVersion?: ModelVersion;
}

export async function logModel(
  model: Model,
  artifactPath = 'model',
  options: LogModelOptions = {},
): Promise<ModelInfo> {
  if (!(model instanceof Model)) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      'logModel needs a fitted model (e.g. the PipelineModel from pipeline.fit)',
    );
  }
  const client = options.client ?? getClient();
  const runId = options.runId ?? activeRun()?.info.run_id;
  if (!runId) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      'logModel: no run to log into',
      'start a run (withRun / startRun) or pass { runId }',
    );
  }
  const { mlmodel, files } = await modelFiles(model, {
    inputExample: options.inputExample,
    trainingFrame: options.trainingFrame,
    signature: options.signature,
    inputExampleRows: options.inputExampleRows,
    artifactPath,
    runId,
  });
  const registeredModelVersion = await uploadModelFiles(
    client,
    runId,
    artifactPath,
    mlmodel,
    files,
    options.registeredModelName,
  );
  const info: ModelInfo = { runId, artifactPath, modelUri: `runs:/${runId}/${artifactPath}`, mlmodel };
  if (registeredModelVersion) info.registeredModelVersion = registeredModelVersion;
  return info;
}

/** Loads a model directory on disk (written by saveModel or downloaded). */
export async function loadModelFromDir(dir: string): Promise<Model> {
  const mlmodel = await readMLmodel(dir);
  const flavor = mlmodel.flavors[FLAVOR];
  if (!flavor) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `${dir} has no '${FLAVOR}' flavor (flavors: ${Object.keys(mlmodel.flavors).join(', ') || 'none'})`,
      'only models logged by Cauce (logModel) can be loaded as Cauce pipelines',
    );
  }
  const stage = await loadStage(join(dir, flavor.data));
  if (!(stage instanceof Model)) {
    throw new ClientError('INVALID_ARGUMENT', `${dir}: the saved stage ${stage.uid} is not a fitted model`);
  }
  return stage;
}

/**
 * Loads a logged model from `runs:/<run>/<path>`, `models:/<name>/<version|stage|latest>`,
 * `models:/<name>@<alias>`, an artifact URI or a local directory; returns the fitted model (a
 * PipelineModel when a PipelineModel was logged), ready to `transform`.
 */
export async function loadModel(uri: string, options: { client?: MlflowClient } = {}): Promise<Model> {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('file:')) {
    return loadModelFromDir(uri.startsWith('file:') ? new URL(uri).pathname : uri);
  }
  const client = options.client ?? getClient();
  const tmp = await mkdtemp(join(tmpdir(), 'cauce-load-'));
  try {
    const local = await client.downloadUri(uri, tmp);
    return await loadModelFromDir(local);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
