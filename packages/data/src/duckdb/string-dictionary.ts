import duckdb from '@duckdb/node-bindings';

// Dictionary-encodes DuckDB VARCHAR vectors straight from their raw memory. A duckdb_string_t is 16 bytes:
// a uint32 length, then either the string itself (≤ 12 bytes, "inlined") or a 4-byte prefix and a pointer.
// Categorical values are nearly always inlined, so we hash the 16 raw bytes (masked to the length) in an
// open-addressing table and decode a JS string only the first time a value is seen. Longer strings are
// fetched through the pointer and looked up in an ordinary Map.
// Layout reference: DuckDB C API docs, "duckdb_string_t"; https://duckdb.org/docs/stable/clients/c/vector

const decoder = new TextDecoder();
const MASKS = [0, 0xff, 0xffff, 0xffffff];

export class StringDictionary {
  readonly values: string[] = [];
  #long = new Map<string, number>();
  #keys = new Uint32Array(4 * 1024);
  #codes = new Int32Array(1024).fill(-1);
  #mask = 1023;
  #size = 0;

  /** Appends codes for `n` strings of a raw VARCHAR vector into `out` at `offset` (-1 for invalid rows). */
  encode(raw: Uint8Array, n: number, isValid: (i: number) => boolean, out: Int32Array, offset: number): void {
    const words = new Uint32Array(raw.buffer, raw.byteOffset, n * 4);
    for (let i = 0; i < n; i++) {
      if (!isValid(i)) {
        out[offset + i] = -1;
        continue;
      }
      const len = words[i * 4]!;
      if (len > 12) {
        const bytes = duckdb.get_data_from_pointer(
          raw.buffer as ArrayBuffer,
          raw.byteOffset + i * 16 + 8,
          len,
        );
        const s = decoder.decode(bytes);
        let c = this.#long.get(s);
        if (c === undefined) {
          c = this.values.length;
          this.values.push(s);
          this.#long.set(s, c);
        }
        out[offset + i] = c;
        continue;
      }
      // Mask the bytes past the length: DuckDB zeroes them today, but the format does not promise it.
      let w1 = words[i * 4 + 1]!;
      let w2 = words[i * 4 + 2]!;
      let w3 = words[i * 4 + 3]!;
      if (len < 12) {
        if (len < 4) {
          w1 = (w1 & MASKS[len]!) >>> 0;
          w2 = 0;
          w3 = 0;
        } else if (len < 8) {
          w2 = len === 4 ? 0 : (w2 & MASKS[len - 4]!) >>> 0;
          w3 = 0;
        } else {
          w3 = len === 8 ? 0 : (w3 & MASKS[len - 8]!) >>> 0;
        }
      }
      out[offset + i] = this.#lookup(len, w1, w2, w3, raw, i);
    }
  }

  #lookup(len: number, w1: number, w2: number, w3: number, raw: Uint8Array, i: number): number {
    let h = Math.imul(len ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ w1, 0xc2b2ae35);
    h = Math.imul(h ^ w2, 0x85ebca6b);
    h = Math.imul(h ^ w3, 0xc2b2ae35);
    h ^= h >>> 15;
    let slot = h & this.#mask;
    for (;;) {
      const c = this.#codes[slot]!;
      if (c < 0) break;
      const k = slot * 4;
      if (
        this.#keys[k] === len &&
        this.#keys[k + 1] === w1 &&
        this.#keys[k + 2] === w2 &&
        this.#keys[k + 3] === w3
      ) {
        return c;
      }
      slot = (slot + 1) & this.#mask;
    }
    const code = this.values.length;
    this.values.push(decoder.decode(raw.subarray(i * 16 + 4, i * 16 + 4 + len)));
    const k = slot * 4;
    this.#keys[k] = len;
    this.#keys[k + 1] = w1;
    this.#keys[k + 2] = w2;
    this.#keys[k + 3] = w3;
    this.#codes[slot] = code;
    if (++this.#size * 2 > this.#mask) this.#grow();
    return code;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldCodes = this.#codes;
    const cap = (this.#mask + 1) * 2;
    this.#keys = new Uint32Array(cap * 4);
    this.#codes = new Int32Array(cap).fill(-1);
    this.#mask = cap - 1;
    for (let s = 0; s < oldCodes.length; s++) {
      const c = oldCodes[s]!;
      if (c < 0) continue;
      const len = oldKeys[s * 4]!;
      const w1 = oldKeys[s * 4 + 1]!;
      const w2 = oldKeys[s * 4 + 2]!;
      const w3 = oldKeys[s * 4 + 3]!;
      let h = Math.imul(len ^ 0x9e3779b9, 0x85ebca6b);
      h = Math.imul(h ^ w1, 0xc2b2ae35);
      h = Math.imul(h ^ w2, 0x85ebca6b);
      h = Math.imul(h ^ w3, 0xc2b2ae35);
      h ^= h >>> 15;
      let slot = h & this.#mask;
      while (this.#codes[slot]! >= 0) slot = (slot + 1) & this.#mask;
      this.#keys.set(oldKeys.subarray(s * 4, s * 4 + 4), slot * 4);
      this.#codes[slot] = c;
    }
  }
}
