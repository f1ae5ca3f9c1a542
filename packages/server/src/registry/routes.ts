/**
 * The model-registry REST routes (MLflow's paths and bodies under /api/2.0 and /ajax-api/2.0), plus
 * the download of a version's files. Handlers validate, call the store, emit webhook events.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  API_PREFIXES,
  MlflowError,
  REGISTRY_ENDPOINTS,
  type EndpointSpec,
  type KeyValue,
  type ModelVersion,
  type RegistryEndpointSpec,
} from '@cauce/protocol';
import { decodeMessage, type Message } from '../http/decode.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { currentUser } from '../auth/request-user.js';
import { validateArtifactPath } from '../security/artifact-path.js';
import { localPathFor } from '../security/local-location.js';
import { sendArtifactFile } from '../security/serve-file.js';
import { resolveSource, type SourcePolicy } from '../security/source-policy.js';
import type { RegistryEventSink } from '../webhooks/events.js';
import type { ModelVersionRecord, RegistryStore } from './registry-store.js';
import { publicVersion } from './sql/context.js';
import { validateModelName } from './validate.js';

export interface RegistryRouteContext {
  registry: RegistryStore;
  tracking: Pick<TrackingStore, 'getRun' | 'getLoggedModel'>;
  policy: SourcePolicy;
  events?: RegistryEventSink;
}

export type SpecHandler = (msg: Message, req: FastifyRequest) => Promise<unknown>;

/** Registers one endpoint of a Cauce table under both API prefixes, decoding like the tracking routes. */
export function specEndpoint(
  app: FastifyInstance,
  table: readonly RegistryEndpointSpec[],
  name: string,
  handler: SpecHandler,
): void {
  const spec = table.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown endpoint ${name}`);
  for (const prefix of API_PREFIXES) {
    app.route({
      method: [...spec.methods],
      url: `${prefix}${spec.path}`,
      handler: async (req, reply) => {
        // The tracking decoder only reads `fields` and `required`, which both tables share.
        const msg = decodeMessage(
          spec as unknown as EndpointSpec,
          req.method,
          req.query,
          req.body,
          (req.params ?? {}) as Record<string, string>,
        );
        const out = await handler(msg, req);
        void reply.type('application/json');
        return out ?? {};
      },
    });
  }
}

const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function tagsOf(v: unknown): KeyValue[] {
  if (v === undefined) return [];
  return (v as Record<string, unknown>[]).map((t, i) => {
    if (typeof t.key !== 'string') throw MlflowError.invalid(`tags[${i}].key must be a string.`);
    if (t.value !== undefined && typeof t.value !== 'string')
      throw MlflowError.invalid(`tags[${i}].value must be a string.`);
    return { key: t.key, value: (t.value as string | undefined) ?? '' };
  });
}

function eventPayload(mv: ModelVersionRecord | ModelVersion): Record<string, unknown> {
  return {
    name: mv.name,
    version: mv.version,
    source: mv.source,
    run_id: mv.run_id,
    current_stage: mv.current_stage,
  };
}

export function registryRoutes(app: FastifyInstance, ctx: RegistryRouteContext): void {
  const { registry } = ctx;
  const on = (name: string, h: SpecHandler) => specEndpoint(app, REGISTRY_ENDPOINTS, name, h);
  const deps = { registry, tracking: ctx.tracking };

  on('createRegisteredModel', async (m, req) => ({
    registered_model: await registry.createRegisteredModel(
      m.name as string,
      tagsOf(m.tags),
      s(m.description),
      currentUser(req)?.username,
    ),
  }));
  on('getRegisteredModel', async (m) => ({
    registered_model: await registry.getRegisteredModel(m.name as string),
  }));
  on('renameRegisteredModel', async (m) => ({
    registered_model: await registry.renameRegisteredModel(m.name as string, m.new_name as string),
  }));
  on('updateRegisteredModel', async (m) => ({
    registered_model: await registry.updateRegisteredModel(m.name as string, s(m.description) ?? ''),
  }));
  on('deleteRegisteredModel', async (m) => {
    await registry.deleteRegisteredModel(m.name as string);
  });
  on('searchRegisteredModels', async (m) => {
    const page = await registry.searchRegisteredModels({
      filter: s(m.filter),
      maxResults: m.max_results as number | undefined,
      orderBy: m.order_by as string[] | undefined,
      pageToken: s(m.page_token),
    });
    return { registered_models: page.items, next_page_token: page.nextPageToken };
  });
  on('getLatestVersions', async (m) => ({
    model_versions: await registry.getLatestVersions(
      m.name as string,
      (m.stages as string[] | undefined) ?? [],
    ),
  }));
  on('setRegisteredModelTag', async (m) => {
    await registry.setRegisteredModelTag(m.name as string, { key: m.key as string, value: s(m.value) ?? '' });
  });
  on('deleteRegisteredModelTag', async (m) => {
    await registry.deleteRegisteredModelTag(m.name as string, m.key as string);
  });
  on('setRegisteredModelAlias', async (m) => {
    await registry.setAlias(m.name as string, m.alias as string, m.version as string);
    ctx.events?.emit('model_version_alias.created', { name: m.name, alias: m.alias, version: m.version });
  });
  on('deleteRegisteredModelAlias', async (m) => {
    await registry.deleteAlias(m.name as string, m.alias as string);
  });
  on('getModelVersionByAlias', async (m) => ({
    model_version: publicVersion(await registry.getVersionByAlias(m.name as string, m.alias as string)),
  }));

  on('createModelVersion', async (m, req) => {
    const name = validateModelName(m.name);
    // Tags are stored, never consulted: no tag (e.g. mlflow.prompt.is_prompt) skips source checks (CVE-2026-2614).
    const storageLocation = await resolveSource(m.source, ctx.policy, deps);
    const runId = s(m.run_id);
    if (runId) await ctx.tracking.getRun(runId);
    const mv = await registry.createModelVersion({
      name,
      source: m.source as string,
      storageLocation,
      runId,
      runLink: s(m.run_link),
      description: s(m.description),
      tags: tagsOf(m.tags),
      userId: currentUser(req)?.username,
      modelId: s(m.model_id),
    });
    ctx.events?.emit('model_version.created', eventPayload(mv));
    return { model_version: publicVersion(mv) };
  });
  on('copyModelVersion', async (m, req) => {
    const src = await registry.getModelVersion(m.name as string, m.version as string);
    const dst = validateModelName(m.dst_name, 'dst_name');
    try {
      await registry.getRegisteredModel(dst);
    } catch (err) {
      if (!(err instanceof MlflowError) || err.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw err;
      await registry.createRegisteredModel(dst, [], undefined, currentUser(req)?.username);
    }
    const mv = await registry.createModelVersion({
      name: dst,
      source: `models:/${src.name}/${src.version}`,
      storageLocation: src.storage_location,
      runId: src.run_id,
      runLink: src.run_link,
      description: src.description,
      tags: src.tags,
      userId: currentUser(req)?.username,
      modelId: src.model_id,
    });
    ctx.events?.emit('model_version.created', eventPayload(mv));
    return { model_version: publicVersion(mv) };
  });
  on('getModelVersion', async (m) => ({
    model_version: publicVersion(await registry.getModelVersion(m.name as string, m.version as string)),
  }));
  on('updateModelVersion', async (m) => ({
    model_version: publicVersion(
      await registry.updateModelVersion(m.name as string, m.version as string, s(m.description) ?? ''),
    ),
  }));
  on('deleteModelVersion', async (m) => {
    await registry.deleteModelVersion(m.name as string, m.version as string);
  });
  on('searchModelVersions', async (m) => {
    const page = await registry.searchModelVersions({
      filter: s(m.filter),
      maxResults: m.max_results as number | undefined,
      orderBy: m.order_by as string[] | undefined,
      pageToken: s(m.page_token),
    });
    return { model_versions: page.items, next_page_token: page.nextPageToken };
  });
  on('getModelVersionDownloadUri', async (m) => ({
    artifact_uri: (await registry.getModelVersion(m.name as string, m.version as string)).storage_location,
  }));
  on('transitionModelVersionStage', async (m) => {
    const mv = await registry.transitionStage(
      m.name as string,
      m.version as string,
      m.stage as string,
      m.archive_existing_versions === true,
    );
    ctx.events?.emit('model_version.stage_changed', eventPayload(mv));
    return { model_version: publicVersion(mv) };
  });
  on('setModelVersionTag', async (m) => {
    const tag = { key: m.key as string, value: s(m.value) ?? '' };
    await registry.setModelVersionTag(m.name as string, m.version as string, tag);
    ctx.events?.emit('model_version_tag.set', {
      name: m.name,
      version: m.version,
      key: tag.key,
      value: tag.value,
    });
  });
  on('deleteModelVersionTag', async (m) => {
    await registry.deleteModelVersionTag(m.name as string, m.version as string, m.key as string);
  });

  // The files of a version (MLflow serves this beside the API: /model-versions/get-artifact).
  for (const url of [
    '/model-versions/get-artifact',
    ...API_PREFIXES.map((p) => `${p}mlflow/model-versions/get-artifact`),
  ]) {
    app.get(url, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const one = (k: string) => (Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k]);
      const path = validateArtifactPath(one('path'));
      if (path === '')
        throw MlflowError.invalid(
          "Missing value for required parameter 'path' (a file inside the model version).",
        );
      const mv = await registry.getModelVersion(validateModelName(one('name')), String(one('version') ?? ''));
      const abs = localPathFor(mv.storage_location, path, ctx.policy);
      return sendArtifactFile(reply, abs, path.split('/').pop()!);
    });
  }
}
