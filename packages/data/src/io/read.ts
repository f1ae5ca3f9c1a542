import type { DuckDBConnection } from '@duckdb/node-api';
import type { Frame } from '@cauce/frame';
import { DataError } from '../errors.js';
import { openConnection, quoteIdent, quoteLiteral, sqlError, withConnection } from '../duckdb/instance.js';
import { asEnums, planQuery, queryBatches, queryFrame } from '../duckdb/result-to-frame.js';
import { parallelParquetFrame, rangeWorkers, warmRangeWorkers } from '../duckdb/parallel-read.js';
import { parallelCsvFrame, PARALLEL_CSV_MIN_BYTES } from './parallel-csv.js';
import { applyCasts } from './cast.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import {
  CSV_STREAMING_BUFFER,
  detectFormat,
  isGlob,
  preparedReaderCall,
  readerCall,
  resolvePath,
  type SourceOptions,
} from './source.js';

export interface ReadOptions extends SourceOptions {
  /** `{ column: type }` casts, e.g. `{ valor_del_contrato: 'double', fecha_de_firma: 'timestamp' }`. */
  cast?: Record<string, string>;
}

/** A row a CSV read left out. Lines are 1-based, as an editor shows them. */
export interface RejectedRow {
  file: string;
  line: number;
  column: string | null;
  error: string;
}

/** What a read did besides returning data. */
export interface ReadReport {
  rows: number;
  skippedRows: number;
  rejected: RejectedRow[];
}

async function rejectsOf(con: DuckDBConnection): Promise<RejectedRow[]> {
  try {
    const res = await con.runAndReadAll(
      `SELECT DISTINCT s.file_path AS file, CAST(e.line AS INTEGER) AS line, e.column_name AS col, e.error_message AS msg
       FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) ORDER BY file, line`,
    );
    return res.getRowObjectsJS().map((r) => ({
      file: String(r.file),
      line: Number(r.line),
      column: r.col === null ? null : String(r.col),
      error: String(r.msg),
    }));
  } catch {
    return [];
  }
}

function failOnRejects(rejected: RejectedRow[]): void {
  const first = rejected[0];
  if (first === undefined) return;
  const lines = new Set(rejected.map((r) => `${r.file}:${r.line}`)).size;
  const col = first.column === null ? '' : `, column ${JSON.stringify(first.column)}`;
  throw new DataError(
    'MALFORMED_INPUT',
    `${first.file}: line ${first.line}${col}: ${first.error.split('\n')[0]}` +
      (lines > 1 ? ` (and ${lines - 1} more malformed line${lines > 2 ? 's' : ''})` : ''),
    'fix the file, or skip bad rows with onError: "skip" (--on-error skip); skipped rows are counted in the report',
  );
}

/** The query that reads `path` (casts applied) and the reader call inside it. */
async function selectFor(
  con: DuckDBConnection,
  path: string,
  opts: ReadOptions,
): Promise<{ query: string; call: string }> {
  const csv = detectFormat(isDirLike(path) ? 'x.parquet' : resolvePath(path), opts.format) === 'csv';
  if (csv) await con.run(`SET streaming_buffer_size = '${CSV_STREAMING_BUFFER}'`);
  const call = await preparedReaderCall(con, path, opts, csv);
  return { query: await applyCasts(con, `SELECT * FROM ${call}`, opts.cast ?? {}, path), call };
}

/**
 * A close over-estimate of the rows a read returns, so columns are allocated once: exact for Parquet (from
 * the footer), from the file size and the first 256 kB for one CSV file; undefined otherwise.
 */
async function estimateRows(
  con: DuckDBConnection,
  path: string,
  opts: ReadOptions,
): Promise<number | undefined> {
  try {
    const resolved = resolvePath(path);
    const format = isDirLike(path) ? 'parquet' : detectFormat(resolved, opts.format);
    if (format === 'parquet') {
      const r = await con.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${readerCall(path, opts)}`);
      return Number(r.getRowObjectsJS()[0]!.n);
    }
    if (format === 'csv' && !isGlob(path) && !/\.(gz|zst)$/i.test(path)) {
      const size = statSync(resolved).size;
      const fd = openSync(resolved, 'r');
      try {
        const buf = Buffer.alloc(Math.min(size, 256 * 1024));
        const got = readSync(fd, buf, 0, buf.length, 0);
        let lines = 0;
        for (let i = 0; i < got; i++) if (buf[i] === 10) lines++;
        if (lines < 2) return undefined;
        return Math.ceil((size / (got / lines)) * 1.02) + 16;
      } finally {
        closeSync(fd);
      }
    }
  } catch {
    // An estimate is only a hint: the real read reports real errors.
  }
  return undefined;
}

/** Most distinct values a Parquet string column may have to be read as an ENUM (codes fit 2 bytes). */
const ENUM_MAX_VALUES = 4096;

/**
 * The distinct values of a Parquet file's low-cardinality string columns, for reading them as ENUMs
 * (`asEnums`): Parquet stores such columns dictionary-encoded, so the values cost one scan of those columns
 * only. A column qualifies when every column chunk has a dictionary page (writers fall back to plain
 * encoding for high-cardinality columns, so ID-like columns are skipped without a scan) and it has at most
 * ENUM_MAX_VALUES values. reg_1m.parquet (3 string columns of 5–200 values): the main-thread work per
 * load drops by ~0.1 s. Any failure here only means the plain VARCHAR path.
 */
async function parquetEnums(
  con: DuckDBConnection,
  path: string,
  query: string,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  try {
    const plans = await planQuery(con, query);
    const strings = new Set(
      plans.filter((p) => p.kind === 'str' && p.sourceType === 'VARCHAR').map((p) => p.name),
    );
    if (strings.size === 0) return out;
    const meta = await con.runAndReadAll(
      `SELECT path_in_schema AS c FROM parquet_metadata(${quoteLiteral(resolvePath(path))})
       GROUP BY path_in_schema HAVING bool_and(dictionary_page_offset IS NOT NULL)`,
    );
    const names = meta
      .getRowObjectsJS()
      .map((r) => String(r.c))
      .filter((n) => strings.has(n));
    if (names.length === 0) return out;
    // One query for all columns (one round trip; DuckDB scans them side by side).
    const parts = names.map((n, i) => {
      const c = quoteIdent(n);
      return `SELECT ${i} AS k, CAST(v AS VARCHAR) AS v FROM (SELECT DISTINCT ${c} AS v FROM (${query}) WHERE ${c} IS NOT NULL LIMIT ${ENUM_MAX_VALUES + 1})`;
    });
    const res = await con.runAndReadAll(parts.join(' UNION ALL '));
    const values = names.map((): string[] => []);
    for (const r of res.getRowObjectsJS()) values[Number(r.k)]!.push(String(r.v));
    names.forEach((n, i) => {
      const v = values[i]!;
      if (v.length > 0 && v.length <= ENUM_MAX_VALUES) out.set(n, v.sort());
    });
  } catch {
    // Only an optimisation: the plain path reads the same data.
  }
  return out;
}

/** One CSV file large enough for the parallel reader (parallel-csv.ts). */
function isLargeCsvFile(path: string, opts: ReadOptions): boolean {
  if (isGlob(path) || rangeWorkers() === 0 || detectFormat(resolvePath(path), opts.format) !== 'csv')
    return false;
  return statSync(resolvePath(path)).size >= PARALLEL_CSV_MIN_BYTES;
}

/** One Parquet file (not a glob or a directory of parts): what the parallel reader handles. */
function isParquetFile(path: string, opts: ReadOptions): boolean {
  return !isGlob(path) && !isDirLike(path) && detectFormat(resolvePath(path), opts.format) === 'parquet';
}

function isDirLike(path: string): boolean {
  return resolvePath(path).endsWith('**/*.parquet') && !path.includes('*');
}

/** Reads a file or glob (CSV, Parquet, JSON, JSONL) into a frame, with a report of skipped rows. */
export async function readWithReport(
  path: string,
  opts: ReadOptions = {},
): Promise<{ frame: Frame; report: ReadReport }> {
  return withConnection(async (con) => {
    let frame: Frame;
    try {
      if (isParquetFile(path, opts) || isLargeCsvFile(path, opts)) warmRangeWorkers();
      const expected = await estimateRows(con, path, opts);
      const { query, call } = await selectFor(con, path, opts);
      const parquet = isDirLike(path) || detectFormat(resolvePath(path), opts.format) === 'parquet';
      const csvFile = !parquet && isLargeCsvFile(path, opts);
      const enums = parquet ? await parquetEnums(con, path, query) : undefined;
      frame =
        (parquet && isParquetFile(path, opts)
          ? await parallelParquetFrame(
              con,
              resolvePath(path),
              readerCall(path, opts),
              query,
              asEnums(await planQuery(con, query), enums),
              enums ?? new Map(),
            )
          : csvFile
            ? await parallelCsvFrame(resolvePath(path), call, query, await planQuery(con, query))
            : undefined) ?? (await queryFrame(con, query, expected, enums));
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw readError(e, path);
    }
    const rejected = await rejectsOf(con);
    if ((opts.onError ?? 'fail') === 'fail') failOnRejects(rejected);
    const skippedRows = new Set(rejected.map((r) => `${r.file}:${r.line}`)).size;
    return { frame, report: { rows: frame.numRows, skippedRows, rejected } };
  });
}

/** Reads a file or glob into a frame (see readWithReport for the skipped-row report). */
export async function readFrame(path: string, opts: ReadOptions = {}): Promise<Frame> {
  return (await readWithReport(path, opts)).frame;
}

/**
 * Streams a file or glob as frames of about `batchRows` rows, for data larger than memory. String codes
 * stay stable from batch to batch (later batches' dictionaries extend earlier ones).
 */
export async function* scanFrames(
  path: string,
  opts: ReadOptions & { batchRows?: number } = {},
): AsyncGenerator<Frame> {
  const con = await openConnection();
  try {
    const { query: q } = await selectFor(con, path, { ...opts, onError: opts.onError ?? 'fail' });
    try {
      yield* queryBatches(con, q, opts.batchRows ?? 100_000);
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw readError(e, path);
    }
    if ((opts.onError ?? 'fail') === 'fail') failOnRejects(await rejectsOf(con));
  } finally {
    con.closeSync();
  }
}

function readError(e: unknown, path: string): DataError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/No files found|does not exist/i.test(msg)) {
    return new DataError('FILE_NOT_FOUND', `no files match ${path}`, 'check the path or glob');
  }
  if (/Invalid Input Error|Conversion Error|Parser Error|malformed|JSON/i.test(msg)) {
    return new DataError(
      'MALFORMED_INPUT',
      `${path}: ${msg.split('\n')[0]}`,
      'check that the file is valid for its format',
    );
  }
  return sqlError(e, `reading ${path} failed`);
}
