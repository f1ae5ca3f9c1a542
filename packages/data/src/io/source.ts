import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '../errors.js';
import { quoteLiteral } from '../duckdb/instance.js';

export type FileFormat = 'csv' | 'parquet' | 'json' | 'jsonl';
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'parquet', 'json', 'jsonl'];

/** Options that shape how a file is read. */
export interface SourceOptions {
  /** Overrides detection from the extension. */
  format?: FileFormat;
  /** CSV delimiter (detected when absent). */
  delimiter?: string;
  /** Whether the CSV has a header row (detected when absent). */
  header?: boolean;
  /**
   * CSV rows that do not parse: with 'skip' they are left out and counted (see ReadReport); with 'fail'
   * (default) the read stops with an error naming the file, line and column.
   */
  onError?: 'fail' | 'skip';
}

const EXT: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/**
 * DuckDB's CSV buffer (default 32 MB per scanning thread). 2 MB (the default longest line, the least
 * DuckDB accepts without raising max_line_size) keeps the reader's own memory small; with one fetch always
 * in flight (result-to-frame.ts) the scan costs the same CPU as with 8 MB. Peak memory of a reg_1m.csv load
 * (1M × 24) over its typed arrays, median of 5: 8 MB buffers + 16 MB streaming buffer 1.87×, 2 MB + 2 MB 1.46×.
 */
const CSV_BUFFER_BYTES = 2 * 1024 * 1024;

/** DuckDB's result buffer for CSV reads (see CSV_BUFFER_BYTES); other reads keep openConnection's. */
export const CSV_STREAMING_BUFFER = '2MB';

export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** The format of `path`, from `format` or the extension (`.csv.gz` counts as `.csv`). */
export function detectFormat(path: string, format?: FileFormat): FileFormat {
  if (format !== undefined) {
    if (!FILE_FORMATS.includes(format)) {
      throw new DataError(
        'UNSUPPORTED_FORMAT',
        `unknown format ${JSON.stringify(format)}`,
        `use one of ${FILE_FORMATS.join(', ')}`,
      );
    }
    return format;
  }
  const ext = extname(path.replace(/\.(gz|zst)$/i, '')).toLowerCase();
  const f = EXT[ext];
  if (f === undefined) {
    throw new DataError(
      'UNSUPPORTED_FORMAT',
      `cannot tell the format of ${JSON.stringify(path)} from its extension ${JSON.stringify(ext || '(none)')}`,
      `name it .csv, .parquet, .json or .jsonl, or pass the format explicitly (${FILE_FORMATS.join(', ')})`,
    );
  }
  return f;
}

/**
 * Resolves a path: a directory (as Spark writes Parquet: part-*.parquet files) becomes a recursive
 * glob; a plain path must exist.
 */
export function resolvePath(path: string): string {
  if (isGlob(path)) return path;
  if (!existsSync(path)) {
    throw new DataError(
      'FILE_NOT_FOUND',
      `no such file: ${path}`,
      'check the path (globs like data/*.parquet are allowed)',
    );
  }
  if (statSync(path).isDirectory()) return join(path, '**', '*.parquet');
  return path;
}

/** The DuckDB table function call that reads `path`. */
export function readerCall(path: string, opts: SourceOptions = {}, rejects = false): string {
  const resolved = resolvePath(path);
  const format = detectFormat(
    resolved.endsWith('*.parquet') && !isGlob(path) ? 'x.parquet' : resolved,
    opts.format,
  );
  const p = quoteLiteral(resolved);
  switch (format) {
    case 'parquet':
      return `read_parquet(${p}, union_by_name = true)`;
    case 'json':
      return `read_json_auto(${p}, format = 'auto')`;
    case 'jsonl':
      return `read_json_auto(${p}, format = 'newline_delimited')`;
    case 'csv': {
      const o: string[] = [p];
      if (opts.delimiter !== undefined) o.push(`delim = ${quoteLiteral(opts.delimiter)}`);
      if (opts.header !== undefined) o.push(`header = ${opts.header}`);
      if (rejects) o.push('store_rejects = true');
      o.push(`buffer_size = ${CSV_BUFFER_BYTES}`);
      return `read_csv(${o.join(', ')})`;
    }
  }
}

/** `SELECT * FROM <reader>` for `path`. */
export function sourceSql(path: string, opts: SourceOptions = {}): string {
  return `SELECT * FROM ${readerCall(path, opts)}`;
}

/**
 * Like `readerCall`, but for one CSV file it runs DuckDB's sniffer once (`sniff_csv`) and returns the
 * explicit reader it proposes (dialect and column types, auto_detect off). Planning and reading then reuse
 * it instead of sniffing again each time: the sniffer is a noticeable part of a load (it parses the first
 * 20,480 rows for types). Globs, other formats and sniffer failures fall back to `readerCall`.
 */
export async function preparedReaderCall(
  con: DuckDBConnection,
  path: string,
  opts: SourceOptions = {},
  rejects = false,
): Promise<string> {
  const fallback = readerCall(path, opts, rejects);
  if (isGlob(path) || !fallback.startsWith('read_csv(')) return fallback;
  try {
    const o: string[] = [quoteLiteral(resolvePath(path))];
    if (opts.delimiter !== undefined) o.push(`delim = ${quoteLiteral(opts.delimiter)}`);
    if (opts.header !== undefined) o.push(`header = ${opts.header}`);
    // The sniffer must know that bad rows are tolerated, or it may choose another dialect to fit them.
    if (rejects) o.push('store_rejects = true');
    const res = await con.runAndReadAll(`SELECT Prompt FROM sniff_csv(${o.join(', ')})`);
    const prompt = String(res.getRowObjectsJS()[0]?.Prompt ?? '')
      .trim()
      .replace(/;$/, '');
    const m = /^FROM\s+(read_csv\(.*\))$/s.exec(prompt);
    if (m === null) return fallback;
    if (rejects && !/store_rejects\s*=\s*true/i.test(m[1]!)) return fallback;
    return m[1]!.replace(/\)$/, `, buffer_size = ${CSV_BUFFER_BYTES})`);
  } catch {
    return fallback;
  }
}
