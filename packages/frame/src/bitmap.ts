// Validity bitmaps, Arrow-style: bit i (LSB first) set means row i is valid; no bitmap means no nulls.
// One bit per row keeps a 1M-row column's null information at 125 kB.

/** Byte length of a bitmap for `n` rows. */
export function bitmapBytes(n: number): number {
  return (n + 7) >>> 3;
}

/** True when bit `i` is set (row `i` is valid). */
export function bitIsSet(bits: Uint8Array, i: number): boolean {
  return (bits[i >>> 3]! & (1 << (i & 7))) !== 0;
}

export function setBit(bits: Uint8Array, i: number): void {
  bits[i >>> 3]! |= 1 << (i & 7);
}

export function clearBit(bits: Uint8Array, i: number): void {
  bits[i >>> 3]! &= ~(1 << (i & 7));
}

/** A bitmap of `n` rows, all valid. */
export function allValid(n: number): Uint8Array {
  const bits = new Uint8Array(bitmapBytes(n)).fill(0xff);
  return bits;
}

/** Number of cleared (null) bits among the first `n`. */
export function countNulls(bits: Uint8Array, n: number): number {
  let valid = 0;
  const full = n >>> 3;
  for (let b = 0; b < full; b++) valid += POPCOUNT[bits[b]!]!;
  for (let i = full << 3; i < n; i++) if (bitIsSet(bits, i)) valid++;
  return n - valid;
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >>> 1]!;
