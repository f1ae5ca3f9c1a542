/**
 * The parts of a model directory that need no @cauce/ml: the MLmodel YAML and the last files autolog's
 * logging thread adds (the run id it created, the training profile it computed while the fit ran). Kept
 * apart from mlmodel.ts so the logging thread does not load the ML library.
 */
import { stringify } from 'yaml';
import type { MLmodel } from './mlmodel.js';
import { selectProfileColumns, type DataProfile } from './profile.js';

/** The MLmodel file's text (undefined keys already dropped). */
export function mlmodelYaml(mlmodel: MLmodel): string {
  return stringify(mlmodel, { lineWidth: 0 });
}

/**
 * Completes a deferred model directory (`modelFiles(…, { deferProfile: true })`): sets the run id, adds
 * profile.json (the training frame's profile, cut to the model's input columns) and writes MLmodel — the
 * same files modelFiles writes at once.
 */
export function completeModelFiles(
  mlmodel: MLmodel,
  files: Map<string, Uint8Array | string>,
  runId: string,
  profile: DataProfile | undefined,
  profileColumns: readonly string[] | undefined,
  /** profile.json's text when it was already made from `profile` and `profileColumns` (autolog's uploaded ahead). */
  profileJson?: string,
): MLmodel {
  // run_id sits after model_uuid, where modelFiles writes it when the run is known up front
  let done: MLmodel;
  if ('run_id' in mlmodel) done = { ...mlmodel, run_id: runId };
  else {
    const ordered: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(mlmodel)) {
      ordered[k] = v;
      if (k === 'model_uuid') ordered.run_id = runId;
    }
    done = ordered as unknown as MLmodel;
  }
  if (profile && profileJson !== undefined) files.set('profile.json', profileJson);
  else if (profile) {
    const cut = profileColumns ? selectProfileColumns(profile, profileColumns) : profile;
    files.set('profile.json', JSON.stringify(cut));
  } else delete done.cauce_profile;
  files.set('MLmodel', mlmodelYaml(done));
  return done;
}
