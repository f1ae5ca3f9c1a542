import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// The published shape: a plain `node` (no `source` condition) resolves @cauce/frame and @cauce/data to
// their built dist/ (made by `tsc -b`, which `npm test` runs first).
test('the built packages load and work without the source condition', () => {
  const script = `
    const { Frame } = await import('@cauce/frame');
    const { sql, describeFrameParallel } = await import('@cauce/data');
    const f = Frame.fromColumns({ k: ['a', 'b', 'a'], v: [1, 2, 3] });
    const r = await sql('SELECT k, sum(v) AS s FROM f GROUP BY k ORDER BY k', { f });
    // The EDA worker pool starts from the compiled worker file.
    const big = Frame.fromColumns({ x: Float64Array.from({ length: 60000 }, (_, i) => i), y: Float64Array.from({ length: 60000 }, (_, i) => i % 7) });
    const d = await describeFrameParallel(big);
    if (d.columns[0].distinct !== 60000 || d.columns[1].distinct !== 7) throw new Error('worker stats wrong');
    console.log(JSON.stringify(r.toRows()));
  `;
  const root = new URL('../../../', import.meta.url).pathname;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), [
    { k: 'a', s: 4 },
    { k: 'b', s: 2 },
  ]);
});
