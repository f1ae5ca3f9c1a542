/**
 * The control words two threads share while they predict one matrix (predict-parallel.ts on the main
 * thread, predict-worker.ts on the worker). The rows are cut into blocks of WALK_BLOCK_ROWS; the main thread
 * takes blocks from the front, the worker from the back, meeting wherever their speeds put the middle.
 */
import type { CompiledForest } from './compiled-forest.js';

export const PCTRL = {
  /** Claim word: lo | hi << 16. Blocks [0, lo) are the main thread's, [hi, nBlocks) the worker's. */
  CLAIM: 0,
  /** Blocks [floor, nBlocks) have been copied into the shared rows buffer; the worker claims only those. */
  FLOOR: 1,
  /** 1 once the main thread has finished copying (the worker then stops at the floor). */
  COPY_DONE: 2,
  /** Blocks the worker has finished. */
  DONE: 3,
  /** Then one word per block: 1 once the worker has written that block's sums. */
  FLAGS: 4,
} as const;

/**
 * Byte layout of the WebAssembly memory shared with the worker: the copied rows (32 MB, RESERVED_DOUBLES
 * in predict-parallel.ts), the worker's sums (8 MB), then the worker's copy of the forest it walks.
 */
export const WASM_LAYOUT = {
  ROWS_AT: 0,
  PART_AT: 32 << 20,
  PART_DOUBLES: 1 << 20,
  FOREST_AT: 40 << 20,
} as const;

/** Claim words hold block numbers in 16 bits, so a call uses at most this many blocks. */
export const MAX_BLOCKS = 32_767;

/** One two-thread prediction, as the worker receives it. */
export interface PredictJob {
  type: 'predict';
  /** The compiled forest's arrays are SharedArrayBuffers (compileForest's `shared`). */
  cf: CompiledForest;
  ctrl: SharedArrayBuffer;
  /** Rows from row rowsRow0 on, row-major with nCols doubles, starting at byte rowsOffset. */
  rows: SharedArrayBuffer;
  rowsOffset: number;
  rowsRow0: number;
  /** Sums (stride doubles per row) from row rowsRow0 on, from byte partOffset; they start as the values the
   * worker adds onto. */
  part: SharedArrayBuffer;
  partOffset: number;
  /** True when rows and sums lie in the worker's WebAssembly memory (it then walks with the wasm walk). */
  wasm: boolean;
  nRows: number;
  nCols: number;
  stride: number;
  blockRows: number;
  nBlocks: number;
}
