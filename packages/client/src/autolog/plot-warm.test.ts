// autolog() starts its plot threads (a Vega each, ~75 MB of memory) only when it will draw: with logPlots false the
// process gets the logging thread and nothing more. Counted as OS threads of a fresh process.
// (Before, the logging thread started a plot thread whatever the options.)
// (Before this, the logging thread started a plot thread whatever the options.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const root = new URL('../../../../', import.meta.url).pathname;

/** OS threads a fresh process gains in the 4 s after `autolog(options)`. */
function threadsAdded(options: string): number {
  const script = `
    const { readdirSync, readFileSync } = await import('node:fs');
    const { autolog, setTrackingUri } = await import('@cauce/client');
    const count = () => readdirSync('/proc/self/task').length;
    readFileSync('/proc/self/status'); // the libuv pool and loaders settle first
    await new Promise((r) => setTimeout(r, 1500));
    const before = count();
    setTrackingUri('http://127.0.0.1:9');
    autolog(${options});
    await new Promise((r) => setTimeout(r, 4000));
    console.log(count() - before);
    process.exit(0);
  `;
  const res = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(res.status, 0, res.stderr);
  return Number(res.stdout.trim().split('\n').at(-1));
}

test(
  'plot threads start with autolog() only when it draws',
  { skip: process.platform !== 'linux' && 'counts threads in /proc' },
  () => {
    const without = threadsAdded('{ logPlots: false }');
    const withPlots = threadsAdded('{}');
    // `without` is one worker's threads (the logging thread, and tsx's loader thread when run from the
    // sources); with plots at least one more worker of the same kind runs
    assert.ok(without >= 1, `the logging thread started: ${without}`);
    assert.ok(
      withPlots >= 2 * without,
      `plot threads started: ${withPlots} threads vs ${without} without plots`,
    );
  },
);
