// @cauce/data — DuckDB-backed reading and writing, SQL over frames, ingestion, EDA.
export { DataError } from './errors.js';
export type { DataErrorCode } from './errors.js';
export { readFrame, readWithReport, scanFrames } from './io/read.js';
export type { ReadOptions, ReadReport, RejectedRow } from './io/read.js';
export { writeFrame, copyQueryTo, tempPathFor } from './io/write.js';
export type { WriteOptions } from './io/write.js';
export { detectFormat, FILE_FORMATS } from './io/source.js';
export type { FileFormat, SourceOptions } from './io/source.js';
export { parseCasts, CAST_TYPES } from './io/cast.js';
export { sql } from './sql.js';
export type { SqlTable } from './sql.js';
export { ingest, isHttpSource, resumePaths } from './ingest/ingest.js';
export type { IngestOptions, IngestProgress, IngestReport } from './ingest/ingest.js';
export { PAGINATIONS } from './ingest/paginate.js';
export type { Pagination, PaginationOptions } from './ingest/paginate.js';
export { fetchJson } from './ingest/fetch-retry.js';
export type { RetryOptions } from './ingest/fetch-retry.js';
export { describeFrame, describeFrameParallel } from './eda/describe.js';
export type {
  ColumnSummary,
  DescribeOptions,
  EdaSummary,
  Outliers,
  TargetSummary,
  Bin,
} from './eda/describe.js';
export { eda, renderReport } from './eda/report.js';
export type { EdaOptions } from './eda/report.js';
export { renderSvg } from './eda/charts.js';
export { SQLTransformer } from './feature/sql-transformer.js';
export type { SQLTransformerParams } from './feature/sql-transformer.js';
