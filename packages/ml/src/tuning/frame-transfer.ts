/**
 * Frames across worker threads: each column's storage (typed arrays, dictionary, validity bitmap, index
 * view) is posted as is and the same column class is rebuilt on the other side, so views, nulls and sparse
 * vectors arrive exactly as they were (the structured clone copies the arrays once).
 */
import {
  BoolColumn,
  Frame,
  Int32Column,
  NumberColumn,
  SparseVectorColumn,
  StringColumn,
  VectorColumn,
  type Column,
} from '@cauce/frame';

export interface WireColumn {
  name: string;
  type: Column['type'];
  sparse?: boolean;
  size?: number;
  data?: Float64Array | Int32Array | Uint8Array;
  codes?: Int32Array;
  dictionary?: readonly string[];
  indptr?: Int32Array;
  indices?: Int32Array;
  values?: Float64Array;
  validity?: Uint8Array;
  index?: Int32Array;
}

export function packFrame(frame: Frame): WireColumn[] {
  return frame.columnNames.map((name): WireColumn => {
    const c = frame.column(name);
    const base = { name, type: c.type, validity: c.validity, index: c.index };
    if (c instanceof StringColumn) return { ...base, codes: c.codes, dictionary: c.dictionary };
    if (c instanceof SparseVectorColumn) {
      return { ...base, sparse: true, size: c.size, indptr: c.indptr, indices: c.indices, values: c.values };
    }
    if (c instanceof VectorColumn) return { ...base, size: c.size, data: c.data };
    return { ...base, data: (c as NumberColumn | Int32Column | BoolColumn).data };
  });
}

export function unpackFrame(cols: readonly WireColumn[]): Frame {
  const out: Record<string, Column> = {};
  for (const w of cols) {
    let c: Column;
    if (w.type === 'string') c = new StringColumn(w.codes!, w.dictionary!, w.index);
    else if (w.type === 'vector' && w.sparse) {
      c = new SparseVectorColumn(w.size!, w.indptr!, w.indices!, w.values!, w.validity, w.index);
    } else if (w.type === 'vector')
      c = new VectorColumn(w.size!, w.data as Float64Array, w.validity, w.index);
    else if (w.type === 'int32') c = new Int32Column(w.data as Int32Array, w.validity, w.index);
    else if (w.type === 'bool') c = new BoolColumn(w.data as Uint8Array, w.validity, w.index);
    else c = new NumberColumn(w.type, w.data as Float64Array, w.validity, w.index);
    out[w.name] = c;
  }
  return Frame.fromColumns(out);
}
