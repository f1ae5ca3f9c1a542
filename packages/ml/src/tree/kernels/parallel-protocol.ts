/** Shared layout of the histogram control word between parallel.ts and tree-worker.ts. */
export const CTRL = {
  /** Incremented by the main thread for each job (the worker waits on it). */
  SEQ: 0,
  /** The job's row range idx[START .. END) and block size. */
  START: 1,
  END: 2,
  BLOCK: 3,
  /** Set to 1 to end the worker's loop. */
  STOP: 4,
  /** The worker stores the SEQ it finished here. */
  DONE: 5,
  /** Offset (in doubles) of this job's statistics inside the shared stats buffer. */
  STATS: 6,
  SIZE: 7,
} as const;

/** What the worker needs to build histogram blocks: shared buffers and sizes. */
export interface HistSession {
  ctrl: SharedArrayBuffer;
  rowPtr: SharedArrayBuffer;
  rowBins: SharedArrayBuffer;
  wide: boolean;
  stats: SharedArrayBuffer;
  idx: SharedArrayBuffer;
  out: SharedArrayBuffer;
  outTot: SharedArrayBuffer;
  histLen: number;
  channels: number;
}
