/**
 * Schema checks shared by every stage. They run in `transformSchema`, before any numeric work, so a
 * missing column or a string where a vector belongs fails fast with a message naming the stage, the
 * param and the column (Spark's `SchemaUtils.checkColumnType` / `appendColumn`).
 */
import type { ColumnType, Field } from '@cauce/frame';
import { MLError } from './errors.js';

/** A frame's schema as stages see it: `Frame.schema`. */
export type Schema = readonly Field[];

/** Accepted input kinds: exact types, or 'numeric' for any number-backed scalar column. */
export type Accept = 'numeric' | 'vector' | 'string' | 'numericOrString' | 'any' | readonly ColumnType[];

const NUMERIC: readonly ColumnType[] = ['float64', 'int32', 'int64', 'bool', 'timestamp'];

function acceptedTypes(accept: Accept): readonly ColumnType[] {
  if (Array.isArray(accept)) return accept as readonly ColumnType[];
  switch (accept) {
    case 'numeric':
      return NUMERIC;
    case 'vector':
      return ['vector'];
    case 'string':
      return ['string'];
    case 'numericOrString':
      return [...NUMERIC, 'string'];
    default:
      return [...NUMERIC, 'string', 'vector'];
  }
}

function hintFor(found: ColumnType, wanted: readonly ColumnType[]): string | undefined {
  if (found === 'string' && wanted.includes('vector')) {
    return 'index strings with StringIndexer, then build a vector with VectorAssembler';
  }
  if (found === 'string') return 'index strings with StringIndexer first';
  if (wanted.length === 1 && wanted[0] === 'vector')
    return 'assemble columns into a vector with VectorAssembler';
  if (found === 'vector') return 'this param takes a scalar column, not a vector';
  return undefined;
}

export function findField(schema: Schema, name: string): Field | undefined {
  return schema.find((f) => f.name === name);
}

/**
 * The field called `column`, which param `param` of stage `stage` names; it must exist and be of an
 * accepted type. Throws SCHEMA_MISMATCH otherwise.
 */
export function requireColumn(
  stage: string,
  schema: Schema,
  param: string,
  column: string,
  accept: Accept,
): Field {
  const f = findField(schema, column);
  if (!f) {
    const names = schema.map((x) => x.name);
    throw new MLError(
      'SCHEMA_MISMATCH',
      `${stage}: ${param} column '${column}' does not exist; available columns: ${names.length ? names.join(', ') : '(none)'}`,
      { stage, param, column, hint: `set ${param} to one of the existing columns` },
    );
  }
  const ok = acceptedTypes(accept);
  if (!ok.includes(f.type)) {
    throw new MLError(
      'SCHEMA_MISMATCH',
      `${stage}: ${param} column '${column}' must be of type ${ok.join(' or ')}, but it is ${f.type}`,
      { stage, param, column, hint: hintFor(f.type, ok) },
    );
  }
  return f;
}

/** `schema` plus `field`; the column must not exist yet (Spark refuses to overwrite, and so do we). */
export function appendColumn(stage: string, schema: Schema, param: string, field: Field): Field[] {
  if (findField(schema, field.name)) {
    throw new MLError('SCHEMA_MISMATCH', `${stage}: ${param} column '${field.name}' already exists`, {
      stage,
      param,
      column: field.name,
      hint: `choose another ${param} or drop the column first`,
    });
  }
  return [...schema, field];
}

/** Checks that the two params' arrays have equal length (inputCols / outputCols …). */
export function requireSameLength(
  stage: string,
  a: { name: string; value: readonly unknown[] },
  b: { name: string; value: readonly unknown[] },
): void {
  if (a.value.length !== b.value.length) {
    throw new MLError(
      'INVALID_PARAM',
      `${stage}: ${a.name} has ${a.value.length} entries but ${b.name} has ${b.value.length}; they must match`,
      { stage, param: b.name },
    );
  }
}
