/**
 * The model directory's files that depend only on the training frame — the input examples and
 * profile.json (BeginMessage.modelAhead) — uploaded while the fit runs into a run autolog created (nothing
 * else writes its model/), so the caller does not wait for them after the fit (issue 8). At the end the
 * recorder uploads only what differs from what landed, removes what the final directory lacks, and removes
 * them all when the fit fails or its model cannot be logged.
 */
import type { MlflowClient } from '../client.js';
import { selectProfileColumns, type DataProfile } from '../model/profile.js';
import type { BeginMessage } from './messages.js';
import { TIMING, trace } from './timing.js';

type Spec = NonNullable<BeginMessage['modelAhead']>;

export class ModelAhead {
  /** By path in the model directory: the file's text (undefined if not made) and whether its upload landed. */
  private readonly files = new Map<
    string,
    { text: Promise<string | undefined>; uploaded: Promise<boolean> }
  >();

  /**
   * Starts the uploads: the examples once `runId` is known (undefined: a run not created here, or killed),
   * profile.json once `profile` is computed. `stopped` says the recording was killed meanwhile.
   */
  constructor(
    private readonly client: MlflowClient,
    readonly spec: Spec,
    runId: Promise<string | undefined>,
    profile: Promise<DataProfile | undefined>,
    stopped: () => boolean,
    private readonly warn: (text: string, err?: unknown) => void,
  ) {
    const put = (file: string, text: Promise<string | undefined>): void => {
      const uploaded = Promise.all([text, runId])
        .then(async ([t, id]) => {
          if (t === undefined || id === undefined || stopped()) return false;
          await client.logText(id, t, `${spec.artifactPath}/${file}`);
          if (TIMING) trace(`${file} uploaded ahead`);
          return true;
        })
        .catch(() => false); // uploaded at finish instead
      this.files.set(file, { text, uploaded });
    };
    for (const [file, text] of spec.files) put(file, Promise.resolve(text));
    put(
      'profile.json',
      profile
        .then((p) => (p ? JSON.stringify(selectProfileColumns(p, spec.profileColumns)) : undefined))
        .catch(() => undefined),
    );
  }

  /** profile.json's text as made ahead, when the final directory profiles the same columns. */
  async profileText(columns: readonly string[] | undefined): Promise<string | undefined> {
    if (JSON.stringify(this.spec.profileColumns) !== JSON.stringify(columns)) return undefined;
    return this.files.get('profile.json')?.text;
  }

  /** `files` but those uploaded ahead with the very same text; stale ones uploaded ahead are removed. */
  async notUploaded(
    runId: string,
    files: Map<string, Uint8Array | string>,
  ): Promise<Map<string, Uint8Array | string>> {
    const rest = new Map(files);
    await Promise.all(
      [...this.files].map(async ([file, ahead]) => {
        const text = await ahead.text;
        if (!(await ahead.uploaded)) return;
        if (!files.has(file)) {
          await this.client
            .deleteArtifacts(runId, `${this.spec.artifactPath}/${file}`)
            .catch((err: unknown) => this.warn(`the stale ${file} of the model could not be removed`, err));
        } else if (files.get(file) === text) rest.delete(file);
      }),
    );
    return rest;
  }

  /** The fit's model is not logged: what was uploaded ahead goes (the run was created here, model/ is ours). */
  async drop(runId: string): Promise<void> {
    const landed = await Promise.all([...this.files.values()].map((a) => a.uploaded));
    if (!landed.some(Boolean)) return;
    await this.client
      .deleteArtifacts(runId, this.spec.artifactPath)
      .catch((err: unknown) =>
        this.warn('the model files uploaded during the fit could not be removed', err),
      );
  }
}
