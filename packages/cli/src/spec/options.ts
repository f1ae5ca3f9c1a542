/** The options `cauce train` and `cauce tune` share, declared once, and the spec format for `--help`. */
import type { Command } from 'commander';
import type { RunFlags } from './run.js';
import { checkTrackingFlags } from './tracking.js';

export interface SpecFlags {
  output?: string;
  overwrite?: boolean;
  json?: boolean;
  progress: boolean;
  trackingUri?: string;
  experiment?: string;
  registerAs?: string;
  alias?: string;
  runName?: string;
}

export function addSpecOptions(cmd: Command): Command {
  return cmd
    .argument('<spec>', 'the JSON spec: data, pipeline, evaluator (and tuning); see the format below')
    .option('-o, --output <dir>', 'save the fitted PipelineModel to this directory')
    .option('--overwrite', 'replace the -o directory when it exists')
    .option('--json', 'print the result as JSON on stdout')
    .option('--no-progress', 'do not show progress on stderr')
    .option(
      '--tracking-uri <uri>',
      'log the run to this MLflow-protocol server (default: MLFLOW_TRACKING_URI; no logging when neither is set)',
    )
    .option('--experiment <name>', 'experiment to log into (created when missing)')
    .option('--run-name <name>', "name of the run (default: the spec file's name)")
    .option('--register-as <name>', 'register the logged model under this name (a new version)')
    .option('--alias <alias>', 'point this alias of --register-as at the new version, e.g. champion');
}

export function runFlagsOf(flags: SpecFlags): RunFlags {
  checkTrackingFlags(flags);
  const out: RunFlags = {
    progress: { enabled: flags.progress, tty: process.stderr.isTTY === true },
  };
  for (const k of [
    'output',
    'overwrite',
    'trackingUri',
    'experiment',
    'registerAs',
    'alias',
    'runName',
  ] as const) {
    if (flags[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = flags[k];
  }
  return out;
}

export const SPEC_HELP = `
Spec (JSON; paths are relative to the spec file):
  {
    "data": { "path": "houses.csv",                       file or glob: CSV, Parquet, JSON, JSONL
              "sql": "SELECT * FROM data WHERE price > 0",  optional DuckDB SQL; the file is table data
              "split": { "trainRatio": 0.8, "seed": 42 } }, optional held-out test set
    "label": "price",                                      labelCol of every stage and the evaluator
    "features": ["area", "rooms"],                         optional: assembled into a "features" vector
    "pipeline": [                                          stages by Spark class name, with params
      { "stage": "StandardScaler", "params": { "inputCol": "features", "outputCol": "scaled" } },
      { "stage": "LinearRegression", "name": "lr", "params": { "featuresCol": "scaled" } }
    ],
    "tuning": { "method": "CrossValidator",                or TrainValidationSplit (with trainRatio)
                "numFolds": 3, "seed": 7, "parallelism": 2,
                "grid": { "lr.regParam": [0.01, 0.1, 1],   stage by name, class name or index
                          "1.elasticNetParam": [0, 0.5] } },
    "evaluator": { "name": "RegressionEvaluator", "metric": "rmse" }
  }`;
