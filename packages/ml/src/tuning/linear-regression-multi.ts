/**
 * fitMultiple for LinearRegression: with the normal solver, a fit is one pass over the rows to build the
 * augmented Gram matrix [X 1 y]ᵀW[X 1 y] and then a p×p solve. The Gram matrix depends only on the columns
 * (features, label, weight), not on regParam, elasticNetParam, fitIntercept, standardization, maxIter or
 * tol, so a grid over those costs one pass per fold instead of one per (fold, map) — the trick glmnet's
 * regularisation path and scikit-learn's RidgeCV use. Each solve is the very function LinearRegression uses
 * (fitNormalFromGram on the same Gram), so the models are identical to one-by-one fits.
 */
import type { Frame } from '@cauce/frame';
import { augmentedGramParallel } from '../linalg/gram-parallel.js';
import type { ParamMap } from '../param/param.js';
import type { Estimator, Model } from '../pipeline/stage.js';
import { fitNormalFromGram } from '../regression/least-squares.js';
import { instances } from '../regression/instances.js';
import {
  LinearRegression,
  LinearRegressionModel,
  MAX_FEATURES_FOR_NORMAL_SOLVER,
} from '../regression/linear-regression.js';
import { MLError } from '../util/errors.js';
import { asFit, registerFitMultiple } from './fit-multiple.js';

async function linearFitMultiple(
  est: Estimator,
  frame: Frame,
  maps: readonly ParamMap[],
  parentUid: string,
): Promise<Model[] | undefined> {
  const copies = maps.map((m) => (est as LinearRegression).copy(m));
  const first = copies[0]!;
  const cols = {
    featuresCol: first.getFeaturesCol(),
    labelCol: first.getLabelCol(),
    weightCol: first.getWeightCol(),
  };
  const shareable = copies.every(
    (c) =>
      c.getFeaturesCol() === cols.featuresCol &&
      c.getLabelCol() === cols.labelCol &&
      c.getWeightCol() === cols.weightCol &&
      c.getLoss() === 'squaredError' &&
      (c.getSolver() === 'normal' || c.getSolver() === 'auto'),
  );
  if (!shareable || copies.length < 2) return undefined;
  for (const c of copies) c.transformSchema(frame.schema);
  const { x, y, w } = instances(first.uid, frame, cols);
  if (x.p > MAX_FEATURES_FOR_NORMAL_SOLVER) return undefined; // 'auto' picks l-bfgs; 'normal' fails one by one
  const gram = await augmentedGramParallel(x, y, w);
  const out: Model[] = [];
  for (const c of copies) {
    out.push(
      await asFit(c, frame, parentUid, () => {
        let fit;
        try {
          fit = fitNormalFromGram(gram, x.n, w, {
            regParam: c.getRegParam(),
            elasticNetParam: c.getElasticNetParam(),
            fitIntercept: c.getFitIntercept(),
            standardization: c.getStandardization(),
            maxIter: c.getMaxIter(),
            tol: c.getTol(),
          });
        } catch (e) {
          if (e instanceof RangeError) {
            throw new MLError('INVALID_DATA', `${c.uid}: ${e.message}`, { stage: c.uid, param: 'regParam' });
          }
          throw e;
        }
        const model = new LinearRegressionModel(fit.coefficients, fit.intercept, 1);
        model.setFeaturesCol(cols.featuresCol).setPredictionCol(c.getPredictionCol());
        return model;
      }),
    );
  }
  return out;
}

registerFitMultiple(LinearRegression, linearFitMultiple);
