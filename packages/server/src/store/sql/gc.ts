/**
 * Permanent deletion of runs and experiments that are in the `deleted` stage (what `mlflow gc`
 * does), so their names can be used again. Rows attached to them go with them through the
 * foreign keys' ON DELETE CASCADE.
 */
import { MlflowError } from '@cauce/protocol';
import type { GcOptions, GcResult } from '../tracking-store.js';
import { experimentIdToInt, now, withTx, type StoreContext } from './context.js';

export async function gc(ctx: StoreContext, options: GcOptions): Promise<GcResult> {
  const cutoff = now() - (options.olderThanMs ?? 0);
  return withTx(ctx, async (db) => {
    let expQuery = db
      .selectFrom('experiments')
      .select(['experiment_id', 'artifact_location', 'lifecycle_stage'])
      .where('lifecycle_stage', '=', 'deleted')
      .where('last_update_time', '<=', cutoff);
    if (options.experimentIds) {
      const ids = options.experimentIds.map(experimentIdToInt);
      const rows = await db
        .selectFrom('experiments')
        .select(['experiment_id', 'lifecycle_stage'])
        .where('experiment_id', 'in', ids.length > 0 ? ids : [-1])
        .execute();
      for (const id of options.experimentIds) {
        const row = rows.find((r) => String(r.experiment_id) === id);
        if (!row) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
        if (row.lifecycle_stage !== 'deleted') {
          throw MlflowError.invalid(`Experiment ${id} is not in the deleted stage; delete it before gc.`);
        }
      }
      expQuery = expQuery.where('experiment_id', 'in', ids.length > 0 ? ids : [-1]);
    }
    const experiments = options.runIds && !options.experimentIds ? [] : await expQuery.execute();

    let runQuery = db
      .selectFrom('runs')
      .select(['run_uuid', 'artifact_uri', 'lifecycle_stage'])
      .where('lifecycle_stage', '=', 'deleted')
      .where('deleted_time', '<=', cutoff);
    if (options.runIds) {
      const rows = await db
        .selectFrom('runs')
        .select(['run_uuid', 'lifecycle_stage'])
        .where('run_uuid', 'in', options.runIds.length > 0 ? options.runIds : [''])
        .execute();
      for (const id of options.runIds) {
        const row = rows.find((r) => r.run_uuid === id);
        if (!row) throw MlflowError.notFound(`Run with id=${id} not found`);
        if (row.lifecycle_stage !== 'deleted') {
          throw MlflowError.invalid(`Run ${id} is not in the deleted stage; delete it before gc.`);
        }
      }
      runQuery = runQuery.where('run_uuid', 'in', options.runIds.length > 0 ? options.runIds : ['']);
    }
    const runs = options.experimentIds && !options.runIds ? [] : await runQuery.execute();
    // Runs of removed experiments go too (cascade); report them.
    const expIds = experiments.map((e) => e.experiment_id);
    const cascaded =
      expIds.length > 0
        ? await db
            .selectFrom('runs')
            .select(['run_uuid', 'artifact_uri'])
            .where('experiment_id', 'in', expIds)
            .execute()
        : [];
    const runIds = [...new Set([...runs.map((r) => r.run_uuid), ...cascaded.map((r) => r.run_uuid)])];
    if (runs.length > 0)
      await db
        .deleteFrom('runs')
        .where(
          'run_uuid',
          'in',
          runs.map((r) => r.run_uuid),
        )
        .execute();
    if (expIds.length > 0) await db.deleteFrom('experiments').where('experiment_id', 'in', expIds).execute();
    return {
      runIds,
      experimentIds: expIds.map(String),
      artifactUris: [
        ...runs.map((r) => r.artifact_uri),
        ...cascaded.map((r) => r.artifact_uri),
        ...experiments.map((e) => e.artifact_location),
      ],
    };
  });
}
