import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import { quoteLiteral, withConnection } from '../duckdb/instance.js';
import { applyCasts } from '../io/cast.js';
import { detectFormat, preparedReaderCall, readerCall } from '../io/source.js';
import { copyQueryTo } from '../io/write.js';
import { fetchJson, type RetryOptions } from './fetch-retry.js';
import {
  initialState,
  nextState,
  pageUrl,
  recordsOf,
  type PageState,
  type PaginationOptions,
} from './paginate.js';

/** Reported while an ingest runs (the CLI draws its progress bar from this). */
export interface IngestProgress {
  rows: number;
  pages: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Set when resuming: rows that were already on disk from the interrupted run. */
  resumedRows: number;
  phase: 'fetching' | 'writing' | 'done';
}

export interface IngestOptions extends PaginationOptions, RetryOptions {
  /** The output file (.parquet, .csv, .json, .jsonl). */
  output: string;
  /** `{ column: type }` casts applied before writing. */
  cast?: Record<string, string>;
  /** Malformed CSV rows: fail (default) or skip (counted in the report). */
  onError?: 'fail' | 'skip';
  /** Stop after about this many rows (whole pages). */
  maxRows?: number;
  /** Ignore a previous run's saved progress and start over. */
  restart?: boolean;
  onProgress?: (p: IngestProgress) => void;
}

export interface IngestReport {
  source: string;
  output: string;
  rows: number;
  pages: number;
  skippedRows: number;
  resumed: boolean;
  elapsedMs: number;
  columns: { name: string; type: string }[];
}

/** Saved beside the output while an HTTP ingest runs, so an interrupted run resumes. */
interface ResumeState {
  version: 1;
  source: string;
  fingerprint: string;
  state: PageState;
  pages: number;
  rows: number;
}

export function isHttpSource(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The state file and page directory an HTTP ingest keeps beside its output. */
export function resumePaths(output: string): { stateFile: string; pagesDir: string } {
  return { stateFile: `${output}.ingest-state.json`, pagesDir: `${output}.ingest-pages` };
}

function fingerprint(source: string, o: IngestOptions): string {
  const keys = [
    o.pagination,
    o.pageSize,
    o.where,
    o.select,
    o.order,
    o.params,
    o.pageParam,
    o.sizeParam,
    o.firstPage,
    o.cursorParam,
    o.cursorPath,
    o.recordsPath,
  ];
  return createHash('sha256')
    .update(JSON.stringify([source, keys]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Ingests a file, a glob or a paged HTTP JSON API into one output file, written to a temporary file and
 * renamed, so a failed run never leaves a half file where a good one was.
 */
export async function ingest(source: string, opts: IngestOptions): Promise<IngestReport> {
  detectFormat(opts.output);
  return isHttpSource(source) ? ingestHttp(source, opts) : ingestFiles(source, opts);
}

async function ingestFiles(source: string, opts: IngestOptions): Promise<IngestReport> {
  const t0 = Date.now();
  const csv = safeIsCsv(source);
  return withConnection(async (con) => {
    const base = `SELECT * FROM ${await preparedReaderCall(con, source, { onError: opts.onError }, csv)}`;
    const query = await applyCasts(con, base, opts.cast ?? {}, source);
    opts.onProgress?.({
      rows: 0,
      pages: 0,
      elapsedMs: 0,
      rowsPerSecond: 0,
      resumedRows: 0,
      phase: 'writing',
    });
    let skippedRows = 0;
    const verify = async (): Promise<void> => {
      if (!csv) return;
      const rej = await con
        .runAndReadAll(
          'SELECT DISTINCT CAST(line AS INTEGER) AS line, column_name, error_message FROM reject_errors ORDER BY line',
        )
        .then((r) => r.getRowObjectsJS())
        .catch(() => []);
      skippedRows = rej.length;
      const first = rej[0];
      if (first !== undefined && (opts.onError ?? 'fail') === 'fail') {
        const col = first.column_name === null ? '' : `, column ${JSON.stringify(first.column_name)}`;
        throw new DataError(
          'MALFORMED_INPUT',
          `${source}: line ${String(first.line)}${col}: ${String(first.error_message).split('\n')[0]}` +
            (rej.length > 1 ? ` (and ${rej.length - 1} more)` : ''),
          'fix the file, or pass --on-error skip to leave bad rows out (they are counted)',
        );
      }
    };
    await copyQueryTo(con, query, opts.output, {}, verify);
    const summary = await describeOutput(opts.output);
    const elapsedMs = Date.now() - t0;
    opts.onProgress?.({
      rows: summary.rows,
      pages: 1,
      elapsedMs,
      rowsPerSecond: summary.rows / Math.max(elapsedMs / 1000, 1e-3),
      resumedRows: 0,
      phase: 'done',
    });
    return {
      source,
      output: opts.output,
      rows: summary.rows,
      pages: 0,
      skippedRows,
      resumed: false,
      elapsedMs,
      columns: summary.columns,
    };
  });
}

function safeIsCsv(source: string): boolean {
  try {
    return detectFormat(source) === 'csv';
  } catch {
    return false;
  }
}

async function describeOutput(
  path: string,
): Promise<{ rows: number; columns: { name: string; type: string }[] }> {
  return withConnection(async (con) => {
    const from = readerCall(path);
    const n = await con.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${from}`);
    const d = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
    return {
      rows: Number(n.getRowObjectsJS()[0]!.n),
      columns: d.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
    };
  });
}

async function ingestHttp(source: string, opts: IngestOptions): Promise<IngestReport> {
  const t0 = Date.now();
  const { stateFile, pagesDir } = resumePaths(opts.output);
  const fp = fingerprint(source, opts);
  let saved: ResumeState | undefined;
  if (opts.restart === true) {
    rmSync(stateFile, { force: true });
    rmSync(pagesDir, { recursive: true, force: true });
  } else if (existsSync(stateFile)) {
    try {
      saved = JSON.parse(readFileSync(stateFile, 'utf8')) as ResumeState;
    } catch {
      throw new DataError(
        'INVALID_ARGUMENT',
        `the resume state ${stateFile} is unreadable`,
        'pass --restart to start over',
      );
    }
    if (saved.fingerprint !== fp) {
      throw new DataError(
        'INVALID_ARGUMENT',
        `${stateFile} belongs to an ingest with other settings (${saved.source})`,
        'run with the same source and options to resume, or pass --restart to start over',
      );
    }
  }
  mkdirSync(pagesDir, { recursive: true });
  // Pages on disk beyond the saved state are leftovers of a crash between page write and state write.
  let state = saved?.state ?? initialState(opts);
  let pages = saved?.pages ?? 0;
  let rows = saved?.rows ?? 0;
  const resumedRows = rows;
  for (const f of readdirSync(pagesDir)) {
    const m = /^page-(\d+)\.jsonl$/.exec(f);
    if (m === null || Number(m[1]) > pages) rmSync(join(pagesDir, f), { force: true });
  }
  const progress = (phase: IngestProgress['phase']): void => {
    const elapsedMs = Date.now() - t0;
    const fresh = rows - resumedRows;
    opts.onProgress?.({
      rows,
      pages,
      elapsedMs,
      rowsPerSecond: fresh / Math.max(elapsedMs / 1000, 1e-3),
      resumedRows,
      phase,
    });
  };
  progress('fetching');
  while (!state.done && (opts.maxRows === undefined || rows < opts.maxRows)) {
    const url = pageUrl(source, opts, state);
    const body = await fetchJson(url, opts);
    const records = recordsOf(body, opts, url);
    if (records.length > 0) {
      const file = join(pagesDir, `page-${String(pages + 1).padStart(6, '0')}.jsonl`);
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      renameSync(tmp, file);
      pages++;
      rows += records.length;
    }
    state = nextState(state, opts, records.length, body);
    const s: ResumeState = { version: 1, source, fingerprint: fp, state, pages, rows };
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(s));
    renameSync(`${stateFile}.tmp`, stateFile);
    progress('fetching');
  }
  progress('writing');
  mkdirSync(dirname(opts.output), { recursive: true });
  if (pages === 0) {
    throw new DataError(
      'BAD_RESPONSE',
      `GET ${pageUrl(source, opts, initialState(opts))} returned no records`,
      'check $where / the URL; nothing was written',
    );
  }
  await withConnection(async (con) => {
    // Every value a page held is kept: the whole set is sampled for types, and fields missing from some
    // records are unioned by name.
    const glob = quoteLiteral(join(pagesDir, 'page-*.jsonl'));
    const base = `SELECT * FROM read_json_auto(${glob}, format = 'newline_delimited', union_by_name = true, sample_size = -1)`;
    const query = await applyCasts(con, base, opts.cast ?? {}, source);
    await copyQueryTo(con, query, opts.output);
  });
  rmSync(pagesDir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  progress('done');
  const summary = await describeOutput(opts.output);
  return {
    source,
    output: opts.output,
    rows: summary.rows,
    pages,
    skippedRows: 0,
    resumed: saved !== undefined,
    elapsedMs: Date.now() - t0,
    columns: summary.columns,
  };
}
