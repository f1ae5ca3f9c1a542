/** The parsed form of a search filter (MLflow's grammar plus OR, parentheses and IS [NOT] NULL). */

export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export interface Identifier {
  entity: Entity;
  key: string;
  /** Offset of the identifier in the filter text, for error messages. */
  pos: number;
}

export type FilterExpr =
  | { kind: 'and'; items: FilterExpr[] }
  | { kind: 'or'; items: FilterExpr[] }
  | { kind: 'cmp'; id: Identifier; op: CompareOp; value: number | string | string[] }
  | { kind: 'null'; id: Identifier; negated: boolean };

export interface OrderByClause {
  id: Identifier;
  ascending: boolean;
}
