/**
 * Compiles a parsed filter into a SQL boolean expression (Kysely `sql` fragments, so values are
 * always bound parameters and identifiers never come from the user).
 *
 * Each search target (runs, experiments, logged models) describes its fields with a
 * `FilterTarget`: attributes are columns of the main row; metrics/params/tags/datasets live in side
 * tables and are tested as `owner IN (SELECT owner FROM side WHERE key = k AND <cond>)`. Written
 * this way the planner can start from the side table's (key, value) index and look rows up by
 * primary key — a selective clause touches only its matches instead of probing every row of the
 * experiment — and the same form still works under OR. A clause on a key the row does not have is
 * false, also for `!=` (MLflow's semantics); IS NULL is NOT IN.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { MlflowError } from '@cauce/protocol';
import type { CompareOp, Entity, FilterExpr, Identifier } from './ast.js';

export type ValueType = 'number' | 'string';
export type Dialect = 'sqlite' | 'postgres';

export interface AttributeField {
  column: RawBuilder<unknown>;
  type: ValueType;
}

/**
 * A side-table field, in one of two forms: `owner` + `select` (compiled to `owner IN (SELECT …)`,
 * preferred when the owner has a single-column id), or `from` (compiled to `EXISTS (SELECT 1 FROM …)`,
 * for composite owners such as model versions).
 */
export interface SideField {
  /** The outer row's id column, e.g. `runs.run_uuid`. */
  owner?: RawBuilder<unknown>;
  /** `s.<owner_fk> FROM <side> s WHERE s.key = <key>` — the select list and source of a sub-query. */
  select?: RawBuilder<unknown>;
  /** `<side> s WHERE s.<fk> = <outer>.<id> AND s.key = <key>` (without the select). */
  from?: RawBuilder<unknown>;
  /** The compared column inside `select`. */
  column: RawBuilder<unknown>;
  type: ValueType;
  /** For metrics: a condition that excludes NaN points (NaN never compares true). */
  notNan?: RawBuilder<unknown>;
}

export interface FilterTarget {
  /** Resolves an attribute name; undefined means unknown (the error lists `attributeNames`). */
  attribute(key: string): AttributeField | undefined;
  attributeNames: readonly string[];
  side(entity: Exclude<Entity, 'attribute'>, key: string): SideField | undefined;
}

const NUMERIC_OPS: readonly CompareOp[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_OPS: readonly CompareOp[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

function fail(id: Identifier, message: string): never {
  throw MlflowError.invalid(`Invalid filter: ${describe(id)} ${message} (at position ${id.pos}).`);
}

export function describe(id: Identifier): string {
  const prefix = {
    metric: 'metrics',
    param: 'params',
    tag: 'tags',
    attribute: 'attributes',
    dataset: 'datasets',
  };
  return `${prefix[id.entity]}.${/^[\w.]+$/.test(id.key) ? id.key : '`' + id.key + '`'}`;
}

/** Translates a LIKE pattern to a GLOB pattern: SQLite's LIKE ignores case, GLOB does not. */
function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

function condition(
  column: RawBuilder<unknown>,
  type: ValueType,
  op: CompareOp,
  value: number | string | string[],
  id: Identifier,
  dialect: Dialect,
): RawBuilder<SqlBool> {
  if (type === 'number') {
    if (!NUMERIC_OPS.includes(op)) fail(id, `is numeric and supports only = != > >= < <=, not ${op}`);
    if (typeof value !== 'number')
      fail(id, `is numeric: compare it with an unquoted number, e.g. ${describe(id)} > 0.5`);
    return sql<SqlBool>`${column} ${sql.raw(op)} ${value}`;
  }
  if (!STRING_OPS.includes(op))
    fail(id, `is a string and supports only = != LIKE ILIKE IN NOT IN, not ${op}`);
  if (op === 'IN' || op === 'NOT IN') {
    const list = value as string[];
    return sql<SqlBool>`${column} ${sql.raw(op)} (${sql.join(list.map((v) => sql`${v}`))})`;
  }
  if (typeof value !== 'string')
    fail(id, `is a string: quote the value, e.g. ${describe(id)} = '${String(value)}'`);
  if (op === 'LIKE') {
    return dialect === 'sqlite'
      ? sql<SqlBool>`${column} GLOB ${likeToGlob(value)}`
      : sql<SqlBool>`${column} LIKE ${value}`;
  }
  if (op === 'ILIKE') {
    return dialect === 'sqlite'
      ? sql<SqlBool>`lower(${column}) LIKE lower(${value})`
      : sql<SqlBool>`${column} ILIKE ${value}`;
  }
  return sql<SqlBool>`${column} ${sql.raw(op)} ${value}`;
}

export function compileFilter(expr: FilterExpr, target: FilterTarget, dialect: Dialect): RawBuilder<SqlBool> {
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const parts = expr.items.map((e) => compileFilter(e, target, dialect));
      return sql<SqlBool>`(${sql.join(parts, sql.raw(expr.kind === 'and' ? ' AND ' : ' OR '))})`;
    }
    case 'null': {
      if (expr.id.entity === 'attribute') {
        const a = resolveAttribute(expr.id, target);
        return sql<SqlBool>`${a.column} IS ${sql.raw(expr.negated ? 'NOT NULL' : 'NULL')}`;
      }
      const s = resolveSide(expr.id, target);
      if (s.owner && s.select) {
        return sql<SqlBool>`${s.owner} ${sql.raw(expr.negated ? 'IN' : 'NOT IN')} (SELECT ${s.select})`;
      }
      return sql<SqlBool>`${sql.raw(expr.negated ? '' : 'NOT ')}EXISTS (SELECT 1 FROM ${s.from!})`;
    }
    case 'cmp': {
      if (expr.id.entity === 'attribute') {
        const a = resolveAttribute(expr.id, target);
        return condition(a.column, a.type, expr.op, expr.value, expr.id, dialect);
      }
      const s = resolveSide(expr.id, target);
      const cond = condition(s.column, s.type, expr.op, expr.value, expr.id, dialect);
      const full = s.notNan ? sql`${s.notNan} AND ${cond}` : cond;
      if (s.owner && s.select) return sql<SqlBool>`${s.owner} IN (SELECT ${s.select} AND ${full})`;
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${s.from!} AND ${full})`;
    }
  }
}

export function resolveAttribute(id: Identifier, target: FilterTarget): AttributeField {
  const a = target.attribute(id.key);
  if (!a) fail(id, `is not a searchable attribute (valid: ${target.attributeNames.join(', ')})`);
  return a;
}

function resolveSide(id: Identifier, target: FilterTarget): SideField {
  const s = target.side(id.entity as Exclude<Entity, 'attribute'>, id.key);
  if (!s) fail(id, 'cannot be searched here');
  return s;
}
