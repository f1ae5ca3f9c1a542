/**
 * Data and helpers for the `cauce train` / `cauce tune` tests: a seeded regression CSV written into a temp
 * dir, spec files written there, and the real `cauce` binary spawned from source.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '@cauce/server';

/** A real tracking server on a free loopback port, its SQLite file and artifacts under `dir`. */
export function startTrackingServer(dir: string): ReturnType<typeof startServer> {
  return startServer({
    host: '127.0.0.1',
    port: 0,
    backendStoreUri: `sqlite:///${join(dir, 'mlflow.db')}`,
    artifactsDestination: join(dir, 'artifacts'),
  });
}

/** mulberry32, so the data is the same on every run. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** y ≈ 3·x1 − 2·x2 + 0.5·x3 + a group offset + noise; `group` is a string column, `flag` 0/1. */
export function writeRegressionCsv(file: string, rows: number, seed = 11): void {
  const r = rng(seed);
  const offsets: Record<string, number> = { a: 0, b: 4, c: -3 };
  const groups = Object.keys(offsets);
  const lines = ['x1,x2,x3,group,flag,y'];
  for (let i = 0; i < rows; i++) {
    const x1 = r() * 10;
    const x2 = r() * 5;
    const x3 = r() * 20 - 10;
    const g = groups[Math.floor(r() * groups.length)]!;
    const noise = (r() + r() + r() - 1.5) * 4;
    const y = 3 * x1 - 2 * x2 + 0.5 * x3 + offsets[g]! + noise;
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${x3.toFixed(4)},${g},${y > 8 ? 1 : 0},${y.toFixed(4)}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

export function writeSpec(dir: string, name: string, spec: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2));
  return file;
}

const main = new URL('../../src/main.ts', import.meta.url).pathname;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `cauce` binary, spawned from source (stderr is a pipe, so progress prints plain lines). */
export function cauce(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base.MLFLOW_TRACKING_URI;
    delete base.MLFLOW_EXPERIMENT_ID;
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...base, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
