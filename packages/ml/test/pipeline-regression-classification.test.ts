// The README's pipeline example, run for real: string and numeric columns → StringIndexer → OneHotEncoder →
// VectorAssembler → LinearRegression / LogisticRegression, evaluated, saved as a PipelineModel and loaded back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '@cauce/frame';
import {
  BinaryClassificationEvaluator,
  LinearRegression,
  LogisticRegression,
  OneHotEncoder,
  Pipeline,
  PipelineModel,
  RegressionEvaluator,
  StringIndexer,
  VectorAssembler,
} from '@cauce/ml';

/** Seeded rows: two numeric features, a city with its own effect, a price and a 0/1 "sold" label. */
function houses(n: number, seed: number): Frame {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const cities = ['bogota', 'cali', 'medellin'];
  const effect = [30, -10, 5];
  const rows = Array.from({ length: n }, () => {
    const area = 40 + 100 * rand();
    const rooms = 1 + Math.floor(4 * rand());
    const c = Math.floor(3 * rand());
    const price = 2 * area + 15 * rooms + effect[c]! + 10 * (rand() - 0.5);
    return {
      area,
      rooms,
      city: cities[c]!,
      price,
      sold: rand() < 1 / (1 + Math.exp(-(price - 250) / 30)) ? 1 : 0,
    };
  });
  return Frame.fromRows(rows);
}

const stages = () => [
  new StringIndexer({ inputCol: 'city', outputCol: 'cityIndex' }),
  new OneHotEncoder({ inputCols: ['cityIndex'], outputCols: ['cityVec'] }),
  new VectorAssembler({ inputCols: ['area', 'rooms', 'cityVec'], outputCol: 'features' }),
];

describe('linear models inside a Pipeline', () => {
  const train = houses(400, 11);
  const test_ = houses(100, 12);

  test('LinearRegression: fit, evaluate, save → load gives the same predictions', async () => {
    const pipeline = new Pipeline({
      stages: [...stages(), new LinearRegression({ labelCol: 'price', regParam: 0.01 })],
    });
    const model = await pipeline.fit(train);
    const scored = await model.transform(test_);
    const rmse = new RegressionEvaluator({ labelCol: 'price', metricName: 'rmse' }).evaluate(scored);
    assert.ok(rmse > 1 && rmse < 5, `rmse ${rmse} near the noise level (≈2.9)`);
    const dir = await mkdtemp(join(tmpdir(), 'cauce-linear-'));
    try {
      await model.save(join(dir, 'model'));
      const loaded = await PipelineModel.load(join(dir, 'model'));
      const again = await loaded.transform(test_);
      assert.deepEqual(again.float64('prediction'), scored.float64('prediction'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('LogisticRegression: areaUnderROC from the evaluator equals the model summary on the same data', async () => {
    const pipeline = new Pipeline({
      stages: [...stages(), new LogisticRegression({ labelCol: 'sold', regParam: 0.01 })],
    });
    const model = await pipeline.fit(train);
    const scored = await model.transform(train);
    const auc = new BinaryClassificationEvaluator({ labelCol: 'sold', numBins: 0 }).evaluate(scored);
    const lr = model.stages.at(-1) as unknown as { binarySummary: { areaUnderROC: number } };
    assert.ok(
      Math.abs(auc - lr.binarySummary.areaUnderROC) < 1e-9,
      `${auc} vs ${lr.binarySummary.areaUnderROC}`,
    );
    assert.ok(auc > 0.8);
  });
});
