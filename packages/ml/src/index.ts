// @cauce/ml — Spark-ML-style pipelines, feature stages, models and evaluators (pure TypeScript).
export const PACKAGE = '@cauce/ml';

// errors, params
export { MLError, showValue } from './util/errors.js';
export type { MLErrorCode, MLErrorDetails } from './util/errors.js';
export { CAUCE_VERSION } from './util/version.js';
export { lowerThreadPriority, startModuleWorker } from './util/worker.js';
export { Param, ParamMap, Params, capitalize, stringParamValues } from './param/param.js';
export type { ParamSpec, ParamType, ParamOwner } from './param/param.js';
export {
  gt,
  gtEq,
  lt,
  ltEq,
  inRange,
  inArray,
  arrayLengthGt,
  every,
  strictlyIncreasing,
  nonEmptyString,
  and,
  custom,
} from './param/validators.js';
export type { Validator } from './param/validators.js';
export * as sharedParams from './param/shared.js';

// schema checks
export { requireColumn, appendColumn, findField, requireSameLength } from './util/schema.js';
export type { Schema, Accept } from './util/schema.js';

// pipeline
export { PipelineStage, Transformer, Estimator, Model } from './pipeline/stage.js';
export type { FitContext, FitOptions } from './pipeline/stage.js';
export { Pipeline, PipelineModel } from './pipeline/pipeline.js';
export { mlEvents } from './pipeline/events.js';
export type {
  MLEvent,
  MLEventType,
  MLEvents,
  FitStartedEvent,
  FitProgressEvent,
  FitFinishedEvent,
  FitFailedEvent,
  EvaluatedEvent,
  ValidationScoredEvent,
} from './pipeline/events.js';

// save / load
export { saveStage, loadStage } from './io/fs.js';
export type { SaveOptions } from './io/fs.js';
export {
  StageWriter,
  StageReader,
  encodeStage,
  decodeStage,
  FORMAT_VERSION,
  FORMAT_NAME,
  fnv1a,
} from './io/format.js';
export type { Bundle, StageMetadata, ArrayEntry, JsonValue } from './io/format.js';
export { registerStage, registeredStages, classNameOf, stageClass } from './io/registry.js';
export type { StageLoader } from './io/registry.js';

// regression, classification (H3b)
export {
  LinearRegression,
  LinearRegressionModel,
  MAX_FEATURES_FOR_NORMAL_SOLVER,
} from './regression/linear-regression.js';
export type { LinearRegressionParams } from './regression/linear-regression.js';
export { LinearRegressionSummary } from './regression/linear-regression-summary.js';
export { LogisticRegression, LogisticRegressionModel } from './classification/logistic-regression.js';
export type { LogisticRegressionParams } from './classification/logistic-regression.js';
export {
  LogisticRegressionSummary,
  BinaryLogisticRegressionSummary,
} from './classification/logistic-regression-summary.js';

// tree (H4)
export {
  DecisionTreeClassifier,
  DecisionTreeClassificationModel,
  DecisionTreeRegressor,
  DecisionTreeRegressionModel,
} from './tree/decision-tree.js';
export {
  RandomForestClassifier,
  RandomForestClassificationModel,
  RandomForestRegressor,
  RandomForestRegressionModel,
} from './tree/random-forest.js';
export type { RandomForestParams } from './tree/random-forest.js';
export { GBTClassifier, GBTClassificationModel, GBTRegressor, GBTRegressionModel } from './tree/gbt.js';
export type { GBTParams } from './tree/gbt.js';
export { XGBoostClassifier, XGBoostRegressor } from './tree/xgboost.js';
export {
  XGBoostClassificationModel,
  XGBoostRegressionModel,
  XGBoostModelBase,
  loadXGBoostJson,
} from './tree/xgboost-model.js';
export type { XGBoostParams, XGBoostClassifierParams } from './tree/xgboost.js';
export {
  TreeEnsembleModelBase,
  TreeClassificationModelBase,
  TreeRegressionModelBase,
} from './tree/tree-model.js';
export type { TreeEstimatorParams, TreeClassifierParams } from './tree/tree-estimator.js';
export type { Tree } from './tree/kernels/tree.js';
export { setTreeThreads, treeThreads } from './tree/kernels/parallel.js';
export { setParallelPrediction } from './tree/kernels/predict-parallel.js';

// tuning (H8)
export { ParamGridBuilder } from './tuning/param-grid-builder.js';
export { CrossValidator, CrossValidatorModel } from './tuning/cross-validator.js';
export type { CrossValidatorParams } from './tuning/cross-validator.js';
export { TrainValidationSplit, TrainValidationSplitModel } from './tuning/train-validation-split.js';
export type { TrainValidationSplitParams } from './tuning/train-validation-split.js';
export {
  registerEvaluator,
  registeredEvaluators,
  evaluatorClass,
  isTuningEvaluator,
  metricNameOf,
} from './tuning/evaluator-ref.js';
export type { TuningEvaluator } from './tuning/evaluator-ref.js';
export { kFold, trainValidationSplit } from './tuning/folds.js';
export type { Fold } from './tuning/folds.js';
export { VALIDATION_SAMPLE_ROWS } from './tuning/validation-sample.js';

// feature stages
export { StringIndexer, StringIndexerModel } from './feature/string-indexer.js';
export type {
  StringIndexerParams,
  StringOrderType,
  StringIndexerHandleInvalid,
} from './feature/string-indexer.js';
export { OneHotEncoder, OneHotEncoderModel } from './feature/one-hot-encoder.js';
export type { OneHotEncoderParams, OneHotHandleInvalid } from './feature/one-hot-encoder.js';
export { VectorAssembler } from './feature/vector-assembler.js';
export type { VectorAssemblerParams, VectorAssemblerHandleInvalid } from './feature/vector-assembler.js';
export { Imputer, ImputerModel } from './feature/imputer.js';
export type { ImputerParams, ImputerStrategy } from './feature/imputer.js';
export { StandardScaler, StandardScalerModel } from './feature/standard-scaler.js';
export type { StandardScalerParams } from './feature/standard-scaler.js';
export { MinMaxScaler, MinMaxScalerModel } from './feature/min-max-scaler.js';
export type { MinMaxScalerParams } from './feature/min-max-scaler.js';
export { MaxAbsScaler, MaxAbsScalerModel } from './feature/max-abs-scaler.js';
export type { MaxAbsScalerParams } from './feature/max-abs-scaler.js';
export { Normalizer } from './feature/normalizer.js';
export type { NormalizerParams } from './feature/normalizer.js';
export { Bucketizer } from './feature/bucketizer.js';
export type { BucketizerParams, BucketizerHandleInvalid } from './feature/bucketizer.js';
export { QuantileDiscretizer } from './feature/quantile-discretizer.js';
export type { QuantileDiscretizerParams } from './feature/quantile-discretizer.js';
export { PCA, PCAModel } from './feature/pca.js';
export type { PCAParams } from './feature/pca.js';
export { PolynomialExpansion } from './feature/polynomial-expansion.js';
export type { PolynomialExpansionParams } from './feature/polynomial-expansion.js';
export { Interaction } from './feature/interaction.js';
export type { InteractionParams } from './feature/interaction.js';
export { VectorSlicer } from './feature/vector-slicer.js';
export type { VectorSlicerParams } from './feature/vector-slicer.js';
export { Binarizer } from './feature/binarizer.js';
export type { BinarizerParams } from './feature/binarizer.js';
export { ElementwiseProduct } from './feature/elementwise-product.js';
export type { ElementwiseProductParams } from './feature/elementwise-product.js';
export { IndexToString } from './feature/index-to-string.js';
export type { IndexToStringParams } from './feature/index-to-string.js';
export {
  VarianceThresholdSelector,
  VarianceThresholdSelectorModel,
} from './feature/variance-threshold-selector.js';
export type { VarianceThresholdSelectorParams } from './feature/variance-threshold-selector.js';
export { RFormula, RFormulaModel } from './feature/r-formula.js';
export type { RFormulaParams, RFormulaHandleInvalid } from './feature/r-formula.js';
export {
  UnivariateFeatureSelector,
  UnivariateFeatureSelectorModel,
  univariateTest,
  selectByMode,
} from './feature/univariate-feature-selector.js';
export type {
  UnivariateFeatureSelectorParams,
  FeatureKind,
  SelectionMode,
  UnivariateTestResult,
} from './feature/univariate-feature-selector.js';
export { ChiSqSelector, ChiSqSelectorModel } from './feature/chi-sq-selector.js';
export type { ChiSqSelectorParams } from './feature/chi-sq-selector.js';
export { VectorIndexer, VectorIndexerModel } from './feature/vector-indexer.js';
export type { VectorIndexerParams, VectorIndexerHandleInvalid } from './feature/vector-indexer.js';

// evaluation
export { Evaluator } from './evaluation/evaluator.js';
export { RegressionEvaluator, regressionMetrics } from './evaluation/regression-evaluator.js';
export type { RegressionEvaluatorParams, RegressionMetric } from './evaluation/regression-evaluator.js';
export { BinaryClassificationEvaluator } from './evaluation/binary-classification-evaluator.js';
export type {
  BinaryClassificationEvaluatorParams,
  BinaryMetric,
} from './evaluation/binary-classification-evaluator.js';
export { binaryCurves, rocCurve, prCurve, areaUnderROC, areaUnderPR } from './evaluation/binary-metrics.js';
export type { BinaryCurves } from './evaluation/binary-metrics.js';
export { MulticlassClassificationEvaluator } from './evaluation/multiclass-classification-evaluator.js';
export type {
  MulticlassClassificationEvaluatorParams,
  MulticlassMetric,
} from './evaluation/multiclass-classification-evaluator.js';
export { MulticlassMetrics, confusionMatrixOf } from './evaluation/multiclass-metrics.js';
export type { ConfusionMatrix } from './evaluation/multiclass-metrics.js';
