/** Metric history reads: the full history of one key, and sampled history for charts. */
import { sql } from 'kysely';
import type { Metric, MetricWithRunId } from '@cauce/protocol';
import { decodePageToken, nextToken } from '../page-token.js';
import type { Page } from '../tracking-store.js';
import { toWireMetric, type StoreContext } from './context.js';
import { getRunRow } from './runs.js';

export async function getMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  maxResults: number | undefined,
  pageToken: string | undefined,
): Promise<Page<Metric>> {
  await getRunRow(ctx.db, runId);
  const offset = decodePageToken(pageToken);
  let q = ctx.db
    .selectFrom('metrics')
    .select(['key', 'value', 'is_nan', 'timestamp', 'step'])
    .where('run_uuid', '=', runId)
    .where('key', '=', key)
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('value');
  if (maxResults !== undefined) q = q.limit(maxResults + 1).offset(offset);
  else if (offset > 0) q = q.limit(-1).offset(offset);
  const rows = await q.execute();
  const page = maxResults !== undefined ? rows.slice(0, maxResults) : rows;
  return {
    items: page.map(toWireMetric),
    nextPageToken:
      maxResults !== undefined
        ? nextToken(offset, page.length, maxResults, rows.length > maxResults)
        : undefined,
  };
}

/**
 * Sampled history (MLflow's get-history-bulk-interval, used by the UI's charts with 320 points).
 *
 * MLflow picks evenly spaced positions among the distinct steps. Counting positions means walking
 * every step of the range; instead we pick evenly spaced step *values* between the first and last
 * step and snap each to the next logged step with an index seek on (run_uuid, key, step), so a
 * million-point metric costs a few hundred b-tree seeks rather than a scan. For the common case of
 * steps logged at a regular stride the two choices give the same steps. When the range holds no
 * more distinct steps than asked for, every step is returned.
 */
export async function getMetricHistoryBulkInterval(
  ctx: StoreContext,
  runIds: string[],
  key: string,
  startStep: number | undefined,
  endStep: number | undefined,
  maxResults: number,
): Promise<MetricWithRunId[]> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) return [];
  const lo = startStep ?? Number.MIN_SAFE_INTEGER;
  const hi = endStep ?? Number.MAX_SAFE_INTEGER;
  const db = ctx.db;
  const inRange = sql`key = ${key} AND step >= ${lo} AND step <= ${hi}`;

  // Per run, an index range scan that stops after maxResults + 1 distinct steps (never a scan of a
  // long history), plus the last step by a descending seek; run arms are glued with UNION ALL.
  const arm = (id: string, order: 'ASC' | 'DESC', limit: number) =>
    sql`SELECT step FROM (SELECT DISTINCT step FROM metrics WHERE run_uuid = ${id} AND ${inRange}
      ORDER BY step ${sql.raw(order)} LIMIT ${limit}) a`;
  const head = await sql<{ step: number }>`${sql.join(
    ids.map((id) => arm(id, 'ASC', maxResults + 1)),
    sql` UNION ALL `,
  )}`.execute(db);
  const headSteps = new Set(head.rows.map((r) => Number(r.step)));
  let stepFilter = sql`1 = 1`;
  let sampledSteps: number[] | undefined;
  if (headSteps.size > maxResults) {
    const tail = await sql<{ step: number }>`${sql.join(
      ids.map((id) => arm(id, 'DESC', 1)),
      sql` UNION ALL `,
    )}`.execute(db);
    const first = Math.min(...headSteps);
    const last = Math.max(...tail.rows.map((r) => Number(r.step)));
    const targets = new Set<number>();
    for (let i = 0; i < maxResults; i++)
      targets.add(Math.round(first + ((last - first) * i) / (maxResults - 1)));
    const values = sql.join([...targets].map((t) => sql`(CAST(${t} AS BIGINT))`));
    // One statement: for every run and target, the first logged step at or after the target.
    const seeks = ids.map(
      (id) => sql`SELECT (SELECT m.step FROM metrics m WHERE m.run_uuid = ${id} AND m.key = ${key}
        AND m.step >= t.v AND m.step <= ${hi} ORDER BY m.step LIMIT 1) AS step FROM t`,
    );
    const sampled = await sql<{ step: number | null }>`WITH t(v) AS (VALUES ${values})
      ${sql.join(seeks, sql` UNION `)}`.execute(db);
    const steps = [
      ...new Set(
        sampled.rows
          .map((r) => r.step)
          .filter((s): s is number => s !== null)
          .map(Number),
      ),
    ];
    steps.push(first, last);
    sampledSteps = [...new Set(steps)];
    stepFilter = sql`step IN (${sql.join(sampledSteps)})`;
  }
  const rows = await sql<MetricRow>`${
    sampledSteps !== undefined && ctx.dialect === 'postgres'
      ? pgRowsAtSteps(ids, key, sampledSteps)
      : sql`SELECT run_uuid, key, value, is_nan, timestamp, step FROM metrics
    WHERE run_uuid IN (${sql.join(ids)}) AND ${inRange} AND ${stepFilter}`
  }
    ORDER BY run_uuid, step, timestamp, value`.execute(db);
  const byRun = new Map<string, MetricWithRunId[]>();
  for (const r of rows.rows) {
    const list = byRun.get(r.run_uuid) ?? [];
    list.push({ ...toWireMetric(r), run_id: r.run_uuid });
    byRun.set(r.run_uuid, list);
  }
  return ids.flatMap((id) => byRun.get(id) ?? []);
}

interface MetricRow {
  run_uuid: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
}

/**
 * PostgreSQL: the rows of the sampled steps as one index seek per (run, step), a nested loop the
 * planner cannot turn into a scan (OFFSET 0 keeps the LATERAL subquery from being flattened into a
 * join). The plain `step IN (...)` form is planned from statistics: when they do not yet know the
 * run's rows (a history logged since the last ANALYZE, e.g. right after a bulk load), the planner
 * prefers the (run_uuid, key) index range already in ORDER BY order and filters `step` row by row,
 * reading the whole history: a 1,000,000-point metric took ~130 ms CPU instead of ~5 ms
 * (bench:tracking). The steps come from the seeks above, so they already lie in [startStep, endStep].
 */
function pgRowsAtSteps(ids: string[], key: string, steps: number[]) {
  return sql`SELECT m.run_uuid, m.key, m.value, m.is_nan, m.timestamp, m.step
    FROM unnest(${ids}::text[]) AS r(id) CROSS JOIN unnest(${steps}::bigint[]) AS s(v)
    CROSS JOIN LATERAL (SELECT x.run_uuid, x.key, x.value, x.is_nan, x.timestamp, x.step FROM metrics x
      WHERE x.run_uuid = r.id AND x.key = ${key} AND x.step = s.v OFFSET 0) AS m`;
}
