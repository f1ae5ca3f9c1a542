/**
 * A throwaway PostgreSQL cluster for tests: initdb into a fresh temp dir (as the `postgres` user,
 * since initdb refuses root), a free loopback port, pg_ctl start, createdb; `stop()` shuts it down
 * and removes the directory. Needs Debian's `postgresql` package; without it the suite FAILS with
 * the command to install it (a database test that silently skips is worse than a red one).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_BIN_CANDIDATES = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
];

export interface TestPostgres {
  url: string;
  port: number;
  dir: string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

function run(cmd: string, args: string[], asPostgres: boolean): void {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] =
    asPostgres && isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = PG_BIN_CANDIDATES.find((d) => existsSync(join(d, 'initdb')));
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries (initdb) not found. Install them with `apt-get install -y postgresql` ' +
        '(the tracking-store tests run against a real PostgreSQL they start themselves).',
    );
  }
  const isRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'cauce-pg-'));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const data = join(dir, 'data');
  try {
    run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale'],
      true,
    );
    run(
      join(bin, 'pg_ctl'),
      [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '30',
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
        'start',
      ],
      true,
    );
    run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'cauce'], false);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`could not start a test PostgreSQL: ${e.stderr?.toString() || e.message}`);
  }
  let stopped = false;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/cauce`,
    port,
    dir,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
