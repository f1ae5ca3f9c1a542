/**
 * search-runs in SQL. One statement selects the page of run rows: the filter is a WHERE of EXISTS
 * probes (see search/compile.ts), each order_by key on a metric/param/tag is a LEFT JOIN on that
 * side table's (run_uuid, key) primary key, and a "missing or NaN" flag is sorted first so such rows
 * go last in both directions. The page is then hydrated with one query per kind (runs.ts).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Run } from '@cauce/protocol';
import { parseFilter, parseOrderBy } from '../../search/parser.js';
import { compileFilter, resolveAttribute, type FilterTarget } from '../../search/compile.js';
import { decodePageToken, nextToken } from '../page-token.js';
import type { Page, SearchRunsQuery } from '../tracking-store.js';
import { experimentIdToInt, type StoreContext } from './context.js';
import { hydrateRuns, hydrateRunsJson, hydrateRunsJsonPg } from './run-hydrate.js';
import type { RunsTable } from './schema.js';

const RUN_ATTRIBUTES: Record<string, { column: string; type: 'string' | 'number' }> = {
  run_id: { column: 'run_uuid', type: 'string' },
  run_uuid: { column: 'run_uuid', type: 'string' },
  run_name: { column: 'name', type: 'string' },
  'run name': { column: 'name', type: 'string' },
  status: { column: 'status', type: 'string' },
  user_id: { column: 'user_id', type: 'string' },
  artifact_uri: { column: 'artifact_uri', type: 'string' },
  lifecycle_stage: { column: 'lifecycle_stage', type: 'string' },
  start_time: { column: 'start_time', type: 'number' },
  created: { column: 'start_time', type: 'number' },
  end_time: { column: 'end_time', type: 'number' },
};

export const runTarget: FilterTarget = {
  attributeNames: [
    'run_id',
    'run_name',
    'status',
    'user_id',
    'artifact_uri',
    'start_time',
    'end_time',
    'created',
  ],
  attribute(key) {
    const a = RUN_ATTRIBUTES[key.toLowerCase()];
    return a ? { column: sql.ref(`runs.${a.column}`), type: a.type } : undefined;
  },
  side(entity, key) {
    switch (entity) {
      case 'metric':
        return {
          owner: sql.ref('runs.run_uuid'),
          select: sql`s.run_uuid FROM latest_metrics s WHERE s.key = ${key}`,
          column: sql.ref('s.value'),
          type: 'number',
          notNan: sql`s.is_nan = 0`,
        };
      case 'param':
      case 'tag':
        return {
          owner: sql.ref('runs.run_uuid'),
          select: sql`s.run_uuid FROM ${sql.table(entity === 'param' ? 'params' : 'tags')} s WHERE s.key = ${key}`,
          column: sql.ref('s.value'),
          type: 'string',
        };
      case 'dataset': {
        if (key !== 'name' && key !== 'digest' && key !== 'context') return undefined;
        return {
          owner: sql.ref('runs.run_uuid'),
          select: sql`ri.run_uuid FROM run_inputs ri JOIN datasets d ON d.dataset_uuid = ri.dataset_uuid WHERE 1 = 1`,
          column: key === 'context' ? sql.ref('ri.context') : sql.ref(`d.${key}`),
          type: 'string',
        };
      }
    }
  },
};

/** The page of run rows a search selects (before hydration), and the token of the next page. */
async function searchPage(
  ctx: StoreContext,
  q: SearchRunsQuery,
): Promise<{ rows: RunsTable[]; nextPageToken?: string }> {
  const filter = parseFilter(q.filter);
  const offset = decodePageToken(q.pageToken);
  const pageSize = q.maxResults ?? 1000;
  const expIds = q.experimentIds.map((id) => {
    try {
      return experimentIdToInt(id);
    } catch {
      return -1; // names no experiment: matches nothing, as MLflow's SQL store does
    }
  });
  if (expIds.length === 0) return { rows: [] };

  const joins: RawBuilder<unknown>[] = [];
  const order: RawBuilder<unknown>[] = [];
  (q.orderBy ?? []).forEach((text, i) => {
    const c = parseOrderBy(text);
    const dir = sql.raw(c.ascending ? 'ASC' : 'DESC');
    const alias = sql.table(`o${i}`);
    if (c.id.entity === 'attribute') {
      const a = resolveAttribute(c.id, runTarget);
      order.push(sql`CASE WHEN ${a.column} IS NULL THEN 1 ELSE 0 END`, sql`${a.column} ${dir}`);
      return;
    }
    const table = c.id.entity === 'metric' ? 'latest_metrics' : c.id.entity === 'param' ? 'params' : 'tags';
    joins.push(
      sql`LEFT JOIN ${sql.table(table)} AS ${alias} ON ${alias}.run_uuid = runs.run_uuid AND ${alias}.key = ${c.id.key}`,
    );
    // NaN sorts with the missing values (as NULL, so ties among them fall to the tie-breakers).
    const col =
      c.id.entity === 'metric'
        ? sql`CASE WHEN ${alias}.is_nan = 1 THEN NULL ELSE ${alias}.value END`
        : sql`${alias}.value`;
    order.push(sql`CASE WHEN ${col} IS NULL THEN 1 ELSE 0 END`, sql`${col} ${dir}`);
  });
  order.push(sql`runs.start_time DESC`, sql`runs.run_uuid ASC`);

  const stage =
    q.viewType === 'ALL'
      ? sql`1 = 1`
      : sql`runs.lifecycle_stage = ${q.viewType === 'DELETED_ONLY' ? 'deleted' : 'active'}`;
  const where = filter ? sql`${stage} AND ${compileFilter(filter, runTarget, ctx.dialect)}` : stage;
  const { rows } = await sql<RunsTable>`SELECT runs.* FROM runs ${sql.join(joins, sql` `)}
    WHERE runs.experiment_id IN (${sql.join(expIds)}) AND ${where}
    ORDER BY ${sql.join(order)} LIMIT ${pageSize + 1} OFFSET ${offset}`.execute(ctx.db);
  const page = rows.slice(0, pageSize);
  return { rows: page, nextPageToken: nextToken(offset, page.length, pageSize, rows.length > pageSize) };
}

export async function searchRuns(ctx: StoreContext, q: SearchRunsQuery): Promise<Page<Run>> {
  const { rows, nextPageToken } = await searchPage(ctx, q);
  return { items: await hydrateRuns(ctx.db, rows, ctx.sqlite), nextPageToken };
}

/**
 * The runs/search response body, `{"runs": [...], "next_page_token": "..."}`, as JSON text: what
 * JSON.stringify makes of `searchRuns`' page, up to the spelling of numbers (see hydrateRunsJson).
 * The runs' metrics, params and tags come out of the database as JSON text and are spliced in
 * without ever becoming JS objects: for a page of 1,000 runs (30,000 entities) that halves the CPU of
 * hydrating and serialising it on SQLite (bench:tracking).
 */
export async function searchRunsJson(ctx: StoreContext, q: SearchRunsQuery): Promise<string> {
  const { rows, nextPageToken } = await searchPage(ctx, q);
  const token = nextPageToken === undefined ? '' : `,"next_page_token":${JSON.stringify(nextPageToken)}`;
  let runs: string[];
  if (!ctx.sqlite) {
    runs = await hydrateRunsJsonPg(ctx.db, rows);
  } else if (ctx.db.isTransaction) {
    return `{"runs":${JSON.stringify(await hydrateRuns(ctx.db, rows, ctx.sqlite))}${token}}`;
  } else {
    const sqlite = ctx.sqlite;
    runs = await ctx.db.connection().execute(async () => hydrateRunsJson(sqlite, rows));
  }
  return `{"runs":[${runs.join(',')}]${token}}`;
}
