/**
 * Uploading a model directory built in memory into a run, and recording it the way MLflow 2 does (the
 * log-model endpoint, else the `mlflow.log-model.history` tag), then registering it. No @cauce/ml here:
 * logModel and autolog's logging thread both use it.
 */
import type { ModelVersion } from '@cauce/protocol';
import type { MlflowClient } from '../client.js';
import { joinArtifactPath } from '../artifacts.js';
import type { MLmodel } from './mlmodel.js';

const HISTORY_TAG = 'mlflow.log-model.history';

export async function uploadModelFiles(
  client: MlflowClient,
  runId: string,
  artifactPath: string,
  mlmodel: MLmodel,
  files: Map<string, Uint8Array | string>,
  registeredModelName: string | undefined,
): Promise<ModelVersion | undefined> {
  // uploaded from memory, up to 8 at a time (small files are latency-bound: a model directory is ~7 files,
  // so one round trip instead of two — autolog's tail waits for it); the artifact URI comes from the
  // client's per-run cache (createRun seeds it): no temporary directory, no getRun per model
  const queue = [...files];
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        await client.logText(runId, f[1], joinArtifactPath(artifactPath, f[0]));
      }
    }),
  );
  const entry = { ...mlmodel, artifact_path: artifactPath };
  try {
    // MLflow's log-model endpoint appends the entry to the run's `mlflow.log-model.history` tag on the
    // server (MLflow's `record_logged_model`; Cauce's server does the same), so the client must not
    // write the tag too: that recorded every model twice.
    await client.transport.rpc.call('logModel', { run_id: runId, model_json: JSON.stringify(entry) });
  } catch {
    // a server without the endpoint: keep the history tag from here, as MLflow's store would
    await appendHistoryTag(client, runId, entry);
  }
  if (registeredModelName === undefined) return undefined;
  return client.registerModel(`runs:/${runId}/${artifactPath}`, registeredModelName);
}

/** Appends `entry` to the run's `mlflow.log-model.history` tag (for servers without the log-model endpoint). */
async function appendHistoryTag(client: MlflowClient, runId: string, entry: object): Promise<void> {
  const run = await client.getRun(runId);
  const history = run.data.tags.find((t) => t.key === HISTORY_TAG)?.value;
  let list: unknown[] = [];
  try {
    const parsed: unknown = history ? JSON.parse(history) : [];
    if (Array.isArray(parsed)) list = parsed;
  } catch {
    list = [];
  }
  const tag = JSON.stringify([...list, entry]);
  // tag values are capped (5,000 chars); keep the newest entry when the history grows past it
  await client.setTag(runId, HISTORY_TAG, tag.length <= 5000 ? tag : JSON.stringify([entry]).slice(0, 5000));
}
