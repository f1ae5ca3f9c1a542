#!/usr/bin/env node
// Runs every test file of the workspace with Node's own test runner, straight from the TypeScript
// sources (tsx, `--conditions=source` resolves @cauce/* to src/index.ts). Node's runner ends with
// `# tests N / # pass N / # fail N`; we add one plain summary line `N passed, N failed` as well.
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const files = walk(join(root, 'packages'), [])
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

const args = [
  '--conditions=source',
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${process.env.CAUCE_TEST_CONCURRENCY ?? '2'}`,
  '--test-timeout=300000',
  '--test-reporter=spec',
  ...files,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
let pass = 0;
let fail = 0;
let skipped = 0;
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('exit', (code, signal) => {
  const num = (re) => Number(re.exec(tail)?.[1] ?? 0);
  pass = num(/ℹ pass (\d+)/);
  fail = num(/ℹ fail (\d+)/);
  skipped = num(/ℹ skipped (\d+)/) + num(/ℹ todo (\d+)/);
  console.log(`\n${files.length} test files`);
  console.log(`${pass} passed, ${fail} failed, ${skipped} skipped`);
  process.exit(code ?? (signal ? 1 : 0));
});
