/** MLflow 3 logged-model endpoints (`logged-models/*`), which MLflow 3's `log_model` calls. */
import type { FastifyInstance } from 'fastify';
import { LIMITS, LOGGED_MODEL_STATUSES, MlflowError, type LoggedModelStatus } from '@cauce/protocol';
import { validateKey, validateMaxResults, validateParams, validateTags } from '../../validation.js';
import { endpoint, list, num, str, type ServerContext } from '../route.js';

export function loggedModelRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  endpoint(app, 'createLoggedModel', async (m) => ({
    model: await store.createLoggedModel({
      experimentId: m.experiment_id as string,
      name: str(m.name),
      modelType: str(m.model_type),
      sourceRunId: str(m.source_run_id),
      params: validateParams(list(m.params), 'model param'),
      tags: validateTags(list(m.tags), 'model tag'),
    }),
  }));
  endpoint(app, 'searchLoggedModels', async (m) => {
    const orderBy = (list(m.order_by) ?? []).map((o, i) => {
      const f = o as { field_name?: unknown; ascending?: unknown };
      if (typeof f.field_name !== 'string' || f.field_name === '') {
        throw MlflowError.invalid(`order_by[${i}].field_name must be a non-empty string.`);
      }
      if (f.ascending !== undefined && f.ascending !== null && typeof f.ascending !== 'boolean') {
        throw MlflowError.invalid(`order_by[${i}].ascending must be true or false.`);
      }
      return {
        field_name: f.field_name,
        ascending: f.ascending === null ? undefined : (f.ascending as boolean | undefined),
      };
    });
    const page = await store.searchLoggedModels({
      experimentIds: (list(m.experiment_ids) as string[] | undefined) ?? [],
      filter: str(m.filter),
      maxResults: validateMaxResults(
        num(m.max_results),
        LIMITS.searchLoggedModelsDefault,
        LIMITS.searchLoggedModelsMax,
      ),
      orderBy,
      pageToken: str(m.page_token),
    });
    return { models: page.items, next_page_token: page.nextPageToken };
  });
  endpoint(app, 'getLoggedModel', async (m) => ({ model: await store.getLoggedModel(m.model_id as string) }));
  endpoint(app, 'finalizeLoggedModel', async (m) => {
    const status = m.status as string;
    if (
      !(LOGGED_MODEL_STATUSES as readonly string[]).includes(status) ||
      status === 'LOGGED_MODEL_STATUS_UNSPECIFIED'
    ) {
      throw MlflowError.invalid(
        `Invalid logged model status '${status}' (valid: LOGGED_MODEL_PENDING, LOGGED_MODEL_READY, LOGGED_MODEL_UPLOAD_FAILED).`,
      );
    }
    return { model: await store.finalizeLoggedModel(m.model_id as string, status as LoggedModelStatus) };
  });
  endpoint(app, 'deleteLoggedModel', async (m) => {
    await store.deleteLoggedModel(m.model_id as string);
    return {};
  });
  endpoint(app, 'setLoggedModelTags', async (m) => {
    await store.setLoggedModelTags(m.model_id as string, validateTags(list(m.tags), 'model tag'));
    return {};
  });
  endpoint(app, 'deleteLoggedModelTag', async (m) => {
    await store.deleteLoggedModelTag(m.model_id as string, validateKey('model tag', m.tag_key));
    return {};
  });
  endpoint(app, 'logLoggedModelParams', async (m) => {
    await store.logLoggedModelParams(m.model_id as string, validateParams(list(m.params), 'model param'));
    return {};
  });
}
