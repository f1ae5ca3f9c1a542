// Messages between parallel-read.ts and its workers (range-worker.ts).

/** Physical shapes a worker writes: result-to-frame.ts's kinds except lists. */
export type WorkerKind = 'f64' | 'i32' | 'bool' | 'enum' | 'str';

/** Count the lines of bytes [from, to) of `file`, and tell whether byte `quote` (-1: none) occurs. */
export interface CountJob {
  type: 'count';
  id: number;
  file: string;
  from: number;
  to: number;
  /** The range ends the file: an unterminated last line counts. */
  atEnd: boolean;
  quote: number;
}

/** Run `sql` and write its rows into `cols` at rows [start, start + rows). */
export interface ReadJob {
  type: 'read';
  id: number;
  sql: string;
  cols: { kind: WorkerKind; buffer: SharedArrayBuffer }[];
  start: number;
  rows: number;
}

export interface WorkerReply {
  id: number;
  error?: string;
  // count
  lines?: number;
  quoted?: boolean;
  // read
  rows?: number;
  nulls?: (Uint8Array | undefined)[];
  dicts?: (string[] | undefined)[];
}
