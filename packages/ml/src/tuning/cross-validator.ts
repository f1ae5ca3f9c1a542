/**
 * CrossValidator (Spark ML's org.apache.spark.ml.tuning.CrossValidator): k-fold cross-validation over a
 * grid of param maps. Every (fold, param map) pair is one trial: fit on the other folds, score the
 * held-out fold with the evaluator. The param map with the best average metric is refitted on all rows.
 * Folds are index views (frame.take), so no column is copied.
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamMap, ParamSpec } from '../param/param.js';
import { gtEq } from '../param/validators.js';
import type { FitContext, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { requireColumn, type Schema } from '../util/schema.js';
import { foldsFromColumn, kFold, type Fold } from './folds.js';
import { ValidatorBase, readTuning, writeTuning, type ValidatorParamValues } from './validator-params.js';
import { TunedModel, loadTunedModel } from './tuned-model.js';

const numFoldsSpec: ParamSpec<number> = {
  name: 'numFolds',
  doc: 'number of folds for cross validation',
  type: 'int',
  validator: gtEq(2),
  default: 3,
};
const foldColSpec: ParamSpec<string> = {
  name: 'foldCol',
  doc: "column of user-assigned fold numbers in [0, numFolds); '' means random folds from seed",
  type: 'string',
  default: '',
};

export interface CrossValidatorParams extends ValidatorParamValues {
  numFolds?: number;
  foldCol?: string;
}

export class CrossValidator extends ValidatorBase<CrossValidatorModel> {
  readonly numFolds = this.declare(numFoldsSpec);
  readonly foldCol = this.declare(foldColSpec);

  constructor(params: CrossValidatorParams = {}) {
    super();
    this.setParams(params);
  }
  setNumFolds(v: number): this {
    return this.set(this.numFolds, v);
  }
  getNumFolds(): number {
    return this.getOrDefault(this.numFolds);
  }
  setFoldCol(v: string): this {
    return this.set(this.foldCol, v);
  }
  getFoldCol(): string {
    return this.getOrDefault(this.foldCol);
  }

  transformSchema(schema: Schema): Schema {
    const foldCol = this.getFoldCol();
    if (foldCol !== '') requireColumn(this.uid, schema, 'foldCol', foldCol, ['int32', 'int64']);
    return this.validateAndTransformSchema(schema);
  }

  private folds(frame: Frame): Fold[] {
    const k = this.getNumFolds();
    const n = frame.numRows;
    const foldCol = this.getFoldCol();
    if (foldCol === '') {
      if (n < k) {
        throw new MLError('INVALID_DATA', `${this.uid}: ${n} rows cannot make ${k} folds`, {
          stage: this.uid,
          param: 'numFolds',
          hint: `lower numFolds to at most ${Math.max(2, n)} or give more rows`,
        });
      }
      return kFold(n, k, this.getSeed());
    }
    const col = frame.float64(foldCol);
    for (let i = 0; i < n; i++) {
      const f = col[i]!;
      if (!(Number.isInteger(f) && f >= 0 && f < k)) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: foldCol '${foldCol}' has ${String(f)} at row ${i}; fold numbers must be integers in [0, ${k})`,
          {
            stage: this.uid,
            column: foldCol,
            hint: 'fix the column or set numFolds to cover every fold number',
          },
        );
      }
    }
    const folds = foldsFromColumn(col, k);
    for (const [f, fold] of folds.entries()) {
      if (fold.validation.length === 0 || fold.train.length === 0) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: fold ${f} of foldCol '${foldCol}' is empty or holds every row`,
          {
            stage: this.uid,
            column: foldCol,
            hint: `every fold number 0..${k - 1} must appear, and no fold may hold all rows`,
          },
        );
      }
    }
    return folds;
  }

  protected async _fit(frame: Frame, ctx: FitContext): Promise<CrossValidatorModel> {
    const maps = this.getEstimatorParamMaps();
    const folds = this.folds(frame);
    const k = folds.length;
    const metrics = maps.map(() => new Float64Array(k));
    const collect = this.getCollectSubModels();
    const subModels: Model[][] | undefined = collect
      ? folds.map(() => new Array<Model>(maps.length))
      : undefined;
    let done = 0;
    await this.runSplits(frame, folds, ctx, (f, i, metric, model) => {
      metrics[i]![f] = metric;
      if (subModels && model) subModels[f]![i] = model;
      ctx.progress(++done, NaN, { fold: f, paramIndex: i, metric, trials: k * maps.length });
    });
    const avgMetrics: number[] = [];
    const stdMetrics: number[] = [];
    for (const m of metrics) {
      let s = 0;
      for (const v of m) s += v;
      const avg = s / k;
      let ss = 0;
      for (const v of m) ss += (v - avg) * (v - avg);
      avgMetrics.push(avg);
      // population std (ddof 0), as scikit-learn's std_test_score and Spark's stdMetrics
      stdMetrics.push(Math.sqrt(ss / k));
    }
    const best = this.bestIndex(avgMetrics);
    const bestModel = await this.getEstimator().fitWith(frame, { paramMap: maps[best], parentUid: ctx.uid });
    const model = new CrossValidatorModel(bestModel, avgMetrics, stdMetrics, subModels);
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

/** The result of CrossValidator.fit: the refitted best model and the metrics of every param map. */
export class CrossValidatorModel extends TunedModel {
  readonly numFolds = this.declare(numFoldsSpec);
  readonly foldCol = this.declare(foldColSpec);

  constructor(
    bestModel: Model,
    /** Average metric over the folds, one per param map (in estimatorParamMaps order). */
    readonly avgMetrics: readonly number[],
    /** Population standard deviation of the metric over the folds, one per param map. */
    readonly stdMetrics: readonly number[],
    /** subModels[fold][paramIndex] when collectSubModels was set. */
    readonly subModels?: readonly (readonly Model[])[],
  ) {
    super(bestModel);
  }

  protected get selectionMetrics(): readonly number[] {
    return this.avgMetrics;
  }
  protected writeMetrics(w: StageWriter): void {
    w.json('avgMetrics', this.avgMetrics);
    w.json('stdMetrics', this.stdMetrics);
  }
}

registerStage('CrossValidator', CrossValidator, async (r) => {
  const { estimator, evaluator, maps } = await readTuning(r);
  return new CrossValidator({ estimator, evaluator, estimatorParamMaps: maps });
});
registerStage('CrossValidatorModel', CrossValidatorModel, (r) =>
  loadTunedModel(
    r,
    (best) => new CrossValidatorModel(best, r.json<number[]>('avgMetrics'), r.json<number[]>('stdMetrics')),
  ),
);
