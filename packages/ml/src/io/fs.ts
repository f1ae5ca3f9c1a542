/**
 * Saving to and loading from directories. The only file in `ml` that touches the file system; node:fs is
 * imported lazily so the rest of the library (and a bundle that never saves) stays platform-free.
 * See docs/decisions/0004-model-save-format.md.
 */
import type { PipelineStage } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { decodeStage, encodeStage, type Bundle } from './format.js';

export interface SaveOptions {
  /** Replace an existing directory (Spark's `write().overwrite()`); default false: an existing target is an error. */
  overwrite?: boolean;
}

/**
 * Writes `stage` into directory `dir` (created). The files are written into a sibling temporary
 * directory first and renamed into place, so a failed save never leaves a half-written model at `dir`.
 */
export async function saveStage(stage: PipelineStage, dir: string, options: SaveOptions = {}): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const bundle = encodeStage(stage);
  const target = path.resolve(dir);
  const exists = await fs.stat(target).then(
    () => true,
    () => false,
  );
  if (exists && !options.overwrite) {
    throw new MLError('SAVE_ERROR', `${stage.uid}: cannot save to ${dir}: it already exists`, {
      stage: stage.uid,
      hint: 'pass { overwrite: true } or choose a new directory',
    });
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    for (const [rel, bytes] of bundle) {
      const file = path.join(tmp, ...rel.split('/'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, bytes);
    }
    if (exists) await fs.rm(target, { recursive: true, force: true });
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw new MLError(
      'SAVE_ERROR',
      `${stage.uid}: saving to ${dir} failed: ${(err as Error).message}`,
      {
        stage: stage.uid,
      },
      { cause: err },
    );
  }
}

async function readBundle(dir: string): Promise<Bundle> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const bundle: Bundle = new Map();
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st || !st.isDirectory()) {
    throw new MLError('LOAD_ERROR', `${dir}: no such directory`, {
      hint: 'point at a directory written by stage.save(dir)',
    });
  }
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const ent of await fs.readdir(abs, { withFileTypes: true })) {
      const a = path.join(abs, ent.name);
      const r = rel + ent.name;
      if (ent.isDirectory()) await walk(a, r + '/');
      else if (ent.isFile()) bundle.set(r, new Uint8Array(await fs.readFile(a)));
    }
  };
  await walk(dir, '');
  return bundle;
}

type AbstractCtor<T> = abstract new (...args: never[]) => T;

/**
 * Loads any saved stage (the class comes from metadata.json). With `expected`, a stage of another class
 * is a LOAD_ERROR (e.g. `loadStage(dir, PipelineModel)`).
 */
export async function loadStage<T extends PipelineStage = PipelineStage>(
  dir: string,
  expected?: AbstractCtor<T>,
): Promise<T> {
  const stage = await decodeStage(await readBundle(dir), dir);
  if (expected && !(stage instanceof expected)) {
    throw new MLError('LOAD_ERROR', `${dir}: holds a ${stage.constructor.name}, not a ${expected.name}`, {
      hint: `load it with loadStage(dir) or ${stage.constructor.name}.load(dir)`,
    });
  }
  return stage as T;
}
