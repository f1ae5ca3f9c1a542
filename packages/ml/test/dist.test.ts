import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// The published shape: plain `node` (no `source` condition) resolves @cauce/ml and @cauce/frame to their
// built dist/ (made by `tsc -b`, which `npm test` runs first): fit, save, load and score a pipeline.
test('the built @cauce/ml fits, saves and loads a pipeline without the source condition', () => {
  const script = `
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { Frame } = await import('@cauce/frame');
    const ml = await import('@cauce/ml');
    const f = Frame.fromColumns({ c: ['a', 'b', 'a', 'c'], x: [1, 2, 3, 4] });
    const p = new ml.Pipeline().setStages([
      new ml.StringIndexer({ inputCol: 'c', outputCol: 'ci' }),
      new ml.OneHotEncoder({ inputCol: 'ci', outputCol: 'cv' }),
      new ml.VectorAssembler({ inputCols: ['x', 'cv'], outputCol: 'features' }),
    ]);
    const m = await p.fit(f);
    const dir = mkdtempSync(join(tmpdir(), 'cauce-ml-dist-'));
    try {
      await m.save(join(dir, 'm'));
      const back = await ml.PipelineModel.load(join(dir, 'm'));
      console.log(JSON.stringify(Array.from((await back.transform(f)).vectors('features').values)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  `;
  const root = new URL('../../../', import.meta.url).pathname;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), [1, 1, 0, 2, 0, 1, 3, 1, 0, 4, 0, 0]);
});
