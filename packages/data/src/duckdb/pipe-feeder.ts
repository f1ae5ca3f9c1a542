// Writes a byte range of a file into a named pipe that a worker's DuckDB reads (io/parallel-csv.ts), on a
// thread of its own: its writes block while the pipe is full, which must stall neither the thread taking
// DuckDB's chunks nor libuv's pool (where the fetches run). Started from the main thread, not nested in a
// range worker: with nested feeders a process that had read a CSV in parallel sometimes never exited (see
// docs/decisions/0009-parallel-file-reads.md).
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const FEEDER = `
const { workerData: w } = require('node:worker_threads');
const fs = require('node:fs');
let inp, out;
try {
  out = fs.openSync(w.fifo, 'w');
  inp = fs.openSync(w.file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = w.from; pos < w.to; ) {
    const n = fs.readSync(inp, buf, 0, Math.min(buf.length, w.to - pos), pos);
    if (n <= 0) break;
    for (let k = 0; k < n; ) k += fs.writeSync(out, buf, k, n - k);
    pos += n;
  }
} catch {
  // the reader went away (an error on its side, which it reports)
} finally {
  if (inp !== undefined) fs.closeSync(inp);
  if (out !== undefined) fs.closeSync(out);
}
`;

export interface Feed {
  file: string;
  fifo: string;
  from: number;
  to: number;
}

export interface Feeder {
  /** Settles when the feeder thread has exited. */
  done: Promise<void>;
  /**
   * After a failed read: DuckDB may never have opened the pipe (the feeder then blocks in open) or may
   * have stopped reading (it blocks in write), so read the pipe here until the feeder has exited.
   */
  abort: () => Promise<void>;
}

/**
 * A feeder that ended without ever opening its pipe (it failed, or the pipe was gone) leaves the reader,
 * DuckDB in a range worker, waiting in open() for a writer that will not come. Opening the pipe for
 * writing without blocking succeeds only when a reader is there; closing it at once gives that reader an
 * end of file (the short read is then caught by the row count and the serial reader takes over). After a
 * feeder that wrote everything and closed, no reader waits (ENXIO) or the reader is draining what is
 * left, which an extra writer opened and closed without writing does not change.
 */
function releaseReader(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: no reader waiting; ENOENT: the pipe is gone
  }
}

export function startFeeder(feed: Feed): Feeder {
  const w = new Worker(FEEDER, { eval: true, workerData: feed });
  let exited = false;
  const done = new Promise<void>((resolve) => {
    w.once('exit', () => {
      exited = true;
      releaseReader(feed.fifo);
      resolve();
    });
  });
  const abort = async (): Promise<void> => {
    let fd: number | undefined;
    try {
      fd = openSync(feed.fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const buf = Buffer.allocUnsafe(1 << 16);
      while (!exited) {
        try {
          readSync(fd, buf, 0, buf.length, null);
        } catch {
          // EAGAIN: nothing written yet
        }
        await new Promise((r) => setImmediate(r));
      }
    } catch {
      // the pipe is gone: the feeder has failed on its own
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    await done;
  };
  return { done, abort };
}
