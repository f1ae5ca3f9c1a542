/**
 * What CrossValidatorModel and TrainValidationSplitModel share: the refitted best model that transform
 * delegates to, the tuning settings they were fitted with (estimator, param maps, evaluator), the choice of
 * the best map from one metric per map, and save/load of all that. Each subclass only says which metrics
 * pick the winner and how they are stored.
 */
import type { Frame } from '@cauce/frame';
import type { StageReader, StageWriter } from '../io/format.js';
import type { ParamMap } from '../param/param.js';
import { Model, type Estimator } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import type { TuningEvaluator } from './evaluator-ref.js';
import { readTuning, writeTuning } from './validator-params.js';

export abstract class TunedModel extends Model {
  #estimator: Estimator | undefined;
  #maps: readonly ParamMap[] = [];
  #evaluator: TuningEvaluator | undefined;

  constructor(
    /** The best param map's model, fitted on all rows. */
    readonly bestModel: Model,
  ) {
    super();
  }

  /** One metric per param map (estimatorParamMaps order); the best of them names the winner. */
  protected abstract get selectionMetrics(): readonly number[];
  /** Writes the subclass's metrics beside bestModel. */
  protected abstract writeMetrics(w: StageWriter): void;

  /** @internal set by the tuner's fit and by the loader. */
  setTuning(estimator: Estimator, maps: readonly ParamMap[], evaluator: TuningEvaluator): void {
    this.#estimator = estimator;
    this.#maps = maps;
    this.#evaluator = evaluator;
  }
  getEstimator(): Estimator | undefined {
    return this.#estimator;
  }
  getEstimatorParamMaps(): readonly ParamMap[] {
    return this.#maps;
  }
  getEvaluator(): TuningEvaluator | undefined {
    return this.#evaluator;
  }
  /** The index of the param map that won. */
  get bestIndex(): number {
    const larger = this.#evaluator?.isLargerBetter() ?? true;
    const m = this.selectionMetrics;
    let best = 0;
    m.forEach((v, i) => {
      if (larger ? v > m[best]! : v < m[best]!) best = i;
    });
    return best;
  }

  transformSchema(schema: Schema): Schema {
    return this.bestModel.transformSchema(schema);
  }
  protected _transform(frame: Frame): Promise<Frame> {
    return this.bestModel.transform(frame);
  }

  override writeData(w: StageWriter): void {
    w.stage('bestModel', this.bestModel);
    this.writeMetrics(w);
    if (this.#estimator && this.#evaluator)
      writeTuning(w, this.#estimator, this.#maps, this.#evaluator, this.uid);
  }
}

/** Loads a TunedModel subclass: reads bestModel, lets `build` read the metrics, restores the tuning settings. */
export async function loadTunedModel<M extends TunedModel>(
  r: StageReader,
  build: (bestModel: Model) => M,
): Promise<M> {
  const best = await r.stage('bestModel');
  if (!(best instanceof Model)) throw new MLError('LOAD_ERROR', `${r.where}: bestModel is not a Model`);
  const model = build(best);
  if (r.has('estimator')) {
    const t = await readTuning(r);
    model.setTuning(t.estimator, t.maps, t.evaluator);
  }
  return model;
}
