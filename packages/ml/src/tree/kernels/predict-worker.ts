/**
 * The prediction worker (predict-parallel.ts starts it): it warms the walk up once, then takes blocks of
 * rows from the back of each job it is sent until it meets the main thread (protocol in predict-protocol.ts).
 */
import { parentPort } from 'node:worker_threads';
import { predictCompiled, WALK_BLOCK_ROWS, warmUpWalk, type CompiledForest } from './compiled-forest.js';
import { MAX_BLOCKS, PCTRL, WASM_LAYOUT, type PredictJob } from './predict-protocol.js';
import { WasmWalker, type WasmMemory } from './wasm-walk.js';

function done(flag: SharedArrayBuffer): void {
  const f = new Int32Array(flag);
  Atomics.store(f, 0, 1);
  Atomics.notify(f, 0);
}

/**
 * The forest as an object literal built like compileForest's: a structured-cloned object has another
 * hidden class, and the walk, optimised during the warm-up for compileForest's objects, was thrown back to
 * unoptimised code on the first real job (measured: the worker's first job ran at ~1/10 speed).
 */
function asCompiled(c: CompiledForest): CompiledForest {
  const { nTrees, roots, depths, nodeF64, nodeI32, value, valueDim, group, shared, id } = c;
  return { nTrees, roots, depths, nodeF64, nodeI32, value, valueDim, group, shared, id };
}

/** The warm-up through the very path of a job: rows and sums in shared memory, blocks claimed. */
function warmUpJobs(): void {
  warmUpWalk((cf, data, nRows, nCols) => {
    const rows = new Float64Array(new SharedArrayBuffer(data.length * 8));
    rows.set(data);
    const nBlocks = Math.ceil(nRows / WALK_BLOCK_ROWS);
    const ctrl = new Int32Array(new SharedArrayBuffer((PCTRL.FLAGS + nBlocks) * 4));
    ctrl[PCTRL.CLAIM] = nBlocks << 16;
    ctrl[PCTRL.COPY_DONE] = 1;
    workOnJob({
      type: 'predict',
      cf,
      ctrl: ctrl.buffer,
      rows: rows.buffer,
      rowsOffset: 0,
      rowsRow0: 0,
      part: new SharedArrayBuffer(nRows * cf.valueDim * 8),
      partOffset: 0,
      wasm: false,
      nRows,
      nCols,
      stride: cf.valueDim,
      blockRows: WALK_BLOCK_ROWS,
      nBlocks,
    });
  });
}

/** The worker's side of one job: claim blocks from the back, walk them, flag them done. */
export function workOnJob(j: PredictJob): void {
  const ctrl = new Int32Array(j.ctrl);
  const rows = new Float64Array(j.rows, j.rowsOffset, (j.nRows - j.rowsRow0) * j.nCols);
  const part = new Float64Array(j.part, j.partOffset, (j.nRows - j.rowsRow0) * j.stride);
  const wasm = j.wasm ? walker : null;
  const B = j.blockRows;
  const cf = asCompiled(j.cf);
  for (;;) {
    const w = Atomics.load(ctrl, PCTRL.CLAIM);
    const lo = w & 0xffff;
    const hi = w >>> 16;
    if (hi <= lo || hi > MAX_BLOCKS) return;
    const b = hi - 1;
    const floor = Atomics.load(ctrl, PCTRL.FLOOR);
    if (b < floor) {
      // Not copied yet: wait for the next chunk unless copying is over (the rest is the main thread's).
      if (Atomics.load(ctrl, PCTRL.COPY_DONE) === 1) return;
      Atomics.wait(ctrl, PCTRL.FLOOR, floor, 5);
      continue;
    }
    if (Atomics.compareExchange(ctrl, PCTRL.CLAIM, w, lo | (b << 16)) !== w) continue;
    const r0 = b * B;
    const r1 = Math.min(j.nRows, r0 + B);
    const off = r0 - j.rowsRow0;
    if (wasm) {
      wasm.walk(
        cf,
        j.rowsOffset + off * j.nCols * 8,
        r1 - r0,
        j.nCols,
        j.partOffset + off * j.stride * 8,
        j.stride,
      );
    } else {
      predictCompiled(
        cf,
        rows.subarray(off * j.nCols, (off + r1 - r0) * j.nCols),
        r1 - r0,
        j.nCols,
        part.subarray(off * j.stride, (off + r1 - r0) * j.stride),
        j.stride,
      );
    }
    Atomics.store(ctrl, PCTRL.FLAGS + b, 1);
    Atomics.add(ctrl, PCTRL.DONE, 1);
    Atomics.notify(ctrl, PCTRL.DONE);
  }
}

/** Warm-up rounds of the wasm walk: V8 runs new wasm code unoptimised (Liftoff) until it has been used a while. */
const WASM_WARM_REPS = 60;

/** The wasm walk over this worker's WebAssembly memory (set by the 'touch' message when there is one). */
let walker: WasmWalker | null = null;

/**
 * Starts the wasm walk on `mem` and runs it a few times on made-up rows, so that V8 has compiled it fully
 * (it starts on its baseline compiler) before a real job; the rows region is zeroed again afterwards.
 */
function startWasm(mem: WasmMemory): void {
  const w = new WasmWalker(mem, WASM_LAYOUT.FOREST_AT);
  warmUpWalk((cf, data, nRows, nCols, out) => {
    new Float64Array(mem.buffer, WASM_LAYOUT.ROWS_AT, data.length).set(data);
    w.walk(cf, WASM_LAYOUT.ROWS_AT, nRows, nCols, WASM_LAYOUT.PART_AT, cf.valueDim);
    out.set(new Float64Array(mem.buffer, WASM_LAYOUT.PART_AT, out.length));
  }, WASM_WARM_REPS);
  walker = w;
}

type Msg =
  | { type: 'hello'; flag: SharedArrayBuffer }
  | { type: 'touch'; mem: WasmMemory | null; buf: SharedArrayBuffer; flag: SharedArrayBuffer }
  | { type: 'place'; cf: CompiledForest }
  | PredictJob;

parentPort?.on('message', (m: Msg) => {
  if (m.type === 'hello') {
    warmUpJobs();
    done(m.flag);
  } else if (m.type === 'touch') {
    if (m.mem) startWasm(m.mem);
    // Writing every page now takes the page faults here, off the main thread (predict-parallel.ts).
    new Float64Array(m.buf, 0, Math.min(m.buf.byteLength, WASM_LAYOUT.FOREST_AT) / 8).fill(0);
    done(m.flag);
  } else if (m.type === 'place') {
    walker?.place(asCompiled(m.cf));
  } else {
    workOnJob(m);
  }
});
