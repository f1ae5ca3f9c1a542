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
    stepFilter = sql`step IN (${sql.join([...new Set(steps)])})`;
  }
  const rows = await sql<{
    run_uuid: string;
    key: string;
    value: number;
    is_nan: number;
    timestamp: number;
    step: number;
  }>`
    SELECT run_uuid, key, value, is_nan, timestamp, step FROM metrics
    WHERE run_uuid IN (${sql.join(ids)}) AND ${inRange} AND ${stepFilter}
    ORDER BY run_uuid, step, timestamp, value`.execute(db);
  const byRun = new Map<string, MetricWithRunId[]>();
  for (const r of rows.rows) {
    const list = byRun.get(r.run_uuid) ?? [];
    list.push({ ...toWireMetric(r), run_id: r.run_uuid });
    byRun.set(r.run_uuid, list);
  }
  return ids.flatMap((id) => byRun.get(id) ?? []);
}
