/**
 * The library's evaluators, registered so that saved CrossValidator / TrainValidationSplit (models)
 * can restore them. Imported for its effect by validator-params.ts.
 */
import { BinaryClassificationEvaluator } from '../evaluation/binary-classification-evaluator.js';
import { MulticlassClassificationEvaluator } from '../evaluation/multiclass-classification-evaluator.js';
import { RegressionEvaluator } from '../evaluation/regression-evaluator.js';
import { registerEvaluator } from './evaluator-ref.js';

registerEvaluator('RegressionEvaluator', RegressionEvaluator);
registerEvaluator('BinaryClassificationEvaluator', BinaryClassificationEvaluator);
registerEvaluator('MulticlassClassificationEvaluator', MulticlassClassificationEvaluator);
