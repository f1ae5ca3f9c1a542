/**
 * A recursive-descent parser for MLflow's search-filter grammar.
 *
 * MLflow (mlflow/utils/search_utils.py, docs "Search Runs") accepts clauses `<entity>.<key> <op>
 * <value>` joined by AND, where entity is metrics/params/tags/attributes/datasets (with their
 * singular and alias spellings; a bare key is an attribute), keys with special characters are
 * quoted with backticks or double quotes, string values are single- or double-quoted, numbers are
 * bare, and IN takes a parenthesised list. On top of that we accept what users have long asked
 * for: OR (AND binds tighter), parentheses, and `IS NULL` / `IS NOT NULL`.
 * Every error is INVALID_PARAMETER_VALUE and names the offending position and text.
 */
import { MlflowError } from '@cauce/protocol';
import type { CompareOp, Entity, FilterExpr, Identifier, OrderByClause } from './ast.js';

const ENTITY_ALIASES: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL']);

class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(message: string, at = this.pos): never {
    const near = this.text.slice(at, at + 20);
    throw MlflowError.invalid(
      `Invalid ${this.what} '${this.text}': ${message} at position ${at}${near ? ` (near '${near}')` : ' (end of input)'}.`,
    );
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peekChar(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  /** The next bare word (letters, digits, _), without consuming it. */
  peekWord(): string {
    this.skipSpace();
    const m = /^[A-Za-z_]+/.exec(this.text.slice(this.pos));
    return m ? m[0].toUpperCase() : '';
  }

  eatKeyword(kw: string): boolean {
    this.skipSpace();
    const m = /^[A-Za-z_]+/.exec(this.text.slice(this.pos));
    if (m && m[0].toUpperCase() === kw) {
      this.pos += m[0].length;
      return true;
    }
    return false;
  }

  /** A quoted run of text; `q` is the quote character, which may be doubled inside to escape it. */
  readQuoted(q: string): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail(`unterminated ${q}-quoted text`, start);
      const c = this.text[this.pos]!;
      if (c === q) {
        if (this.text[this.pos + 1] === q) {
          out += q;
          this.pos += 2;
          continue;
        }
        this.pos++;
        return out;
      }
      if (c === '\\' && this.pos + 1 < this.text.length) {
        out += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
  }
}

function readIdentifier(cur: Cursor, allowed: readonly Entity[]): Identifier {
  cur.skipSpace();
  const pos = cur.pos;
  const c = cur.text[pos];
  let head: string;
  if (c === '`' || c === '"') {
    // A whole quoted identifier: an attribute name with spaces (`"Run Name"`) or `entity.key` in one.
    head = cur.readQuoted(c);
    const dot = head.indexOf('.');
    const maybeEntity = dot > 0 ? ENTITY_ALIASES[head.slice(0, dot).toLowerCase()] : undefined;
    if (maybeEntity && cur.text[cur.pos] !== '.')
      return check({ entity: maybeEntity, key: head.slice(dot + 1), pos });
    if (cur.text[cur.pos] !== '.') return check({ entity: 'attribute', key: head, pos });
  } else {
    const m = /^[\w\-:/]+/.exec(cur.text.slice(pos));
    if (!m)
      cur.fail('expected an identifier such as metrics.rmse, params.alpha, tags.x or attributes.status');
    head = m[0];
    cur.pos += head.length;
    if (KEYWORDS.has(head.toUpperCase())) cur.fail(`expected an identifier, found the keyword ${head}`, pos);
  }
  if (cur.text[cur.pos] !== '.') return check({ entity: 'attribute', key: head, pos });
  const entity = ENTITY_ALIASES[head.toLowerCase()];
  if (!entity) {
    cur.fail(`unknown entity '${head}' (use metrics., params., tags., attributes. or datasets.)`, pos);
  }
  cur.pos++; // the dot
  const k = cur.text[cur.pos];
  let key: string;
  if (k === '`' || k === '"') {
    key = cur.readQuoted(k);
  } else if (k === "'") {
    cur.fail('identifiers cannot be in single quotes; quote keys with backticks, e.g. metrics.`f1 score`');
  } else {
    const m = /^[\w\-.:/]+/.exec(cur.text.slice(cur.pos));
    if (!m) cur.fail(`expected a key after '${head}.'`);
    key = m[0];
    cur.pos += key.length;
  }
  return check({ entity, key, pos });

  function check(id: Identifier): Identifier {
    if (id.key.length === 0) cur.fail('empty key', id.pos);
    if (!allowed.includes(id.entity)) {
      cur.fail(`${id.entity} fields cannot be used here (allowed: ${allowed.join(', ')})`, id.pos);
    }
    return id;
  }
}

function readNumber(cur: Cursor): number {
  cur.skipSpace();
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(cur.text.slice(cur.pos));
  if (!m) cur.fail('expected a number');
  cur.pos += m[0].length;
  return Number(m[0]);
}

function readString(cur: Cursor): string {
  cur.skipSpace();
  const c = cur.text[cur.pos];
  if (c === "'" || c === '"') return cur.readQuoted(c);
  if (c === '`') cur.fail('values cannot be in backticks; use single or double quotes');
  cur.fail("expected a quoted string value, e.g. 'abc'");
}

function readValue(cur: Cursor): number | string {
  const c = cur.peekChar();
  if (c === "'" || c === '"' || c === '`') return readString(cur);
  return readNumber(cur);
}

function readOperator(cur: Cursor): CompareOp | 'IS' {
  cur.skipSpace();
  const two = cur.text.slice(cur.pos, cur.pos + 2);
  if (two === '!=' || two === '>=' || two === '<=' || two === '<>') {
    cur.pos += 2;
    return two === '<>' ? '!=' : (two as CompareOp);
  }
  const one = cur.text[cur.pos];
  if (one === '=' || one === '>' || one === '<') {
    cur.pos += 1;
    if (one === '=' && cur.text[cur.pos] === '=') cur.pos++;
    return one;
  }
  const start = cur.pos;
  if (cur.eatKeyword('LIKE')) return 'LIKE';
  if (cur.eatKeyword('ILIKE')) return 'ILIKE';
  if (cur.eatKeyword('IN')) return 'IN';
  if (cur.eatKeyword('IS')) return 'IS';
  if (cur.eatKeyword('NOT')) {
    if (cur.eatKeyword('IN')) return 'NOT IN';
    cur.fail('expected IN after NOT', start);
  }
  cur.fail('expected a comparison operator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN, IS NULL)');
}

function readComparison(cur: Cursor, allowed: readonly Entity[]): FilterExpr {
  const id = readIdentifier(cur, allowed);
  const op = readOperator(cur);
  if (op === 'IS') {
    const negated = cur.eatKeyword('NOT');
    if (!cur.eatKeyword('NULL')) cur.fail(`expected NULL after IS${negated ? ' NOT' : ''}`);
    return { kind: 'null', id, negated };
  }
  if (op === 'IN' || op === 'NOT IN') {
    if (cur.peekChar() !== '(') cur.fail(`expected a parenthesised list after ${op}, e.g. ('a', 'b')`);
    cur.pos++;
    const values: string[] = [];
    for (;;) {
      values.push(readString(cur));
      const c = cur.peekChar();
      if (c === ',') {
        cur.pos++;
        continue;
      }
      if (c === ')') {
        cur.pos++;
        break;
      }
      cur.fail(`expected ',' or ')' in the ${op} list`);
    }
    return { kind: 'cmp', id, op, value: values };
  }
  return { kind: 'cmp', id, op, value: readValue(cur) };
}

function readPrimary(cur: Cursor, allowed: readonly Entity[], depth: number): FilterExpr {
  if (cur.peekChar() === '(') {
    if (depth > 50) cur.fail('parentheses nested too deeply');
    cur.pos++;
    const inner = readOr(cur, allowed, depth + 1);
    if (cur.peekChar() !== ')') cur.fail("expected ')'");
    cur.pos++;
    return inner;
  }
  return readComparison(cur, allowed);
}

function readAnd(cur: Cursor, allowed: readonly Entity[], depth: number): FilterExpr {
  const items = [readPrimary(cur, allowed, depth)];
  while (cur.eatKeyword('AND')) items.push(readPrimary(cur, allowed, depth));
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

function readOr(cur: Cursor, allowed: readonly Entity[], depth: number): FilterExpr {
  const items = [readAnd(cur, allowed, depth)];
  while (cur.eatKeyword('OR')) items.push(readAnd(cur, allowed, depth));
  return items.length === 1 ? items[0]! : { kind: 'or', items };
}

/** Maximum filter length we parse (MLflow has no documented cap; this keeps parsing cheap). */
const MAX_FILTER_LENGTH = 100_000;

/**
 * Parses a filter string; `undefined` for an empty or blank filter. `allowed` limits the entities
 * (experiments allow only attributes and tags).
 */
export function parseFilter(
  text: string | undefined,
  allowed: readonly Entity[] = ['metric', 'param', 'tag', 'attribute', 'dataset'],
): FilterExpr | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (text.length > MAX_FILTER_LENGTH) {
    throw MlflowError.invalid(`Invalid filter: longer than ${MAX_FILTER_LENGTH} characters.`);
  }
  const cur = new Cursor(text, 'filter');
  const expr = readOr(cur, allowed, 0);
  if (!cur.atEnd()) {
    const w = cur.peekWord();
    cur.fail(
      w ? `unexpected '${w}' (join clauses with AND or OR)` : 'unexpected text after a complete clause',
    );
  }
  return expr;
}

/** Parses one order_by clause: `<identifier> [ASC|DESC]`. */
export function parseOrderBy(
  text: string,
  allowed: readonly Entity[] = ['metric', 'param', 'tag', 'attribute'],
): OrderByClause {
  const cur = new Cursor(text, 'order_by clause');
  if (cur.atEnd()) cur.fail('empty clause');
  const id = readIdentifier(cur, allowed);
  let ascending = true;
  if (cur.eatKeyword('DESC')) ascending = false;
  else cur.eatKeyword('ASC');
  if (!cur.atEnd()) cur.fail('expected ASC or DESC and nothing after it');
  return { id, ascending };
}
