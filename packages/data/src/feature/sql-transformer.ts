import type { Field, Frame } from '@cauce/frame';
import { MLError, Transformer, registerStage, type ParamSpec, type Schema } from '@cauce/ml';
import { DataError } from '../errors.js';
import { quoteIdent } from '../duckdb/instance.js';
import { frameTypeOfId } from '../duckdb/result-to-frame.js';
import { schemaOfSync } from '../duckdb/sync-schema.js';
import { sql } from '../sql.js';

const THIS = '__THIS__';

const statement: ParamSpec<string> = {
  name: 'statement',
  doc: `SQL statement; ${THIS} stands for the input frame (e.g. SELECT *, log(valor) AS log_valor FROM ${THIS})`,
  type: 'string',
};

const SQL_TYPES: Record<string, (f: Field) => string> = {
  float64: () => 'DOUBLE',
  int32: () => 'INTEGER',
  int64: () => 'BIGINT',
  bool: () => 'BOOLEAN',
  timestamp: () => 'TIMESTAMP',
  string: () => 'VARCHAR',
  vector: (f) => `DOUBLE[${f.size ?? ''}]`,
};

export interface SQLTransformerParams {
  statement?: string;
}

/**
 * Spark ML's SQLTransformer: runs a SQL statement over the input frame, named `__THIS__`. It lives in
 * @cauce/data (not ml) because it runs on DuckDB; ml stays free of it. `transformSchema` plans the
 * statement over an empty table of the input schema, so a Pipeline checks later stages against the
 * columns this statement really produces. Load pipelines that contain it after importing @cauce/data
 * (importing registers the class).
 */
export class SQLTransformer extends Transformer {
  readonly statement = this.declare(statement);

  constructor(params: SQLTransformerParams = {}) {
    super();
    this.setParams(params);
  }

  setStatement(v: string): this {
    return this.set(this.statement, v);
  }

  getStatement(): string {
    const s = this.getOrDefault(this.statement);
    if (!s.includes(THIS)) {
      throw new MLError('INVALID_PARAM', `${this.uid}: statement must read from ${THIS} (the input frame)`, {
        stage: this.uid,
        param: 'statement',
        hint: `e.g. SELECT *, valor / 1e6 AS valor_millones FROM ${THIS}`,
      });
    }
    return s;
  }

  transformSchema(schema: Schema): Schema {
    const stmt = this.getStatement();
    const empty = schema.length
      ? `SELECT ${schema.map((f) => `CAST(NULL AS ${SQL_TYPES[f.type]!(f)}) AS ${quoteIdent(f.name)}`).join(', ')} WHERE false`
      : 'SELECT 1 AS "_" WHERE false';
    let out;
    try {
      out = schemaOfSync(`WITH ${THIS} AS (${empty}) SELECT * FROM (${stmt}) LIMIT 0`);
    } catch (e) {
      throw new MLError(
        'SCHEMA_MISMATCH',
        `${this.uid}: the statement does not run on the input columns: ${(e as Error).message}`,
        {
          stage: this.uid,
          param: 'statement',
          hint: `input columns: ${schema.map((f) => f.name).join(', ')}`,
        },
      );
    }
    return out.names.map((name, i) => {
      const type = frameTypeOfId(out.typeIds[i]!);
      const before = schema.find((f) => f.name === name);
      return type === 'vector' && before?.type === 'vector' ? { ...before } : { name, type };
    });
  }

  protected async _transform(frame: Frame): Promise<Frame> {
    try {
      return await sql(this.getStatement(), { [THIS]: frame });
    } catch (e) {
      if (e instanceof DataError) {
        throw new MLError('INVALID_DATA', `${this.uid}: ${e.message}`, {
          stage: this.uid,
          param: 'statement',
        });
      }
      throw e;
    }
  }
}

registerStage('SQLTransformer', SQLTransformer);
