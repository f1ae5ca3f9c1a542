import { DataError } from '../errors.js';

/**
 * How an HTTP JSON API is paged:
 * - `socrata`: `$limit`/`$offset` (+ `$where`, `$select`, `$order`), as Socrata's SODA 2 endpoints such as
 *   SECOP II's `https://www.datos.gov.co/resource/jbjy-vk9h.json` (dev.socrata.com/docs/paging.html).
 * - `page`: a page number and a page size parameter (`page`/`per_page` by default).
 * - `cursor`: the response names the next cursor (at `cursorPath`), sent back as `cursorParam`.
 * - `none`: one request.
 */
export type Pagination = 'socrata' | 'page' | 'cursor' | 'none';
export const PAGINATIONS: readonly Pagination[] = ['socrata', 'page', 'cursor', 'none'];

export interface PaginationOptions {
  pagination?: Pagination;
  /** Rows per page (default 1000; Socrata allows up to 50 000). */
  pageSize?: number;
  /** Socrata `$where`. */
  where?: string;
  /** Socrata `$select`. */
  select?: string;
  /** Socrata `$order`; paging needs a stable order (default `:id`, Socrata's row id). */
  order?: string;
  /** Extra query parameters sent with every request. */
  params?: Record<string, string>;
  pageParam?: string;
  sizeParam?: string;
  /** Number of the first page (default 1). */
  firstPage?: number;
  cursorParam?: string;
  /** Dotted path of the next cursor in the response (default `next_cursor`). */
  cursorPath?: string;
  /** Dotted path of the records array in the response (default: the response itself, or `data`/`results`/`items`). */
  recordsPath?: string;
}

/** Where the paging is: what the next request asks for. Stored in the resume state. */
export interface PageState {
  page: number;
  offset: number;
  cursor: string | null;
  done: boolean;
}

export function initialState(opts: PaginationOptions): PageState {
  return { page: opts.firstPage ?? 1, offset: 0, cursor: null, done: false };
}

/** The URL of the request for `state`. */
export function pageUrl(base: string, opts: PaginationOptions, state: PageState): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new DataError(
      'INVALID_ARGUMENT',
      `not a URL: ${base}`,
      'give an http(s) URL, a file path or a glob',
    );
  }
  const q = url.searchParams;
  for (const [k, v] of Object.entries(opts.params ?? {})) q.set(k, v);
  const size = String(opts.pageSize ?? 1000);
  switch (opts.pagination ?? 'socrata') {
    case 'socrata':
      q.set('$limit', size);
      q.set('$offset', String(state.offset));
      if (!q.has('$order')) q.set('$order', opts.order ?? ':id');
      if (opts.where !== undefined) q.set('$where', opts.where);
      if (opts.select !== undefined) q.set('$select', opts.select);
      break;
    case 'page':
      q.set(opts.pageParam ?? 'page', String(state.page));
      q.set(opts.sizeParam ?? 'per_page', size);
      break;
    case 'cursor':
      q.set(opts.sizeParam ?? 'limit', size);
      if (state.cursor !== null) q.set(opts.cursorParam ?? 'cursor', state.cursor);
      break;
    case 'none':
      break;
  }
  return url.toString();
}

function at(body: unknown, path: string): unknown {
  let v: unknown = body;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The records of one response, or a BAD_RESPONSE error that says what came back instead. */
export function recordsOf(body: unknown, opts: PaginationOptions, url: string): Record<string, unknown>[] {
  let recs: unknown;
  if (opts.recordsPath !== undefined) recs = at(body, opts.recordsPath);
  else if (Array.isArray(body)) recs = body;
  else {
    for (const k of ['data', 'results', 'items', 'records']) {
      recs = at(body, k);
      if (Array.isArray(recs)) break;
    }
  }
  if (!Array.isArray(recs)) {
    const keys =
      body !== null && typeof body === 'object' ? Object.keys(body).slice(0, 10).join(', ') : typeof body;
    throw new DataError(
      'BAD_RESPONSE',
      `GET ${url}: no array of records ${opts.recordsPath !== undefined ? `at "${opts.recordsPath}"` : 'in the response'} (found: ${keys})`,
      'point --records-path at the array of records, e.g. --records-path data',
    );
  }
  recs.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      throw new DataError(
        'BAD_RESPONSE',
        `GET ${url}: record ${i} is not a JSON object`,
        'records must be objects',
      );
    }
  });
  return recs as Record<string, unknown>[];
}

/** The state after a page with `count` records (and the response, for cursors). */
export function nextState(
  state: PageState,
  opts: PaginationOptions,
  count: number,
  body: unknown,
): PageState {
  const size = opts.pageSize ?? 1000;
  switch (opts.pagination ?? 'socrata') {
    case 'socrata':
      return { ...state, page: state.page + 1, offset: state.offset + count, done: count < size };
    case 'page':
      return {
        ...state,
        page: state.page + 1,
        offset: state.offset + count,
        done: count === 0 || count < size,
      };
    case 'cursor': {
      const c = at(body, opts.cursorPath ?? 'next_cursor');
      const cursor = typeof c === 'string' && c !== '' ? c : typeof c === 'number' ? String(c) : null;
      return {
        page: state.page + 1,
        offset: state.offset + count,
        cursor,
        done: cursor === null || count === 0,
      };
    }
    case 'none':
      return { ...state, page: state.page + 1, offset: count, done: true };
  }
}
