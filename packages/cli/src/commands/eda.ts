import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { DataError, eda, parseCasts, readWithReport } from '@cauce/data';
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
    .action(async (data: string, flags: EdaFlags) => {
      if (flags.output === undefined && flags.json === undefined) {
        throw new CliError('nothing to write', 'pass -o report.html and/or --json report.json');
      }
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
          html: flags.output,
          json: flags.json,
          title: flags.title ?? `EDA: ${basename(data)}`,
          skippedRows: report.skippedRows,
        });
        const written = [flags.output, flags.json].filter((x) => x !== undefined).join(' and ');
        const skipped = report.skippedRows > 0 ? `, ${report.skippedRows} malformed rows skipped` : '';
        process.stdout.write(
          `summarised ${summary.rows} rows × ${summary.columns.length} columns into ${written} in ${((Date.now() - t0) / 1000).toFixed(1)} s${skipped}\n`,
        );
      } catch (e) {
        if (e instanceof DataError) throw new CliError(e.message, e.hint);
        throw e;
      }
    });
}
