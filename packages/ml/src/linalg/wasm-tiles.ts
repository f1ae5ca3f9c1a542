// The Gram pass's inner kernel in WebAssembly SIMD: G[j..j+3][k..k+1] += Σ_r A[j][r]·B[k][r] over column-major
// chunks, two rows per f64x2 lane pair, in 4×2 tiles (8 vector accumulators + 6 loaded vectors: 14 of the 16
// SIMD registers, so nothing spills). Measured against the JS 4×4 scalar tile kernel on this machine: about 4×
// faster (docs/decisions/0005-linear-solvers.md). Node 20 has no relaxed SIMD, so multiply and add are separate.
//
// The module is assembled here byte by byte (a few hundred bytes; no toolchain, no binary file to ship). Layout
// contract with gram.ts: colA at byte 0, colB after it, G after both; all offsets in bytes, rows even (the caller
// pads an odd chunk with a zero row). `buildTilesModule` is self-contained so its source can run in workers.

/** Returns the module bytes (exports: `tiles(a, b, rows, qPad, g, R)` and memory `mem`). @internal */
export function buildTilesModule(): Uint8Array {
  const u = (v: number): number[] => {
    const o: number[] = [];
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v) b |= 0x80;
      o.push(b);
    } while (v);
    return o;
  };
  const sleb = (v: number): number[] => {
    const o: number[] = [];
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
        o.push(b);
        return o;
      }
      o.push(b | 0x80);
    }
  };
  const body: number[] = [];
  const e = (...xs: Array<number | number[]>): void => {
    for (const x of xs) {
      if (Array.isArray(x)) body.push(...x);
      else body.push(x);
    }
  };
  const get = (i: number): number[] => [0x20, ...u(i)];
  const set = (i: number): number[] => [0x21, ...u(i)];
  const i32 = (v: number): number[] => [0x41, ...sleb(v)];
  const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...u(op), ...imm];
  const ADD = 0x6a;
  const MUL = 0x6c;
  const GEU = 0x4f;
  const loopStart = [0x02, 0x40, 0x03, 0x40]; // block { loop {
  const loopEnd = [0x0c, 0, 0x0b, 0x0b]; // br loop } }
  const exitIf = (a: number, b: number): number[] => [...get(a), ...get(b), GEU, 0x0d, 1]; // br_if block
  // params: 0 a, 1 b, 2 rows, 3 qPad, 4 g, 5 R; i32 locals 6..17; v128 locals 18..31.
  const [A, B, ROWS, QPAD, G, R] = [0, 1, 2, 3, 4, 5];
  const [JB, KB, RB, PA0, PA1, PA2, PA3, PB0, PB1, RBYTES, STRIDE, GP] = [
    6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
  ];
  const acc = (k: number): number => 18 + k;
  const xa = (k: number): number => 26 + k;
  const yb = (k: number): number => 30 + k;
  e(get(ROWS), i32(8), MUL, set(RBYTES), get(R), i32(8), MUL, set(STRIDE), i32(0), set(JB));
  e(loopStart, exitIf(JB, QPAD), get(JB), set(KB));
  e(loopStart, exitIf(KB, QPAD));
  e(get(A), get(JB), get(STRIDE), MUL, ADD, set(PA0));
  e(
    get(PA0),
    get(STRIDE),
    ADD,
    set(PA1),
    get(PA1),
    get(STRIDE),
    ADD,
    set(PA2),
    get(PA2),
    get(STRIDE),
    ADD,
    set(PA3),
  );
  e(get(B), get(KB), get(STRIDE), MUL, ADD, set(PB0), get(PB0), get(STRIDE), ADD, set(PB1));
  for (let k = 0; k < 8; k++) e(simd(12, ...new Array<number>(16).fill(0)), set(acc(k))); // v128.const 0
  e(i32(0), set(RB));
  e(loopStart, exitIf(RB, RBYTES));
  const ptrs = [PA0, PA1, PA2, PA3];
  for (let k = 0; k < 4; k++) e(get(ptrs[k]!), get(RB), ADD, simd(0, 3, 0), set(xa(k))); // v128.load
  e(get(PB0), get(RB), ADD, simd(0, 3, 0), set(yb(0)), get(PB1), get(RB), ADD, simd(0, 3, 0), set(yb(1)));
  for (let i = 0; i < 4; i++) {
    for (let l = 0; l < 2; l++) {
      // acc += x·y  (f64x2.mul = 242, f64x2.add = 240)
      e(get(acc(2 * i + l)), get(xa(i)), get(yb(l)), simd(242), simd(240), set(acc(2 * i + l)));
    }
  }
  e(get(RB), i32(16), ADD, set(RB), loopEnd);
  e(get(G), get(JB), get(QPAD), MUL, get(KB), ADD, i32(8), MUL, ADD, set(GP));
  for (let i = 0; i < 4; i++) {
    for (let l = 0; l < 2; l++) {
      // G[..] += lane0 + lane1  (f64.load 0x2b, f64x2.extract_lane = 33, f64.add 0xa0, f64.store 0x39)
      const a = acc(2 * i + l);
      e(
        get(GP),
        get(GP),
        0x2b,
        3,
        8 * l,
        get(a),
        simd(33, 0),
        get(a),
        simd(33, 1),
        0xa0,
        0xa0,
        0x39,
        3,
        8 * l,
      );
    }
    e(get(GP), get(QPAD), i32(8), MUL, ADD, set(GP));
  }
  e(get(KB), i32(2), ADD, set(KB), loopEnd);
  e(get(JB), i32(4), ADD, set(JB), loopEnd, 0x0b);
  const func = [2, 12, 0x7f, 14, 0x7b, ...body]; // locals: 12 × i32, 14 × v128
  const section = (id: number, c: number[]): number[] => [id, ...u(c.length), ...c];
  const name = (t: string): number[] => [t.length, ...Array.from(t, (ch) => ch.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...name('tiles'), 0, 0, ...name('mem'), 2, 0]),
    ...section(10, [1, ...u(func.length), ...func]),
  ]); // prettier-ignore
}

/** The slice of the WebAssembly API we use (the compile target's lib has no WebAssembly declarations). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

export interface TilesKernel {
  tiles: (a: number, b: number, rows: number, qPad: number, g: number, R: number) => void;
  memory: WasmMemory;
}

let cached: TilesKernel | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable (callers fall back to JS). */
export function tilesKernel(): TilesKernel | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = buildTilesModule();
    if (wasm && wasm.validate(bytes)) {
      const inst = new wasm.Instance(new wasm.Module(bytes));
      cached = {
        tiles: inst.exports.tiles as TilesKernel['tiles'],
        memory: inst.exports.mem as WasmMemory,
      };
    }
  } catch {
    cached = null;
  }
  return cached;
}
