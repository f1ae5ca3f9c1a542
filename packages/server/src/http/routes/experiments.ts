/** Experiment endpoints (MLflow REST API 2.0 `experiments/*`). */
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '@cauce/protocol';
import {
  validateExperimentName,
  validateKey,
  validateLength,
  validateMaxResults,
  validateTags,
  validateViewType,
} from '../../validation.js';
import { endpoint, list, num, str, type ServerContext } from '../route.js';

export function experimentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  endpoint(app, 'createExperiment', async (m) => {
    const name = validateExperimentName(m.name);
    const tags = validateTags(list(m.tags), 'experiment tag');
    const location = str(m.artifact_location) || undefined;
    return { experiment_id: await store.createExperiment(name, location, tags) };
  });
  endpoint(app, 'searchExperiments', async (m) => {
    const page = await store.searchExperiments({
      filter: str(m.filter),
      viewType: validateViewType('view_type', m.view_type),
      maxResults: validateMaxResults(
        num(m.max_results),
        LIMITS.searchExperimentsDefault,
        LIMITS.searchExperimentsMax,
      ),
      orderBy: list(m.order_by) as string[] | undefined,
      pageToken: str(m.page_token),
    });
    return { experiments: page.items, next_page_token: page.nextPageToken };
  });
  endpoint(app, 'getExperiment', async (m) => ({
    experiment: await store.getExperiment(m.experiment_id as string),
  }));
  endpoint(app, 'getExperimentByName', async (m) => ({
    experiment: await store.getExperimentByName(m.experiment_name as string),
  }));
  endpoint(app, 'updateExperiment', async (m) => {
    if (m.new_name !== undefined) {
      await store.renameExperiment(m.experiment_id as string, validateExperimentName(m.new_name));
    } else {
      await store.getExperiment(m.experiment_id as string);
    }
    return {};
  });
  endpoint(app, 'deleteExperiment', async (m) => {
    await store.deleteExperiment(m.experiment_id as string);
    return {};
  });
  endpoint(app, 'restoreExperiment', async (m) => {
    await store.restoreExperiment(m.experiment_id as string);
    return {};
  });
  endpoint(app, 'setExperimentTag', async (m) => {
    const key = validateKey('experiment tag', m.key);
    const value = validateLength(
      `Tag value for key '${key}'`,
      m.value as string,
      LIMITS.maxExperimentTagValueLength,
    );
    await store.setExperimentTag(m.experiment_id as string, { key, value });
    return {};
  });
  endpoint(app, 'deleteExperimentTag', async (m) => {
    await store.deleteExperimentTag(m.experiment_id as string, validateKey('experiment tag', m.key));
    return {};
  });
}
