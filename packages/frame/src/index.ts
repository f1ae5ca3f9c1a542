// @cauce/frame — immutable columnar tables on typed arrays (pure TypeScript, no I/O).
export { Frame } from './frame.js';
export type { ColumnInput, DenseMatrix } from './frame.js';
export {
  BaseColumn,
  NumberColumn,
  Int32Column,
  BoolColumn,
  StringColumn,
  VectorColumn,
  SparseVectorColumn,
} from './column.js';
export type { Column } from './column.js';
export {
  float64Column,
  int32Column,
  int64Column,
  boolColumn,
  timestampColumn,
  stringColumn,
  dictionaryColumn,
  vectorColumn,
  sparseVectorColumn,
  columnOf,
  inferType,
  toColumn,
  isColumn,
} from './build.js';
export { concatColumns } from './concat.js';
export { FrameError } from './errors.js';
export type { FrameErrorCode } from './errors.js';
export { COLUMN_TYPES, isNumericType } from './types.js';
export type { ColumnType, Field } from './types.js';
export { bitIsSet, allValid, setBit, clearBit, bitmapBytes, countNulls } from './bitmap.js';
