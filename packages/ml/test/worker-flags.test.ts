import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { startModuleWorker, workerExecArgv } from '../src/util/worker.js';

// Every worker of Cauce (trees, prediction, tuning trials, EDA, autolog's logging thread) starts through
// startModuleWorker. A user who runs `node --max-old-space-size=8192 train.js` (common with large frames)
// or a script with --expose-gc must still get them: an explicit worker execArgv refuses V8 flags.
const root = new URL('../../../', import.meta.url).pathname;
const support = new URL('./support/', import.meta.url).href;
const script = `
  const { startModuleWorker } = await import('@cauce/ml');
  const w = startModuleWorker(${JSON.stringify(`${support}x.ts`)}, 'echo-worker');
  const m = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await w.terminate();
  console.log(JSON.stringify(m));
`;

function run(flags: string[], asEval: boolean): { ok: boolean; execArgv: string[] } {
  const file = `${root}node_modules/.cache-worker-flags-${process.pid}.mts`;
  const args = asEval
    ? [...flags, '--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script]
    : [...flags, '--conditions=source', '--import', 'tsx', file];
  if (!asEval) spawnSync('sh', ['-c', `cat > '${file}'`], { input: script });
  try {
    const res = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.status, 0, res.stderr);
    return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { ok: boolean; execArgv: string[] };
  } finally {
    if (!asEval) spawnSync('rm', ['-f', file]);
  }
}

test('workers start under V8 flags (--max-old-space-size, --expose-gc), from a file and from node -e', () => {
  for (const asEval of [false, true]) {
    const m = run(['--max-old-space-size=3072', '--expose-gc'], asEval);
    assert.equal(m.ok, true);
    // the worker keeps the loader flags it needs
    assert.ok(m.execArgv.includes('--conditions=source'), JSON.stringify(m.execArgv));
  }
});

test('workerExecArgv inherits unless --input-type must go, and drops the -e script with it', () => {
  assert.equal(workerExecArgv(['--conditions=source', '--max-old-space-size=100']), undefined);
  assert.deepEqual(
    workerExecArgv(['--input-type=module', '--max-old-space-size=100', '-e', 'code()', '--import', 'tsx']),
    ['--max-old-space-size=100', '--import', 'tsx'],
  );
  assert.deepEqual(workerExecArgv(['--input-type', 'module', '--eval', 'x']), []);
});

test('lowerThreadPriority lowers the calling thread only (Linux thread nice value)', async () => {
  const before = os.getPriority();
  const w = startModuleWorker(`${support}x.ts`, 'nice-worker', { workerData: 7 });
  const m = await new Promise<{ applied: boolean; tid: number; nice: number }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  assert.equal(m.applied, true);
  assert.notEqual(m.tid, process.pid, 'a thread of its own');
  assert.equal(m.nice, Math.max(before, 7));
  assert.equal(os.getPriority(), before, 'the process (main thread) keeps its priority');
});
