/**
 * The compiled-forest walk (compiled-forest.ts) as a WebAssembly function, for rows that already sit in a
 * shared wasm memory. Same node records, same 8 rows abreast, same order of additions: the sums are the
 * JavaScript walk's bit for bit. The module is assembled here byte by byte (WebAssembly binary format,
 * https://webassembly.github.io/spec/core/binary/), so no toolchain or dependency is needed.
 *
 * walk(nTrees, roots, depths, group, nodes, values, V, data, nRows, nCols, out, stride): every argument
 * after V that is an array is a byte address in the memory; roots/depths/group are int32, nodes the
 * 16-byte records (float64 threshold, int32 feature, int32 left × 2 + missing-goes-right), values float64.
 */
import type { CompiledForest } from './compiled-forest.js';

const uleb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
};
const sleb = (n: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

const I32 = 0x7f;
const F64 = 0x7c;
const get = (x: number): number[] => [0x20, ...uleb(x)];
const set = (x: number): number[] => [0x21, ...uleb(x)];
const tee = (x: number): number[] => [0x22, ...uleb(x)];
const c32 = (n: number): number[] => [0x41, ...sleb(n)];
const i32load = (off: number): number[] => [0x28, 2, ...uleb(off)];
const f64load = (off: number): number[] => [0x2b, 3, ...uleb(off)];
const f64store = (off: number): number[] => [0x39, 3, ...uleb(off)];
const [add, mul, and, or, shl, shrs, ges, gts] = [
  [0x6a],
  [0x6c],
  [0x71],
  [0x72],
  [0x74],
  [0x75],
  [0x4e],
  [0x4a],
];
const [fge, fne, fadd] = [[0x66], [0x62], [0xa0]];
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const end = [0x0b];
const brIf = (n: number): number[] => [0x0d, n];
const br = (n: number): number[] => [0x0c, n];

/** Rows walked abreast. */
const K = 8;
/** Largest memory (64 KiB pages) the module accepts: 1 GiB (a shared memory reserves its maximum up front). */
export const WASM_MAX_PAGES = 16384;

/** The module's bytes (built once). */
function walkModule(): Uint8Array {
  // Parameters 0..11 as in the header; then the i32 locals, then one f64 local.
  const P = { nTrees: 0, roots: 1, depths: 2, group: 3, nodes: 4, values: 5, V: 6, data: 7 };
  const nRows = 8;
  const nCols = 9;
  const outP = 10;
  const stride = 11;
  let nl = 12;
  const k = nl++;
  const root = nl++;
  const D = nl++;
  const g = nl++;
  const r = nl++;
  const d = nl++;
  const v = nl++;
  const o = nl++;
  const l = nl++;
  const rowBytes = nl++;
  const i = Array.from({ length: K }, () => nl++);
  const b = Array.from({ length: K }, () => nl++);
  const nI32 = nl - 12;
  const x = nl++;
  // One step of row j: i = (l >> 1) + ((x >= threshold) | ((x != x) & l)), record at nodes + i × 16.
  const rec = (ij: number): number[] => [...get(P.nodes), ...get(ij), ...c32(4), ...shl, ...add];
  const step = (ij: number, bj: number): number[] => [
    ...get(bj), ...rec(ij), ...i32load(8), ...c32(3), ...shl, ...add, ...f64load(0), ...set(x),
    ...rec(ij), ...i32load(12), ...set(l),
    ...get(l), ...c32(1), ...shrs,
    ...get(x), ...rec(ij), ...f64load(0), ...fge,
    ...get(x), ...get(x), ...fne, ...get(l), ...and, ...or, ...add, ...set(ij),
  ]; // prettier-ignore
  // out[(r + j) × stride + g + v] += values[i × V + v], for v < V.
  const addLeaf = (ij: number, j: number): number[] => [
    ...get(outP), ...get(r), ...c32(j), ...add, ...get(stride), ...mul, ...get(g), ...add, ...get(v), ...add,
    ...c32(3), ...shl, ...add, ...tee(o),
    ...get(o), ...f64load(0),
    ...get(P.values), ...get(ij), ...get(P.V), ...mul, ...get(v), ...add, ...c32(3), ...shl, ...add, ...f64load(0),
    ...fadd, ...f64store(0),
  ]; // prettier-ignore
  const forLoop = (ctr: number, limit: number[], inner: number[]): number[] => [
    ...c32(0), ...set(ctr),
    ...block, ...loop,
    ...get(ctr), ...limit, ...ges, ...brIf(1),
    ...inner,
    ...get(ctr), ...c32(1), ...add, ...set(ctr), ...br(0),
    ...end, ...end,
  ]; // prettier-ignore
  const walkRows = (rows: number): number[] => [
    ...get(P.data), ...get(r), ...get(rowBytes), ...mul, ...add, ...set(b[0]!),
    ...Array.from({ length: rows - 1 }, (_, j) => [...get(b[j]!), ...get(rowBytes), ...add, ...set(b[j + 1]!)]).flat(),
    ...i.slice(0, rows).flatMap((ij) => [...get(root), ...set(ij)]),
    ...forLoop(d, get(D), i.slice(0, rows).flatMap((ij, j) => step(ij, b[j]!))),
    ...forLoop(v, get(P.V), i.slice(0, rows).flatMap((ij, j) => addLeaf(ij, j))),
  ]; // prettier-ignore
  const perTree: number[] = [
    ...get(P.roots), ...get(k), ...c32(2), ...shl, ...add, ...i32load(0), ...set(root),
    ...get(P.depths), ...get(k), ...c32(2), ...shl, ...add, ...i32load(0), ...set(D),
    ...get(P.group), ...get(k), ...c32(2), ...shl, ...add, ...i32load(0), ...get(P.V), ...mul, ...set(g),
    ...c32(0), ...set(r),
    // Groups of K rows, then the rest one by one.
    ...block, ...loop,
    ...get(r), ...c32(K), ...add, ...get(nRows), ...gts, ...brIf(1),
    ...walkRows(K),
    ...get(r), ...c32(K), ...add, ...set(r), ...br(0),
    ...end, ...end,
    ...block, ...loop,
    ...get(r), ...get(nRows), ...ges, ...brIf(1),
    ...walkRows(1),
    ...get(r), ...c32(1), ...add, ...set(r), ...br(0),
    ...end, ...end,
  ]; // prettier-ignore
  const body = [
    ...get(nCols),
    ...c32(3),
    ...shl,
    ...set(rowBytes),
    ...forLoop(k, get(P.nTrees), perTree),
    ...end,
  ];
  const func = [
    ...vec([
      [...uleb(nI32), I32],
      [1, F64],
    ]),
    ...body,
  ];
  const memType = [0x02, 0x03, ...uleb(1), ...uleb(WASM_MAX_PAGES)]; // memory, shared, min 1, max
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec([[0x60, ...vec(Array.from({ length: 12 }, () => [I32])), 0]])),
    ...section(2, vec([[...name('env'), ...name('mem'), ...memType]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('walk'), 0x00, 0]])),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ]);
}

export type WasmWalk = (
  nTrees: number,
  roots: number,
  depths: number,
  group: number,
  nodes: number,
  values: number,
  V: number,
  data: number,
  nRows: number,
  nCols: number,
  out: number,
  stride: number,
) => void;

/** The part of the WebAssembly API used here (the TypeScript libs of this repo do not declare it). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** A shared memory of `pages` 64 KiB pages for the walk, or null where WebAssembly is missing. */
export function wasmMemory(pages: number): WasmMemory | null {
  if (!WA || pages > WASM_MAX_PAGES) return null;
  try {
    return new WA.Memory({ initial: pages, maximum: WASM_MAX_PAGES, shared: true });
  } catch {
    return null; // e.g. address space for the maximum not available: the caller walks in JavaScript
  }
}

let compiled: object | null = null;

/** The walk bound to `mem` (made by wasmMemory). */
export function wasmWalk(mem: WasmMemory): WasmWalk {
  if (!WA) throw new Error('WebAssembly is not available');
  compiled ??= new WA.Module(walkModule());
  return new WA.Instance(compiled, { env: { mem } }).exports.walk as WasmWalk;
}

/**
 * The walk over rows in `mem`, with the forest copied into `mem` at byte `forestAt` (growing the memory
 * when needed). The copy is kept for the next call with the same forest (CompiledForest.id).
 */
export class WasmWalker {
  private readonly fn: WasmWalk;
  private placed = -1;
  private at = { nodes: 0, values: 0, roots: 0, depths: 0, group: 0 };

  constructor(
    readonly mem: WasmMemory,
    private readonly forestAt: number,
  ) {
    this.fn = wasmWalk(mem);
  }

  /** Adds the forest's sums for rows at byte `data` (nRows × nCols doubles) into the doubles at byte `out`. */
  walk(cf: CompiledForest, data: number, nRows: number, nCols: number, out: number, stride: number): void {
    this.place(cf);
    const a = this.at;
    this.fn(
      cf.nTrees,
      a.roots,
      a.depths,
      a.group,
      a.nodes,
      a.values,
      cf.valueDim,
      data,
      nRows,
      nCols,
      out,
      stride,
    );
  }

  /** Copies the forest into the memory, unless it is the one already there. */
  place(cf: CompiledForest): void {
    if (this.placed === cf.id) return;
    const parts = [cf.nodeF64, cf.value, cf.roots, cf.depths, cf.group] as const;
    const at: number[] = [];
    let top = this.forestAt;
    for (const p of parts) {
      at.push(top);
      top = (top + p.byteLength + 15) & ~15;
    }
    const have = this.mem.buffer.byteLength;
    if (top > have) this.mem.grow(Math.ceil((top - have) / 65536));
    const buf = this.mem.buffer;
    parts.forEach((p, i) =>
      new Uint8Array(buf, at[i], p.byteLength).set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength)),
    );
    this.at = { nodes: at[0]!, values: at[1]!, roots: at[2]!, depths: at[3]!, group: at[4]! };
    this.placed = cf.id;
  }
}
