import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlEvents } from '@cauce/ml';
import { tuneProgress } from './progress.js';

/** What a CrossValidator reports after each trial (see CrossValidator._fit). */
function trial(uid: string, done: number, paramIndex: number, metric: number): void {
  mlEvents.emit({
    type: 'fitProgress',
    uid,
    className: 'CrossValidator',
    iteration: done,
    loss: NaN,
    metrics: { fold: 0, paramIndex, metric, trials: 4 },
  });
}

test('plain progress lines: the start, the first trial, the last, and the best average so far', () => {
  const lines: string[] = [];
  const p = tuneProgress(
    { enabled: true, tty: false, lineIntervalMs: 60_000, write: (l) => lines.push(l) },
    { validatorUid: 'CV_1', totalTrials: 4, metricName: 'rmse', larger: false },
  );
  trial('CV_1', 1, 0, 3);
  trial('CV_2', 1, 0, 0.001); // another validator's trial is not ours
  trial('CV_1', 2, 1, 2);
  trial('CV_1', 3, 0, 1); // map 0 averages (3 + 1) / 2 = 2, map 1 is 2: best 2
  trial('CV_1', 4, 1, 4); // map 1 averages 3: best stays map 0's 2
  p.stop();
  assert.equal(lines.length, 3, lines.join(''));
  assert.match(lines[0]!, /^tuning \| trial 0\/4 \| best rmse - \| elapsed [\d.]+s \| ETA -\n$/);
  assert.match(lines[1]!, /^tuning \| trial 1\/4 \| best rmse 3 \|/);
  assert.match(lines[2]!, /^refit best \| trial 4\/4 \| best rmse 2 \| elapsed [\d.]+s \| ETA -\n$/);
  // after stop() nothing is listening any more
  trial('CV_1', 5, 0, 0);
  assert.equal(lines.length, 3);
});

test('larger-is-better metrics keep the largest average; disabled progress prints nothing', () => {
  const lines: string[] = [];
  const p = tuneProgress(
    { enabled: true, tty: false, lineIntervalMs: 0, write: (l) => lines.push(l) },
    { validatorUid: 'TVS_1', totalTrials: 2, metricName: 'r2', larger: true },
  );
  trial('TVS_1', 1, 0, 0.5);
  trial('TVS_1', 2, 1, 0.75);
  p.stop();
  assert.match(lines.at(-1)!, /best r2 0\.75/);
  const quiet: string[] = [];
  const q = tuneProgress(
    { enabled: false, tty: false, write: (l) => quiet.push(l) },
    { validatorUid: 'TVS_2', totalTrials: 1, metricName: 'r2', larger: true },
  );
  trial('TVS_2', 1, 0, 0.5);
  q.stop();
  assert.deepEqual(quiet, []);
});
