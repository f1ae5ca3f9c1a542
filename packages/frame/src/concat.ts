// Stacking columns of the same type (used by Frame.concat, e.g. to join streamed batches).
import { allValid, clearBit } from './bitmap.js';
import {
  BoolColumn,
  Int32Column,
  NumberColumn,
  SparseVectorColumn,
  StringColumn,
  VectorColumn,
  type Column,
} from './column.js';
import { FrameError } from './errors.js';

function mergedValidity(cols: readonly Column[], total: number): Uint8Array | undefined {
  if (!cols.some((c) => c.nullCount() > 0)) return undefined;
  const bits = allValid(total);
  let off = 0;
  for (const c of cols) {
    for (let i = 0; i < c.length; i++) if (c.isNull(i)) clearBit(bits, off + i);
    off += c.length;
  }
  return bits;
}

/** One column holding the rows of `cols` in order. All columns must have the first one's type. */
export function concatColumns(name: string, cols: readonly Column[]): Column {
  const first = cols[0];
  if (first === undefined)
    throw new FrameError('INVALID_ARGUMENT', 'concatColumns needs at least one column');
  for (const c of cols) {
    const sameVector =
      c.type !== 'vector' || (first.type === 'vector' && c.size === first.size && c.sparse === first.sparse);
    if (c.type !== first.type || !sameVector) {
      throw new FrameError(
        'SCHEMA_MISMATCH',
        `column ${JSON.stringify(name)} is ${first.type} in the first frame but ${c.type} in another; cast before concatenating`,
      );
    }
  }
  const total = cols.reduce((s, c) => s + c.length, 0);
  const validity = mergedValidity(cols, total);
  let off = 0;
  switch (first.type) {
    case 'float64':
    case 'int64':
    case 'timestamp': {
      const out = new Float64Array(total);
      for (const c of cols) {
        out.set((c as NumberColumn).toFloat64Array(), off);
        off += c.length;
      }
      return new NumberColumn(first.type, out, validity);
    }
    case 'int32':
    case 'bool': {
      const out = first.type === 'int32' ? new Int32Array(total) : new Uint8Array(total);
      for (const c of cols) {
        const col = c as Int32Column | BoolColumn;
        for (let i = 0; i < col.length; i++) out[off + i] = col.data[col.base(i)]!;
        off += col.length;
      }
      return first.type === 'int32'
        ? new Int32Column(out as Int32Array, validity)
        : new BoolColumn(out as Uint8Array, validity);
    }
    case 'string': {
      const dictionary: string[] = [];
      const lookup = new Map<string, number>();
      const codes = new Int32Array(total);
      for (const c of cols) {
        const col = c as StringColumn;
        const remap = col.dictionary.map((s) => {
          let k = lookup.get(s);
          if (k === undefined) {
            k = dictionary.length;
            lookup.set(s, k);
            dictionary.push(s);
          }
          return k;
        });
        for (let i = 0; i < col.length; i++) {
          const code = col.code(i);
          codes[off + i] = code < 0 ? -1 : remap[code]!;
        }
        off += col.length;
      }
      return new StringColumn(codes, dictionary);
    }
    case 'vector': {
      if (!first.sparse) {
        const out = new Float64Array(total * first.size);
        for (const c of cols) {
          out.set((c as VectorColumn).toMatrix(), off * first.size);
          off += c.length;
        }
        return new VectorColumn(first.size, out, validity);
      }
      // Typed arrays sized up front: a CrossValidator compacts each fold's rows through here (80,000 rows ×
      // ~23 stored entries on the tuning bench), and growing JS arrays entry by entry cost ~0.1 s per fold
      // and tens of MB of garbage for the GC's helper threads.
      const sparse = cols as readonly SparseVectorColumn[];
      let nnz = 0;
      for (const col of sparse) {
        for (let i = 0; i < col.length; i++) {
          const b = col.base(i);
          nnz += col.indptr[b + 1]! - col.indptr[b]!;
        }
      }
      const indptr = new Int32Array(total + 1);
      const indices = new Int32Array(nnz);
      const values = new Float64Array(nnz);
      let at = 0;
      let r = 0;
      for (const col of sparse) {
        const { indptr: ptr, indices: idx, values: vals } = col;
        for (let i = 0; i < col.length; i++) {
          const b = col.base(i);
          for (let k = ptr[b]!, end = ptr[b + 1]!; k < end; k++, at++) {
            indices[at] = idx[k]!;
            values[at] = vals[k]!;
          }
          indptr[++r] = at;
        }
      }
      return new SparseVectorColumn(first.size, indptr, indices, values, validity);
    }
  }
}
