/**
 * The class registry for loading (tfjs-layers' `registerClass` idea): every saveable stage registers a
 * stable class name and a loader once, at module load. Saving looks the name up by constructor, so a
 * stage that forgot to register fails at save time, not at some later load.
 */
import type { PipelineStage } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { StageReader } from './format.js';

/**
 * Builds a stage from what was saved. The loader constructs the instance from its numbers; uid and
 * params are restored afterwards by the io layer, so most loaders are one line.
 */
export type StageLoader = (reader: StageReader) => PipelineStage | Promise<PipelineStage>;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyCtor = Function;

const byName = new Map<string, { ctor: AnyCtor; loader: StageLoader }>();
const byCtor = new Map<AnyCtor, string>();

/**
 * Registers `ctor` under `name` (use the class name, e.g. 'StandardScalerModel'). Without a loader the
 * class must have a constructor that accepts no arguments (params are restored after construction).
 */
export function registerStage(name: string, ctor: AnyCtor, loader?: StageLoader): void {
  const prev = byName.get(name);
  if (prev && prev.ctor !== ctor) {
    throw new Error(`registerStage: the name '${name}' is already registered for another class`);
  }
  const load: StageLoader = loader ?? (() => new (ctor as new () => PipelineStage)());
  byName.set(name, { ctor, loader: load });
  byCtor.set(ctor, name);
}

/** The registered name of a stage's class; SAVE_ERROR when it was never registered. */
export function registeredName(stage: PipelineStage): string {
  const name = byCtor.get(stage.constructor);
  if (name === undefined) {
    throw new MLError(
      'SAVE_ERROR',
      `${stage.uid}: class ${stage.constructor.name} is not registered for save/load`,
      {
        stage: stage.uid,
        hint: `call registerStage('${stage.constructor.name}', ${stage.constructor.name}, loader) next to the class`,
      },
    );
  }
  return name;
}

/** The class name to show in events and messages: registered name, else the constructor's name. */
export function classNameOf(stage: object): string {
  return byCtor.get(stage.constructor) ?? stage.constructor.name;
}

/** The loader for a saved class name; LOAD_ERROR when unknown. @internal */
export function loaderFor(name: string, where: string): StageLoader {
  const e = byName.get(name);
  if (!e) {
    throw new MLError('LOAD_ERROR', `${where}: unknown stage class '${name}'`, {
      hint:
        'the class is not registered in this process; import the package or module that defines it ' +
        `(registered: ${[...byName.keys()].sort().join(', ')})`,
    });
  }
  return e.loader;
}

/** Names of all registered classes (sorted). */
export function registeredStages(): string[] {
  return [...byName.keys()].sort();
}

/**
 * The class registered under `name`, to build a stage by its class name (a spec file, the CLI's
 * `cauce tune`); undefined when no class has that name. Fitted-model classes need their numbers, so
 * only estimators and plain transformers can be built this way with `new (stageClass(name))()`.
 */
export function stageClass(name: string): (new () => PipelineStage) | undefined {
  return byName.get(name)?.ctor as (new () => PipelineStage) | undefined;
}
