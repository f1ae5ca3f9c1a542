import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';

/**
 * The chunks of a streaming result, with the next fetch already in flight while the caller reads the
 * current chunk. A fetch runs on a libuv thread (where DuckDB also executes the query for a streaming
 * result), so overlapping it with the JS copy keeps two cores busy instead of handing the work back and
 * forth: Parquet 1M × 24 on a loaded 2-core machine, serial 1.3–1.5 s → pipelined 0.45–0.85 s wall.
 * Exactly one fetch is in flight at a time (two concurrent fetches on one result crash the binding), and
 * the last one is always awaited, so the result is never closed under a running fetch.
 */
export async function* pipelinedChunks(res: DuckDBResult): AsyncGenerator<DuckDBDataChunk> {
  let next: Promise<DuckDBDataChunk | null> | undefined = res.fetchChunk();
  try {
    for (;;) {
      const c: DuckDBDataChunk | null = await next;
      next = undefined;
      if (c === null || c.rowCount === 0) return;
      next = res.fetchChunk();
      yield c;
    }
  } finally {
    // The consumer stopped early (an error, or a batch reader's caller broke out): let the fetch finish.
    if (next !== undefined) await next.catch(() => null);
  }
}
