/**
 * The spec's data: read with @cauce/data (a file or a glob; DuckDB SQL over it as table `data`), the
 * label and feature columns checked against what was read, and an optional seeded train/test split
 * (ml's `trainValidationSplit`, the same shuffle TrainValidationSplit uses).
 */
import { existsSync } from 'node:fs';
import type { Frame } from '@cauce/frame';
import { DataError, readFrame, sql } from '@cauce/data';
import { trainValidationSplit } from '@cauce/ml';
import { CliError } from '../cli-error.js';
import type { TrainSpec } from './spec.js';
import { suggestHint } from './suggest.js';

export interface LoadedData {
  train: Frame;
  /** The held-out rows when the spec asks for a split. */
  test: Frame | undefined;
  /** Rows read (before the split). */
  rows: number;
}

const isGlob = (p: string): boolean => /[*?[]/.test(p);

function requireColumn(frame: Frame, col: string, what: string, spec: TrainSpec): void {
  if (frame.has(col)) return;
  throw new CliError(
    `${spec.file}: ${what} column ${JSON.stringify(col)} is not in the data (${spec.data.path})`,
    suggestHint(col, frame.columnNames, 'its columns'),
  );
}

export async function loadData(spec: TrainSpec): Promise<LoadedData> {
  const d = spec.data;
  if (!isGlob(d.path) && !existsSync(d.path))
    throw new CliError(
      `${spec.file}: data.path: no such file ${d.path}`,
      "data paths are relative to the spec file's folder; check the name or generate the data first",
    );
  let frame: Frame;
  try {
    const opts = { format: d.format, cast: d.cast };
    frame =
      d.sql === undefined
        ? await readFrame(d.path, opts)
        : await sql(d.sql, { data: await readFrame(d.path, opts) });
  } catch (e) {
    if (e instanceof DataError)
      throw new CliError(
        `${spec.file}: data: ${e.message}`,
        e.hint ?? (d.sql !== undefined ? 'the file is the table `data` in data.sql' : undefined),
      );
    throw e;
  }
  if (frame.numRows === 0)
    throw new CliError(
      `${spec.file}: data: ${d.path}${d.sql !== undefined ? ' (after data.sql)' : ''} has no rows`,
      'check the file and the SQL filter',
    );
  if (spec.label !== undefined) requireColumn(frame, spec.label, 'label', spec);
  for (const f of spec.features ?? []) requireColumn(frame, f, 'feature', spec);
  if (d.split === undefined) return { train: frame, test: undefined, rows: frame.numRows };
  const { train, validation } = trainValidationSplit(frame.numRows, d.split.trainRatio, d.split.seed);
  if (train.length === 0 || validation.length === 0)
    throw new CliError(
      `${spec.file}: data.split: ${frame.numRows} rows with trainRatio ${d.split.trainRatio} leave an empty ${train.length === 0 ? 'train' : 'test'} set`,
      'use more rows or a trainRatio further from 0 and 1',
    );
  return { train: frame.take(train), test: frame.take(validation), rows: frame.numRows };
}
