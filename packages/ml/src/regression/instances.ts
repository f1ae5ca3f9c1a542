// Pulling (features, label, weight) out of a frame for the linear models, with the data checks Spark makes
// before any numeric work: no empty input, finite features and labels, non-negative finite weights with a
// positive sum. Errors are INVALID_DATA naming the stage, the column and the first bad row.
// A sparse vector column without nulls is used as CSR: in place, or for a row view (`take`, `filter`, a
// split) its rows gathered into CSR arrays of their own; anything else is densified.

import { concatColumns, type Frame, type SparseVectorColumn } from '@cauce/frame';
import { csr, dense, type Matrix } from '../linalg/matrix.js';
import { MLError } from '../util/errors.js';

export interface Instances {
  /** Read-only view of frame storage where possible: never written. */
  x: Matrix;
  y: Float64Array;
  w: Float64Array | null;
}

export function features(stage: string, frame: Frame, featuresCol: string): Matrix {
  const col = frame.column(featuresCol);
  let x: Matrix;
  if (col.type === 'vector' && col.sparse && !col.validity) {
    // a view is gathered, not densified: n × p doubles of a wide sparse column (hashed text, one-hot
    // blocks) would be gigabytes where the stored entries are megabytes
    const c = col.index ? (concatColumns(featuresCol, [col]) as SparseVectorColumn) : col;
    x = csr(c.length, c.size, c.indptr, c.indices, c.values);
  } else {
    const v = frame.vectors(featuresCol);
    x = dense(v.values, v.rows, v.size);
  }
  const vals = x.values;
  for (let t = 0; t < vals.length; t++) {
    if (!Number.isFinite(vals[t]!)) {
      const where =
        x.kind === 'dense' ? `row ${Math.floor(t / x.p)}, element ${t % x.p}` : `stored entry ${t}`;
      throw new MLError(
        'INVALID_DATA',
        `${stage}: featuresCol '${featuresCol}' has a ${Number.isNaN(vals[t]!) ? 'NaN or null' : 'non-finite'} value at ${where}`,
        {
          stage,
          param: 'featuresCol',
          column: featuresCol,
          hint: 'impute missing values (Imputer) or drop those rows before fitting',
        },
      );
    }
  }
  return x;
}

export function instances(
  stage: string,
  frame: Frame,
  cols: { featuresCol: string; labelCol: string; weightCol: string | undefined },
): Instances {
  if (frame.numRows === 0) {
    throw new MLError('INVALID_DATA', `${stage}: cannot fit on an empty frame (0 rows)`, {
      stage,
      hint: 'check the filter or split that produced the training data',
    });
  }
  const x = features(stage, frame, cols.featuresCol);
  const n = x.n;
  const y = frame.float64(cols.labelCol);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new MLError(
        'INVALID_DATA',
        `${stage}: labelCol '${cols.labelCol}' has a ${Number.isNaN(y[i]!) ? 'null or NaN' : 'non-finite'} value at row ${i}`,
        { stage, param: 'labelCol', column: cols.labelCol, hint: 'drop rows without a label before fitting' },
      );
    }
  }
  let w: Float64Array | null = null;
  if (cols.weightCol !== undefined) {
    w = frame.float64(cols.weightCol);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      if (!(wi >= 0) || !Number.isFinite(wi)) {
        throw new MLError(
          'INVALID_DATA',
          `${stage}: weightCol '${cols.weightCol}' has an invalid weight ${wi} at row ${i}; weights must be finite and >= 0`,
          { stage, param: 'weightCol', column: cols.weightCol },
        );
      }
      sum += wi;
    }
    if (!(sum > 0)) {
      throw new MLError('INVALID_DATA', `${stage}: the weights in weightCol '${cols.weightCol}' sum to 0`, {
        stage,
        param: 'weightCol',
        column: cols.weightCol,
      });
    }
  }
  return { x, y, w };
}
