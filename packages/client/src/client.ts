/**
 * MlflowClient: tracking (TrackingClient) + artifacts + the model registry + `runs:/` / `models:/`
 * resolution, over MLflow's REST protocol. Registry calls use MLflow's paths and bodies; DELETE calls
 * carry a JSON body, as MLflow's own client sends them.
 */
import type { FileInfo, ModelStage, ModelVersion, RegisteredModel, Run } from '@cauce/protocol';
import {
  deleteArtifacts,
  downloadArtifacts,
  joinArtifactPath,
  listArtifacts,
  readText,
  uploadBytes,
  uploadDir,
  uploadFile,
} from './artifacts.js';
import { ClientError } from './http/errors.js';
import { resolveTrackingUri } from './tracking-uri.js';
import type { TransportOptions } from './http/transport.js';
import { TrackingClient, type Page } from './tracking.js';
import { parseModelUri, parseRunsUri } from './uris.js';
import { basename } from 'node:path';

const API = '/api/2.0/mlflow';

function tagList(
  tags: Record<string, string> | undefined,
): Array<{ key: string; value: string }> | undefined {
  return tags ? Object.entries(tags).map(([key, value]) => ({ key, value })) : undefined;
}

export class MlflowClient extends TrackingClient {
  /** `trackingUri` defaults to MLFLOW_TRACKING_URI (then http://127.0.0.1:5000). */
  constructor(trackingUri?: string, options: TransportOptions = {}) {
    super(trackingUri ?? resolveTrackingUri(), options);
  }

  /**
   * A run's artifact URI never changes, so it is fetched once per run. The promise is cached, not the
   * value, so concurrent uploads into one run (autolog logs its plots and search results at once) share
   * one getRun instead of each making its own; createRun seeds it.
   */
  private readonly artifactUris = new Map<string, Promise<string>>();

  private artifactUriOf(runId: string): Promise<string> {
    let uri = this.artifactUris.get(runId);
    if (uri === undefined) {
      uri = this.getRun(runId).then((r) => r.info.artifact_uri);
      // a failed lookup is not cached: the next call asks again
      const p = uri;
      p.catch(() => {
        if (this.artifactUris.get(runId) === p) this.artifactUris.delete(runId);
      });
      this.rememberArtifactUri(runId, uri);
    }
    return uri;
  }

  private rememberArtifactUri(runId: string, uri: Promise<string>): void {
    if (this.artifactUris.size > 1000) this.artifactUris.clear();
    this.artifactUris.set(runId, uri);
  }

  /** @internal a run another client created (autolog's logging thread): its artifact URI is known. */
  _knowRun(run: Run): void {
    if (run.info.artifact_uri)
      this.rememberArtifactUri(run.info.run_id, Promise.resolve(run.info.artifact_uri));
  }

  override async createRun(...args: Parameters<TrackingClient['createRun']>): Promise<Run> {
    const run = await super.createRun(...args);
    if (run.info.artifact_uri)
      this.rememberArtifactUri(run.info.run_id, Promise.resolve(run.info.artifact_uri));
    return run;
  }

  // ---- artifacts of runs ----

  /** Uploads a local file into the run's artifacts, under `artifactPath/` (MLflow's log_artifact). */
  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    await uploadFile(
      this.transport,
      await this.artifactUriOf(runId),
      localPath,
      joinArtifactPath(artifactPath, basename(localPath)),
    );
  }
  /** Uploads a local directory's contents under `artifactPath/` (MLflow's log_artifacts). */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<number> {
    return uploadDir(this.transport, await this.artifactUriOf(runId), localDir, artifactPath ?? '');
  }
  /** Writes text or bytes as the artifact file `artifactFile` (MLflow's log_text). */
  async logText(runId: string, text: string | Uint8Array, artifactFile: string): Promise<void> {
    await uploadBytes(this.transport, await this.artifactUriOf(runId), text, joinArtifactPath(artifactFile));
  }
  /** Writes a JSON value as the artifact file `artifactFile` (MLflow's log_dict, JSON only). */
  async logDict(runId: string, value: unknown, artifactFile: string): Promise<void> {
    await this.logText(runId, JSON.stringify(value, null, 2), artifactFile);
  }
  /**
   * Deletes the run's artifact file or directory `artifactPath` (MLflow's delete_artifacts: needs a server
   * that proxies artifacts, or a local artifact root); a missing path is not an error.
   */
  async deleteArtifacts(runId: string, artifactPath: string): Promise<void> {
    const path = joinArtifactPath(artifactPath);
    if (path === '') {
      throw new ClientError(
        'INVALID_ARGUMENT',
        'deleteArtifacts needs a path inside the run: refusing to delete all of its artifacts',
        "give the file or directory, e.g. 'model' or 'plots/residuals.svg'",
      );
    }
    await deleteArtifacts(this.transport, await this.artifactUriOf(runId), path);
  }
  async listArtifacts(runId: string, path = ''): Promise<FileInfo[]> {
    return listArtifacts(this.transport, await this.artifactUriOf(runId), path);
  }
  /** Downloads a run's artifact file or directory into `destDir`; returns the local path. */
  async downloadArtifacts(runId: string, path: string, destDir: string): Promise<string> {
    return downloadArtifacts(this.transport, await this.artifactUriOf(runId), path, destDir);
  }
  async readArtifactText(runId: string, path: string): Promise<string> {
    return readText(this.transport, await this.artifactUriOf(runId), path);
  }

  // ---- registry: registered models ----

  async createRegisteredModel(
    name: string,
    options: { tags?: Record<string, string>; description?: string } = {},
  ): Promise<RegisteredModel> {
    const res = (await this.transport.json('POST', `${API}/registered-models/create`, {
      name,
      tags: tagList(options.tags),
      description: options.description,
    })) as { registered_model: RegisteredModel };
    return res.registered_model;
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const res = (await this.transport.json('GET', `${API}/registered-models/get`, { name })) as {
      registered_model: RegisteredModel;
    };
    return res.registered_model;
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const res = (await this.transport.json('POST', `${API}/registered-models/rename`, {
      name,
      new_name: newName,
    })) as { registered_model: RegisteredModel };
    return res.registered_model;
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    const res = (await this.transport.json('PATCH', `${API}/registered-models/update`, {
      name,
      description,
    })) as {
      registered_model: RegisteredModel;
    };
    return res.registered_model;
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.transport.json('DELETE', `${API}/registered-models/delete`, { name });
  }
  async searchRegisteredModels(
    options: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string } = {},
  ): Promise<Page<RegisteredModel>> {
    const res = (await this.transport.json('GET', `${API}/registered-models/search`, {
      filter: options.filter,
      order_by: options.orderBy,
      max_results: options.maxResults,
      page_token: options.pageToken,
    })) as { registered_models?: RegisteredModel[]; next_page_token?: string };
    return { items: res.registered_models ?? [], nextPageToken: res.next_page_token || undefined };
  }
  async getLatestVersions(name: string, stages?: ModelStage[]): Promise<ModelVersion[]> {
    const res = (await this.transport.json('POST', `${API}/registered-models/get-latest-versions`, {
      name,
      stages,
    })) as { model_versions?: ModelVersion[] };
    return res.model_versions ?? [];
  }
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.transport.json('POST', `${API}/registered-models/set-tag`, { name, key, value });
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.transport.json('DELETE', `${API}/registered-models/delete-tag`, { name, key });
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string | number): Promise<void> {
    await this.transport.json('POST', `${API}/registered-models/alias`, {
      name,
      alias,
      version: String(version),
    });
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.transport.json('DELETE', `${API}/registered-models/alias`, { name, alias });
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const res = (await this.transport.json('GET', `${API}/registered-models/alias`, { name, alias })) as {
      model_version: ModelVersion;
    };
    return res.model_version;
  }

  // ---- registry: model versions ----

  async createModelVersion(
    name: string,
    source: string,
    options: { runId?: string; tags?: Record<string, string>; description?: string; runLink?: string } = {},
  ): Promise<ModelVersion> {
    const res = (await this.transport.json('POST', `${API}/model-versions/create`, {
      name,
      source,
      run_id: options.runId,
      tags: tagList(options.tags),
      description: options.description,
      run_link: options.runLink,
    })) as { model_version: ModelVersion };
    return res.model_version;
  }
  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    const res = (await this.transport.json('GET', `${API}/model-versions/get`, {
      name,
      version: String(version),
    })) as {
      model_version: ModelVersion;
    };
    return res.model_version;
  }
  async updateModelVersion(
    name: string,
    version: string | number,
    description: string,
  ): Promise<ModelVersion> {
    const res = (await this.transport.json('PATCH', `${API}/model-versions/update`, {
      name,
      version: String(version),
      description,
    })) as { model_version: ModelVersion };
    return res.model_version;
  }
  async deleteModelVersion(name: string, version: string | number): Promise<void> {
    await this.transport.json('DELETE', `${API}/model-versions/delete`, { name, version: String(version) });
  }
  async searchModelVersions(
    options: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string } = {},
  ): Promise<Page<ModelVersion>> {
    const res = (await this.transport.json('GET', `${API}/model-versions/search`, {
      filter: options.filter,
      order_by: options.orderBy,
      max_results: options.maxResults,
      page_token: options.pageToken,
    })) as { model_versions?: ModelVersion[]; next_page_token?: string };
    return { items: res.model_versions ?? [], nextPageToken: res.next_page_token || undefined };
  }
  async transitionModelVersionStage(
    name: string,
    version: string | number,
    stage: ModelStage,
    archiveExistingVersions = false,
  ): Promise<ModelVersion> {
    const res = (await this.transport.json('POST', `${API}/model-versions/transition-stage`, {
      name,
      version: String(version),
      stage,
      archive_existing_versions: archiveExistingVersions,
    })) as { model_version: ModelVersion };
    return res.model_version;
  }
  async setModelVersionTag(
    name: string,
    version: string | number,
    key: string,
    value: string,
  ): Promise<void> {
    await this.transport.json('POST', `${API}/model-versions/set-tag`, {
      name,
      version: String(version),
      key,
      value,
    });
  }
  async deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void> {
    await this.transport.json('DELETE', `${API}/model-versions/delete-tag`, {
      name,
      version: String(version),
      key,
    });
  }
  async getModelVersionDownloadUri(name: string, version: string | number): Promise<string> {
    const res = (await this.transport.json('GET', `${API}/model-versions/get-download-uri`, {
      name,
      version: String(version),
    })) as { artifact_uri: string };
    return res.artifact_uri;
  }

  /**
   * Registers the model at `modelUri` (`runs:/<id>/<path>` or an artifact URI) as a new version of
   * `name`, creating the registered model when it does not exist (MLflow's register_model).
   */
  async registerModel(
    modelUri: string,
    name: string,
    options: { tags?: Record<string, string>; description?: string } = {},
  ): Promise<ModelVersion> {
    try {
      await this.createRegisteredModel(name);
    } catch (err) {
      if ((err as { errorCode?: string }).errorCode !== 'RESOURCE_ALREADY_EXISTS') throw err;
    }
    let source = modelUri;
    let runId: string | undefined;
    const runs = modelUri.startsWith('runs:') ? parseRunsUri(modelUri) : undefined;
    if (runs) {
      runId = runs.runId;
      // MLflow's client registers the run's underlying artifact location, with the run id beside it
      source = `${(await this.artifactUriOf(runs.runId)).replace(/\/+$/, '')}/${runs.path}`;
    }
    return this.createModelVersion(name, source, {
      runId,
      tags: options.tags,
      description: options.description,
    });
  }

  // ---- URIs ----

  /**
   * The artifact URI behind `runs:/<run_id>/<path>`, `models:/<name>/<version|stage|latest>`,
   * `models:/<name>@<alias>`, or an artifact URI itself.
   */
  async resolveArtifactUri(uri: string): Promise<string> {
    if (uri.startsWith('runs:')) {
      const { runId, path } = parseRunsUri(uri);
      const root = (await this.artifactUriOf(runId)).replace(/\/+$/, '');
      return path ? `${root}/${path}` : root;
    }
    if (uri.startsWith('models:')) {
      const version = await this.resolveModelVersion(uri);
      const download = await this.getModelVersionDownloadUri(version.name, version.version);
      return download.startsWith('runs:') || download.startsWith('models:')
        ? this.resolveArtifactUri(download)
        : download;
    }
    return uri;
  }

  /** The model version a `models:/` URI names. */
  async resolveModelVersion(uri: string): Promise<ModelVersion> {
    const ref = parseModelUri(uri);
    if (ref.alias !== undefined) return this.getModelVersionByAlias(ref.name, ref.alias);
    if (ref.version !== undefined) return this.getModelVersion(ref.name, ref.version);
    const latest = await this.getLatestVersions(
      ref.name,
      ref.stage === undefined ? undefined : [ref.stage as ModelStage],
    );
    if (latest.length === 0) {
      throw new ClientError(
        'INVALID_URI',
        `${uri}: registered model '${ref.name}' has no version${ref.stage ? ` in stage ${ref.stage}` : ''}`,
        'register a version first, or name a version / alias',
      );
    }
    return latest.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
  }

  /** Downloads everything a `runs:/`, `models:/` or artifact URI points at into `destDir`. */
  async downloadUri(uri: string, destDir: string): Promise<string> {
    const artifactUri = await this.resolveArtifactUri(uri);
    // download the URI's last segment as a directory (or file) below its parent
    const m = /^(.*?)\/([^/]+)\/?$/.exec(artifactUri);
    if (!m) return downloadArtifacts(this.transport, artifactUri, '', destDir);
    return downloadArtifacts(this.transport, m[1]!, m[2]!, destDir);
  }
}
