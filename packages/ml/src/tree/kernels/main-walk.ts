/**
 * The walk on the calling thread: the WebAssembly walk (wasm-walk.ts) for deep trees, the JavaScript one
 * (compiled-forest.ts) otherwise; the sums are the same bit for bit either way.
 *
 * The wasm walk reads rows from its own memory, so each block of 128 rows is copied in (and its sums in
 * and out) around the walk: ~30 µs for 128 × 252 doubles, against 0.3–0.5 ms of walking. Measured on the
 * bench's 20,000 × 252 matrix, one thread, wasm / JavaScript: forests of depth 10 0.65–0.75 (reg 69 vs
 * 101 ms, clf 73 vs 93 ms, same minute, loaded machine), the depth-6 booster 0.98–1.0 — so deep trees
 * only (WASM_MIN_DEPTH), where the copy is small beside the gain.
 */
import { predictCompiled, WALK_BLOCK_ROWS, warmUpWalk, type CompiledForest } from './compiled-forest.js';
import { WasmWalker, wasmMemory, type WasmMemory } from './wasm-walk.js';

/** Mean tree depth from which the wasm walk is used on this thread. */
const WASM_MIN_DEPTH = 8;
/** Byte layout of this thread's wasm memory: a block's rows, its sums, then the forest. */
const ROWS_AT = 0;
const SUMS_AT = 16 << 20;
const FOREST_AT = 17 << 20;

let mem: WasmMemory | null | undefined;
let walker: WasmWalker | null = null;

function wasmWalker(): WasmWalker | null {
  if (mem === undefined) {
    mem = wasmMemory(FOREST_AT / 65536);
    walker = mem ? new WasmWalker(mem, FOREST_AT) : null;
  }
  return walker;
}

/** Whether this thread walks `cf` in wasm for rows of nCols columns and sums of `stride` values. */
function useWasm(cf: CompiledForest, nCols: number, stride: number): boolean {
  let steps = 0;
  for (let k = 0; k < cf.nTrees; k++) steps += cf.depths[k]!;
  return (
    cf.nTrees > 0 &&
    steps >= WASM_MIN_DEPTH * cf.nTrees &&
    WALK_BLOCK_ROWS * nCols * 8 <= SUMS_AT - ROWS_AT &&
    WALK_BLOCK_ROWS * stride * 8 <= FOREST_AT - SUMS_AT
  );
}

/**
 * predictCompiled on this thread, in wasm when it pays (see above); the same numbers. The parallel path
 * calls it per block, so the choice is made once per call by the caller (`wasm`, from walkChoice).
 */
export function walkHere(
  cf: CompiledForest,
  data: Float64Array,
  nRows: number,
  nCols: number,
  out: Float64Array,
  stride: number,
  wasm = walkChoice(cf, nCols, stride),
): void {
  const w = wasm ? wasmWalker() : null;
  if (!w) {
    predictCompiled(cf, data, nRows, nCols, out, stride);
    return;
  }
  const buf = w.mem.buffer;
  for (let r0 = 0; r0 < nRows; r0 += WALK_BLOCK_ROWS) {
    const r1 = Math.min(nRows, r0 + WALK_BLOCK_ROWS);
    const rows = new Float64Array(buf, ROWS_AT, (r1 - r0) * nCols);
    const sums = new Float64Array(buf, SUMS_AT, (r1 - r0) * stride);
    rows.set(data.subarray(r0 * nCols, r1 * nCols));
    sums.set(out.subarray(r0 * stride, r1 * stride));
    w.walk(cf, ROWS_AT, r1 - r0, nCols, SUMS_AT, stride);
    out.set(sums, r0 * stride);
  }
}

/** Whether walkHere would use wasm for this forest and shape (and wasm is available). */
export function walkChoice(cf: CompiledForest, nCols: number, stride: number): boolean {
  return useWasm(cf, nCols, stride) && wasmWalker() !== null;
}

/** Warms the wasm walk up on this thread (V8 compiles it fully only after some use). */
export function warmUpWasmHere(): void {
  const w = wasmWalker();
  if (!w) return;
  warmUpWalk((cf, data, nRows, nCols, out) => {
    new Float64Array(w.mem.buffer, ROWS_AT, data.length).set(data);
    w.walk(cf, ROWS_AT, nRows, nCols, SUMS_AT, cf.valueDim);
    out.set(new Float64Array(w.mem.buffer, SUMS_AT, out.length));
  }, 40); // V8 runs new wasm code unoptimised (Liftoff) until it has been used a while: ~6 ms, once
}

/** Copies a deep forest into this thread's wasm memory now (at fit or load), not on the first call. */
export function placeHere(cf: CompiledForest): void {
  if (cf.nTrees > 0 && useWasm(cf, 1, 1)) wasmWalker()?.place(cf);
}
