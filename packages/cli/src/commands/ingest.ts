import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  DataError,
  PAGINATIONS,
  ingest,
  isHttpSource,
  parseCasts,
  type IngestProgress,
  type Pagination,
} from '@cauce/data';
import { CliError } from '../cli-error.js';

interface IngestFlags {
  output: string;
  cast: string[];
  onError: 'fail' | 'skip';
  pagination: Pagination;
  pageSize: string;
  where?: string;
  select?: string;
  order?: string;
  param: string[];
  header: string[];
  pageParam?: string;
  sizeParam?: string;
  firstPage?: string;
  cursorParam?: string;
  cursorPath?: string;
  recordsPath?: string;
  maxRows?: string;
  retries: string;
  timeoutMs: string;
  restart?: boolean;
  progress: boolean;
  json?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError(`--${name} must be a whole number ≥ 0, got ${JSON.stringify(v)}`);
  return n;
}

function pairs(flag: string, specs: string[], sep: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const i = s.indexOf(sep);
    if (i <= 0) throw new CliError(`bad --${flag} ${JSON.stringify(s)}`, `write it as name${sep}value`);
    out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return out;
}

/** Draws rows and rows/s on stderr (also in non-TTY logs) from the data layer's progress callback. */
function progressBar(enabled: boolean): { update: (p: IngestProgress) => void; stop: () => void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: ' {phase} | {rows} rows | {rate} rows/s | {pages} pages | {elapsed}s',
      noTTYOutput: true,
      notTTYSchedule: 2000,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const payload = {
        phase: p.phase,
        rows: p.rows.toLocaleString('en-US'),
        rate: Math.round(p.rowsPerSecond).toLocaleString('en-US'),
        pages: p.pages,
        elapsed: (p.elapsedMs / 1000).toFixed(1),
      };
      if (!started) {
        bar.start(0, 0, payload);
        started = true;
      } else bar.update(0, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'Load a file, a glob or a paged HTTP JSON API (Socrata $limit/$offset, page, cursor) into one file',
    )
    .argument(
      '<source>',
      'a file (.csv .parquet .json .jsonl), a glob (data/*.parquet), a directory of Parquet parts, or an http(s) URL',
    )
    .requiredOption(
      '-o, --output <file>',
      'output file; the format comes from the extension (.parquet .csv .json .jsonl)',
    )
    .option(
      '--cast <col=type>',
      'declare a column type (double, int, bigint, bool, timestamp, date, string); repeatable',
      collect,
      [],
    )
    .addOption(
      new Option('--on-error <mode>', 'malformed CSV rows: fail, or skip and count them')
        .choices(['fail', 'skip'])
        .default('fail'),
    )
    .addOption(
      new Option('--pagination <kind>', 'how the API pages').choices([...PAGINATIONS]).default('socrata'),
    )
    .option('--page-size <n>', 'rows per request', '1000')
    .option('--where <expr>', 'Socrata $where filter')
    .option('--select <cols>', 'Socrata $select')
    .option('--order <expr>', 'Socrata $order (default :id, needed for stable paging)')
    .option('--param <k=v>', 'extra query parameter on every request; repeatable', collect, [])
    .option('--header <name:value>', 'HTTP header, e.g. "X-App-Token: …"; repeatable', collect, [])
    .option('--page-param <name>', 'page number parameter (page pagination; default page)')
    .option('--size-param <name>', 'page size parameter (default per_page, or limit for cursors)')
    .option('--first-page <n>', 'number of the first page (default 1)')
    .option('--cursor-param <name>', 'cursor request parameter (default cursor)')
    .option('--cursor-path <path>', 'dotted path of the next cursor in a response (default next_cursor)')
    .option(
      '--records-path <path>',
      'dotted path of the records array in a response (default: the body, or data/results/items)',
    )
    .option('--max-rows <n>', 'stop after about this many rows (whole pages)')
    .option('--retries <n>', 'retries per request on 429/5xx/timeouts/dropped connections', '5')
    .option('--timeout-ms <n>', 'per-request timeout', '60000')
    .option('--restart', 'ignore saved progress of an interrupted run and start over')
    .option('--no-progress', 'do not draw the progress line')
    .option('--json', 'print the report as JSON')
    .action(async (source: string, flags: IngestFlags) => {
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once('SIGINT', onSigint);
      const bar = progressBar(flags.progress && flags.json !== true);
      try {
        const report = await ingest(source, {
          output: flags.output,
          cast: parseCasts(flags.cast),
          onError: flags.onError,
          pagination: flags.pagination,
          pageSize: positiveInt('page-size', flags.pageSize),
          where: flags.where,
          select: flags.select,
          order: flags.order,
          params: pairs('param', flags.param, '='),
          headers: pairs('header', flags.header, ':'),
          pageParam: flags.pageParam,
          sizeParam: flags.sizeParam,
          firstPage: positiveInt('first-page', flags.firstPage),
          cursorParam: flags.cursorParam,
          cursorPath: flags.cursorPath,
          recordsPath: flags.recordsPath,
          maxRows: positiveInt('max-rows', flags.maxRows),
          retries: positiveInt('retries', flags.retries),
          timeoutMs: positiveInt('timeout-ms', flags.timeoutMs),
          restart: flags.restart === true,
          signal: ac.signal,
          onProgress: bar.update,
          onRetry: ({ url, attempt, reason }) => {
            if (flags.json !== true) process.stderr.write(`\nretry ${attempt} of ${url}: ${reason}\n`);
          },
        });
        bar.stop();
        if (flags.json === true) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else {
          const skipped = report.skippedRows > 0 ? `, ${report.skippedRows} malformed rows skipped` : '';
          const pages = isHttpSource(source)
            ? ` from ${report.pages} pages${report.resumed ? ' (resumed)' : ''}`
            : '';
          process.stdout.write(
            `wrote ${report.rows} rows × ${report.columns.length} columns${pages} to ${report.output} in ${(report.elapsedMs / 1000).toFixed(1)} s${skipped}\n`,
          );
        }
      } catch (e) {
        bar.stop();
        if (e instanceof DataError) throw new CliError(e.message, e.hint);
        throw e;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
