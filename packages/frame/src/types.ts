/**
 * Logical column types and how each one is stored (see docs/decisions/0003-frame-layout.md):
 *
 * | type        | storage                                                                  |
 * |-------------|--------------------------------------------------------------------------|
 * | `float64`   | Float64Array                                                             |
 * | `int32`     | Int32Array                                                               |
 * | `int64`     | Float64Array holding integers (exact up to ±2^53; larger ids: use string) |
 * | `bool`      | Uint8Array of 0/1                                                        |
 * | `timestamp` | Float64Array of milliseconds since 1970-01-01T00:00:00Z (fraction = µs)   |
 * | `string`    | Int32Array codes into a `string[]` dictionary; code -1 is null           |
 * | `vector`    | dense: `size` + row-major Float64Array (n × size); or sparse CSR         |
 */
export type ColumnType = 'float64' | 'int32' | 'int64' | 'bool' | 'timestamp' | 'string' | 'vector';

/** Every column type, in a stable order (useful for validation messages). */
export const COLUMN_TYPES: readonly ColumnType[] = [
  'float64',
  'int32',
  'int64',
  'bool',
  'timestamp',
  'string',
  'vector',
];

/** One entry of `Frame.schema`. `size` is set for vectors only. */
export interface Field {
  readonly name: string;
  readonly type: ColumnType;
  readonly size?: number;
  /** True for sparse (CSR) vector columns. */
  readonly sparse?: boolean;
}

/** Numeric types whose storage is directly usable as numbers. */
export function isNumericType(t: ColumnType): boolean {
  return t === 'float64' || t === 'int32' || t === 'int64' || t === 'bool' || t === 'timestamp';
}
