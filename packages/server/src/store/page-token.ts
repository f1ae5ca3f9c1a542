/**
 * MLflow's page tokens: base64 of `{"offset": N}` (mlflow/utils/search_utils.py
 * `create_page_token` / `parse_start_offset_from_page_token`). Offsets keep the server stateless: any
 * replica can serve the next page.
 */
import { MlflowError } from '@cauce/protocol';

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  let parsed: unknown;
  try {
    if (token.length > 1000 || !/^[A-Za-z0-9+/=_-]+$/.test(token)) throw new Error('not base64');
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw MlflowError.invalid(
      `Invalid page token, could not base64-decode and JSON-parse it: '${token.slice(0, 100)}'.`,
    );
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw MlflowError.invalid(
      `Invalid page token: expected {"offset": <non-negative integer>}, got '${token.slice(0, 100)}'.`,
    );
  }
  return offset;
}

/** Token for the page after `offset + returned` rows, or undefined when this page was the last. */
export function nextToken(
  offset: number,
  returned: number,
  pageSize: number,
  more: boolean,
): string | undefined {
  return more && returned === pageSize ? encodePageToken(offset + returned) : undefined;
}
