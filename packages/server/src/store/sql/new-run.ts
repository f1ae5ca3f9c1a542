/**
 * What a new run is, whichever path inserts it (the SQLite hot path in hot-statements.ts, the Kysely path
 * in runs.ts): its row, its tags (the run name mirrored into `mlflow.runName`, as MLflow does) and the
 * answer create-run sends, built from those values because a new run has no metrics, params or inputs.
 */
import { MlflowError, type KeyValue, type Run } from '@cauce/protocol';
import type { CreateRunInput } from '../tracking-store.js';
import { appendToUri, experimentIdToInt, randomName } from './context.js';
import { dedupe } from './experiments.js';
import { toRunInfo } from './run-hydrate.js';
import type { RunsTable } from './schema.js';

export const RUN_NAME_TAG = 'mlflow.runName';

export interface NewRun {
  row: RunsTable;
  tags: KeyValue[];
  run: Run;
}

/** `artifactLocation` is the (active) experiment's; throws MLflow's error when run_name and the tag differ. */
export function newRun(input: CreateRunInput, runId: string, artifactLocation: string): NewRun {
  const tags = dedupe(input.tags);
  const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  if (input.runName && tagName !== undefined && tagName !== input.runName) {
    throw MlflowError.invalid(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const name = input.runName || tagName || randomName();
  if (tagName === undefined) tags.push({ key: RUN_NAME_TAG, value: name });
  const row: RunsTable = {
    run_uuid: runId,
    name,
    experiment_id: experimentIdToInt(input.experimentId),
    user_id: input.userId,
    status: 'RUNNING',
    start_time: input.startTime,
    end_time: null,
    deleted_time: null,
    lifecycle_stage: 'active',
    artifact_uri: appendToUri(artifactLocation, `${runId}/artifacts`),
  };
  const run: Run = {
    info: toRunInfo(row),
    // Sorted by key, as hydrateRuns orders a run's tags.
    data: {
      metrics: [],
      params: [],
      tags: [...tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    },
    inputs: { dataset_inputs: [], model_inputs: [] },
    outputs: { model_outputs: [] },
  };
  return { row, tags, run };
}
