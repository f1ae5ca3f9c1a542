// CSV → frame on several cores. DuckDB parses a CSV on 2 threads at ~1.2 s CPU for reg_1m.csv (1M × 24,
// 206 MB), but a streaming result hands chunks to one JS thread, and with the small result buffer the
// memory target needs (2 MB, io/source.ts) the scan waits for JS most of the time: 1.8 s wall for ~2.0 s
// CPU on an idle 2-core machine. Tried and dropped: a 64 MB result buffer (1.5 s, but 2.08× memory) and
// COPY to a temporary Parquet file then the parallel Parquet reader (the Parquet encode alone took 2.4 s
// CPU, uncompressed). `skip = N` does not help either: DuckDB still parses the skipped rows (the second
// half of the file cost as much as all of it).
//
// Here the file is cut at line ends into one byte range per worker (range-worker.ts). Each worker counts
// its lines, then its one-thread DuckDB parses its range from a named pipe that a feeder thread fills,
// with the sniffed dialect and column types of the whole file (header off), writing straight into
// SharedArrayBuffer columns at the range's row offset. Cutting at a newline is only safe when no field
// can contain one: the quote character (if the dialect has one) must not occur in the file at all, which
// the counting pass checks. Anything else — a quote in the file, a row count that differs from the line
// count (blank lines, a malformed row), a worker error, no `mkfifo` — returns undefined and the caller
// reads serially, so errors and --on-error skip reports stay exactly those of the serial reader.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '@cauce/frame';
import { quoteLiteral } from '../duckdb/instance.js';
import { rangeWorkers, readRanges, runJob, workerKind, type RangeRead } from '../duckdb/parallel-read.js';
import { projectionSql, type ColumnPlan } from '../duckdb/result-to-frame.js';

/** Smaller files read serially (starting the workers' scans would cost more than it saves). */
export const PARALLEL_CSV_MIN_BYTES = 16 * 1024 * 1024;

/** The offset just past the first newline at or after `from`, or -1 when none follows within 1 MB. */
function lineStartAfter(fd: number, from: number, size: number): number {
  const buf = Buffer.allocUnsafe(1 << 20);
  const n = readSync(fd, buf, 0, Math.min(buf.length, size - from), from);
  const i = buf.subarray(0, n).indexOf(10);
  return i < 0 ? -1 : from + i + 1;
}

/** Byte ranges of about equal size that start at line starts, after the header line when there is one. */
export function splitLines(
  file: string,
  parts: number,
  header: boolean,
): { from: number; to: number }[] | undefined {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const first = header ? lineStartAfter(fd, 0, size) : 0;
    if (first < 0) return undefined;
    const cuts = [first];
    for (let k = 1; k < parts; k++) {
      const at = lineStartAfter(fd, first + Math.floor(((size - first) * k) / parts), size);
      if (at < 0 || at <= cuts[cuts.length - 1]! || at >= size) return undefined;
      cuts.push(at);
    }
    cuts.push(size);
    return cuts.slice(0, -1).map((from, k) => ({ from, to: cuts[k + 1]! }));
  } finally {
    closeSync(fd);
  }
}

/** The value of `key` in a sniffed `read_csv(...)` call (`key='x'` or `key=x`), or undefined. */
function option(call: string, key: string): string | undefined {
  const m = new RegExp(`[(,]\\s*${key}\\s*=\\s*('(?:[^']|'')*'|[^,)\\s]+)`, 'i').exec(call);
  if (m === null) return undefined;
  const v = m[1]!;
  return v.startsWith("'") ? v.slice(1, -1).replaceAll("''", "'") : v;
}

/**
 * Reads one CSV file in parallel into a frame with the columns of `plans` (planned over `query`, which
 * must contain `call`, the explicit reader `preparedReaderCall` built from the sniffer, exactly once).
 * Returns undefined when the parallel path does not apply or fails; the caller then reads serially.
 */
export async function parallelCsvFrame(
  file: string,
  call: string,
  query: string,
  plans: readonly ColumnPlan[],
  minBytes = PARALLEL_CSV_MIN_BYTES,
): Promise<Frame | undefined> {
  const parts = rangeWorkers();
  if (parts === 0 || query.split(call).length !== 2 || plans.some((p) => workerKind(p) === undefined)) {
    return undefined;
  }
  if (/\.(gz|zst)$/i.test(file) || statSync(file).size < minBytes) return undefined;
  const lead = quoteLiteral(file);
  // Only a fully explicit reader (dialect and columns from the sniffer, nothing skipped) can be re-aimed.
  if (!call.startsWith(`read_csv(${lead}`) || option(call, 'auto_detect') !== 'false') return undefined;
  if (option(call, 'skip') !== '0' || option(call, 'columns') === undefined) return undefined;
  const header = option(call, 'header');
  if (header !== 'true' && header !== 'false') return undefined;
  const quote = option(call, 'quote') ?? '"';
  if (Buffer.byteLength(quote) > 1) return undefined;

  const ranges = splitLines(file, parts, header === 'true');
  if (ranges === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cauce-csv-'));
  try {
    let counts;
    try {
      counts = await Promise.all(
        ranges.map((r, k) =>
          runJob(k, {
            type: 'count',
            file,
            from: r.from,
            to: r.to,
            atEnd: k === ranges.length - 1,
            quote: quote === '' ? -1 : quote.charCodeAt(0),
          }),
        ),
      );
    } catch {
      return undefined;
    }
    if (counts.some((c) => c.quoted === true || c.lines === undefined)) return undefined;
    const fifos = ranges.map((_, k) => join(dir, `part-${k}.csv`));
    if (spawnSync('mkfifo', fifos).status !== 0) return undefined;

    const reads: RangeRead[] = [];
    let start = 0;
    ranges.forEach((r, k) => {
      const rows = counts[k]!.lines!;
      const rangeCall = call
        .replace(lead, quoteLiteral(fifos[k]!))
        .replace(/([(,]\s*header\s*=\s*)true/i, '$1false')
        .replace(/,\s*store_rejects\s*=\s*true/i, '');
      reads.push({
        start,
        rows,
        sql: projectionSql(
          plans,
          query.replace(call, () => rangeCall),
        ),
        feed: { file, fifo: fifos[k]!, from: r.from, to: r.to },
      });
      start += rows;
    });
    try {
      return await readRanges(plans, plans, reads, start, new Map());
    } catch {
      return undefined;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
