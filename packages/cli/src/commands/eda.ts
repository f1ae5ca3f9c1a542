import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Option, type Command } from 'commander';
import { ClientError, MlflowClient } from '@cauce/client';
import { DataError, eda, parseCasts, readWithReport, type EdaSummary } from '@cauce/data';
import { CliError } from '../cli-error.js';

interface EdaFlags {
  output?: string;
  json?: string;
  target?: string;
  dateCol?: string;
  valueCol?: string;
  title?: string;
  cast: string[];
  onError: 'fail' | 'skip';
  trackingUri?: string;
  experiment: string;
  runName?: string;
}

/** Logs the report files as artifacts of a new run (params: data, target; metrics: rows, columns, skipped). */
async function logToTracking(
  flags: EdaFlags,
  data: string,
  summary: EdaSummary,
  files: { html: string; json: string },
): Promise<string> {
  const client = new MlflowClient(flags.trackingUri!);
  const existing = await client.getExperimentByName(flags.experiment);
  const experimentId = existing?.experiment_id ?? (await client.createExperiment(flags.experiment));
  const run = await client.createRun(experimentId, { runName: flags.runName ?? `eda ${basename(data)}` });
  const runId = run.info.run_id;
  try {
    await client.logBatch(runId, {
      params: { data, target: flags.target ?? '' },
      metrics: [
        { key: 'rows', value: summary.rows },
        { key: 'columns', value: summary.columns.length },
        { key: 'skipped_rows', value: summary.skippedRows ?? 0 },
      ],
    });
    await client.logArtifact(runId, files.html, 'eda');
    await client.logArtifact(runId, files.json, 'eda');
    await client.setTerminated(runId, 'FINISHED');
  } catch (e) {
    await client.setTerminated(runId, 'FAILED').catch(() => undefined);
    throw e;
  }
  return runId;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerEda(program: Command): void {
  program
    .command('eda')
    .description(
      'Explore a data set: per-column statistics, nulls, target distribution, outliers, correlations, monthly trends',
    )
    .argument('<data>', 'a file (.csv .parquet .json .jsonl), a glob, or a directory of Parquet parts')
    .option('-o, --output <report.html>', 'write a self-contained HTML report (charts inline, opens offline)')
    .option('--json <report.json>', 'write the summary as JSON')
    .option('--target <col>', 'the column to predict: its distribution is plotted on linear and log scales')
    .option('--date-col <col>', 'timestamp column for monthly counts (default: the first timestamp column)')
    .option('--value-col <col>', 'column summed per month (default: the target when numeric)')
    .option('--title <text>', 'report title (default: the file name)')
    .option('--cast <col=type>', 'declare a column type when reading; repeatable', collect, [])
    .addOption(
      new Option('--on-error <mode>', 'malformed CSV rows: fail, or skip and count them')
        .choices(['fail', 'skip'])
        .default('fail'),
    )
    .option(
      '--tracking-uri <uri>',
      'log the report as artifacts of a new run on this tracking server (MLflow protocol)',
    )
    .option('--experiment <name>', 'experiment of that run', 'eda')
    .option('--run-name <name>', 'name of that run (default: eda <file>)')
    .action(async (data: string, flags: EdaFlags) => {
      if (flags.output === undefined && flags.json === undefined && flags.trackingUri === undefined) {
        throw new CliError(
          'nothing to write',
          'pass -o report.html and/or --json report.json (or --tracking-uri)',
        );
      }
      // Logging needs both files; write them to a scratch directory when not asked for.
      const scratch = flags.trackingUri !== undefined ? mkdtempSync(join(tmpdir(), 'cauce-eda-')) : undefined;
      const html = flags.output ?? (scratch !== undefined ? join(scratch, 'report.html') : undefined);
      const json = flags.json ?? (scratch !== undefined ? join(scratch, 'report.json') : undefined);
      try {
        const t0 = Date.now();
        const { frame, report } = await readWithReport(data, {
          cast: parseCasts(flags.cast),
          onError: flags.onError,
        });
        const summary = await eda(frame, {
          target: flags.target,
          dateColumn: flags.dateCol,
          valueColumn: flags.valueCol,
          html,
          json,
          title: flags.title ?? `EDA: ${basename(data)}`,
          skippedRows: report.skippedRows,
        });
        const written =
          [flags.output, flags.json].filter((x) => x !== undefined).join(' and ') || 'the tracking server';
        const skipped = report.skippedRows > 0 ? `, ${report.skippedRows} malformed rows skipped` : '';
        process.stdout.write(
          `summarised ${summary.rows} rows × ${summary.columns.length} columns into ${written} in ${((Date.now() - t0) / 1000).toFixed(1)} s${skipped}\n`,
        );
        if (flags.trackingUri !== undefined) {
          const runId = await logToTracking(flags, data, summary, { html: html!, json: json! });
          process.stdout.write(
            `logged the report to run ${runId} (artifacts eda/${basename(html!)}, eda/${basename(json!)}) on ${flags.trackingUri}\n`,
          );
        }
      } catch (e) {
        if (e instanceof DataError) throw new CliError(e.message, e.hint);
        if (e instanceof ClientError)
          throw new CliError(
            `logging to ${flags.trackingUri}: ${e.message}`,
            'check --tracking-uri and that the server is running',
          );
        throw e;
      } finally {
        if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
      }
    });
}
