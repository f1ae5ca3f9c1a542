/**
 * TrainValidationSplit (Spark ML's org.apache.spark.ml.tuning.TrainValidationSplit): one seeded split
 * into training and validation rows (trainRatio), every param map fitted once on the training rows and
 * scored on the validation rows; the best map is refitted on all rows. Cheaper than k folds, noisier.
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamMap, ParamSpec } from '../param/param.js';
import { inRange } from '../param/validators.js';
import type { FitContext, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { trainValidationSplit } from './folds.js';
import { ValidatorBase, readTuning, writeTuning, type ValidatorParamValues } from './validator-params.js';
import { TunedModel, loadTunedModel } from './tuned-model.js';

const trainRatioSpec: ParamSpec<number> = {
  name: 'trainRatio',
  doc: 'share of the rows used for training, the rest for validation',
  type: 'number',
  validator: inRange(0, 1, false, false),
  default: 0.75,
};

export interface TrainValidationSplitParams extends ValidatorParamValues {
  trainRatio?: number;
}

export class TrainValidationSplit extends ValidatorBase<TrainValidationSplitModel> {
  readonly trainRatio = this.declare(trainRatioSpec);

  constructor(params: TrainValidationSplitParams = {}) {
    super();
    this.setParams(params);
  }
  setTrainRatio(v: number): this {
    return this.set(this.trainRatio, v);
  }
  getTrainRatio(): number {
    return this.getOrDefault(this.trainRatio);
  }

  transformSchema(schema: Schema): Schema {
    return this.validateAndTransformSchema(schema);
  }

  protected async _fit(frame: Frame, ctx: FitContext): Promise<TrainValidationSplitModel> {
    const maps = this.getEstimatorParamMaps();
    const split = trainValidationSplit(frame.numRows, this.getTrainRatio(), this.getSeed());
    if (split.train.length === 0 || split.validation.length === 0) {
      throw new MLError(
        'INVALID_DATA',
        `${this.uid}: ${frame.numRows} rows with trainRatio ${this.getTrainRatio()} leave an empty ${split.train.length === 0 ? 'training' : 'validation'} set`,
        { stage: this.uid, param: 'trainRatio', hint: 'give more rows or move trainRatio towards 0.5' },
      );
    }
    const metrics = new Array<number>(maps.length).fill(NaN);
    const subModels: Model[] | undefined = this.getCollectSubModels()
      ? new Array<Model>(maps.length)
      : undefined;
    let done = 0;
    await this.runSplits(frame, [split], ctx, (_s, i, metric, model) => {
      metrics[i] = metric;
      if (subModels && model) subModels[i] = model;
      ctx.progress(++done, NaN, { paramIndex: i, metric, trials: maps.length });
    });
    const best = this.bestIndex(metrics);
    const bestModel = await this.getEstimator().fitWith(frame, { paramMap: maps[best], parentUid: ctx.uid });
    const model = new TrainValidationSplitModel(bestModel, metrics, subModels);
    model.setTuning(this.getEstimator(), maps, this.getEvaluator());
    return model;
  }

  override copy(extra?: ParamMap): this {
    const that = super.copy(extra);
    if (this.isSet(this.estimator)) that.set(that.estimator, this.getEstimator().copy(extra));
    return that;
  }

  override writeData(w: StageWriter): void {
    writeTuning(w, this.getEstimator(), this.getEstimatorParamMaps(), this.getEvaluator(), this.uid);
  }
}

export class TrainValidationSplitModel extends TunedModel {
  readonly trainRatio = this.declare(trainRatioSpec);

  constructor(
    bestModel: Model,
    /** The validation metric of every param map (in estimatorParamMaps order). */
    readonly validationMetrics: readonly number[],
    readonly subModels?: readonly Model[],
  ) {
    super(bestModel);
  }

  protected get selectionMetrics(): readonly number[] {
    return this.validationMetrics;
  }
  protected writeMetrics(w: StageWriter): void {
    w.json('validationMetrics', this.validationMetrics);
  }
}

registerStage('TrainValidationSplit', TrainValidationSplit, async (r) => {
  const { estimator, evaluator, maps } = await readTuning(r);
  return new TrainValidationSplit({ estimator, evaluator, estimatorParamMaps: maps });
});
registerStage('TrainValidationSplitModel', TrainValidationSplitModel, (r) =>
  loadTunedModel(r, (best) => new TrainValidationSplitModel(best, r.json<number[]>('validationMetrics'))),
);
