/**
 * MLflow model signatures from frames. The wire format is MLflow's (`mlflow/types/schema.py`): a schema
 * is a JSON list of column specs `{"type": "double", "name": "x", "required": true}`, with MLflow's
 * type names (boolean, integer, long, double, string, datetime) and `{"type": "array", "items": …}`
 * for vector columns (MLflow ≥ 2.10 Array type). The MLmodel file stores each schema as a JSON string.
 */
import type { Field, Frame } from '@cauce/frame';

export interface ColSpec {
  type: string;
  name: string;
  required: boolean;
  items?: { type: string };
}

export interface ModelSignature {
  inputs: ColSpec[];
  outputs: ColSpec[];
}

const TYPE_NAMES: Record<string, string> = {
  float64: 'double',
  int32: 'integer',
  int64: 'long',
  bool: 'boolean',
  timestamp: 'datetime',
  string: 'string',
};

export function colSpec(field: Field, required = true): ColSpec {
  if (field.type === 'vector')
    return { type: 'array', items: { type: 'double' }, name: field.name, required };
  return { type: TYPE_NAMES[field.type] ?? 'string', name: field.name, required };
}

/** Column specs of some columns of a frame (all when `columns` is omitted); nullable columns are optional. */
export function inferSchema(frame: Frame, columns?: readonly string[]): ColSpec[] {
  const names = columns ?? frame.columnNames;
  return names.map((n) => colSpec(frame.field(n)!, frame.column(n).nullCount() === 0));
}

/** The JSON a value takes in an input example (MLflow's split orient): vectors as arrays, dates as ISO. */
export function exampleValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (typeof v === 'object' && v !== null && 'toArray' in v) return (v as { toArray(): unknown }).toArray();
  return v;
}

/** `{"columns": [...], "data": [[...]]}` — pandas' split orient, what MLflow writes to input_example.json. */
export function exampleSplit(frame: Frame): { columns: string[]; data: unknown[][] } {
  const columns = frame.columnNames;
  const cols = columns.map((c) => frame.column(c));
  const data: unknown[][] = [];
  for (let i = 0; i < frame.numRows; i++)
    data.push(cols.map((c) => (c.isNull(i) ? null : exampleValue(c.get(i)))));
  return { columns: [...columns], data };
}
