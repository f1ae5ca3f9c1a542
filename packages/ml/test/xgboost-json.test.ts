import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Frame, vectorColumn } from '@cauce/frame';
import {
  MLError,
  XGBoostClassificationModel,
  XGBoostRegressionModel,
  XGBoostRegressor,
  loadXGBoostJson,
} from '@cauce/ml';
import { makeData, toFrame } from './tree-data.js';

interface Fixture {
  name: string;
  objective: string;
  model: object;
  x: Array<Array<number | null>>;
  pred: number[];
  margin: number[];
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/xgb_models.json', import.meta.url), 'utf8')) as {
  models: Fixture[];
};

function matrix(rows: Array<Array<number | null>>) {
  const p = rows[0]!.length;
  const data = new Float64Array(rows.length * p);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * p + j] = v === null ? NaN : v)));
  return { data, nRows: rows.length, nCols: p };
}

// XGBoost accumulates in float32, so its outputs carry ~1e-7 relative rounding; 1e-6 relative is the bar.
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `row ${i}: ${a[i]} vs ${b[i]}`);
  }
}

describe('XGBoost JSON models', () => {
  for (const f of fixtures.models) {
    test(`a ${f.objective} model saved by XGBoost predicts XGBoost's numbers`, () => {
      const m = loadXGBoostJson(f.model);
      const x = matrix(f.x);
      close(m.predictMargin(x), f.margin);
      close(m.predictMatrix(x), f.pred);
    });
    test(`${f.objective}: export → import gives identical predictions`, () => {
      const m = loadXGBoostJson(f.model);
      const again = loadXGBoostJson(m.toXGBoostJson());
      const x = matrix(f.x);
      assert.deepEqual(Array.from(again.predictMatrix(x)), Array.from(m.predictMatrix(x)));
    });
  }

  test('a classification model transforms a frame into rawPrediction, probability and prediction', async () => {
    const f = fixtures.models.find((m) => m.objective === 'multi:softprob')!;
    const m = XGBoostClassificationModel.fromXGBoostJson(JSON.stringify(f.model));
    const x = matrix(f.x);
    const out = await m.transform(Frame.fromColumns({ features: vectorColumn(x.nCols, x.data) }));
    const prob = out.vectors('probability');
    assert.equal(prob.size, 3);
    close(prob.values, f.pred);
    const pred = out.float64('prediction');
    for (let i = 0; i < x.nRows; i++) {
      const row = f.pred.slice(i * 3, i * 3 + 3);
      assert.equal(pred[i], row.indexOf(Math.max(...row)));
    }
  });

  test('our trained booster exported as XGBoost JSON predicts the same numbers after import', async () => {
    const d = makeData(5, 400, 5, 'regression', 0.1);
    const model = await new XGBoostRegressor({ num_round: 8, max_depth: 3 }).fit(toFrame(d));
    const x = { data: d.x, nRows: d.n, nCols: d.p };
    const back = XGBoostRegressionModel.fromXGBoostJson(model.toXGBoostJson());
    // Export rounds leaves, base score and thresholds to float32, as XGBoost stores them.
    close(back.predictMatrix(x), model.predictMatrix(x), 1e-5);
  });

  test('bad JSON models are LOAD_ERRORs that say what is wrong', () => {
    const bad: Array<[unknown, string]> = [
      ['{', 'not valid JSON'],
      ['{"foo": 1}', "missing 'learner'"],
      [
        JSON.stringify({ learner: { objective: { name: 'rank:pairwise' } } }),
        'objective "rank:pairwise" is not supported',
      ],
    ];
    for (const [text, msg] of bad) {
      assert.throws(
        () => loadXGBoostJson(text as string),
        (e: unknown) => e instanceof MLError && e.code === 'LOAD_ERROR' && e.message.includes(msg),
      );
    }
    const reg = fixtures.models.find((m) => m.objective === 'reg:squarederror')!;
    assert.throws(() => XGBoostClassificationModel.fromXGBoostJson(reg.model), /XGBoostRegressionModel/);
    const broken = structuredClone(reg.model) as {
      learner: { gradient_booster: { model: { trees: Array<{ left_children: number[] }> } } };
    };
    broken.learner.gradient_booster.model.trees[0]!.left_children = [1];
    assert.throws(() => loadXGBoostJson(broken), /left_children must be an array of/);
  });
});
