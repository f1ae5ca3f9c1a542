import type { Command } from 'commander';
import { addSpecOptions, runFlagsOf, SPEC_HELP, type SpecFlags } from '../spec/options.js';
import { formatTune } from '../spec/report.js';
import { runTune } from '../spec/run.js';
import { readSpec } from '../spec/spec.js';

export function registerTune(program: Command): void {
  addSpecOptions(
    program
      .command('tune')
      .description(
        "Tune a pipeline from a JSON spec: CrossValidator or TrainValidationSplit over the spec's grid, " +
          'trials in parallel on worker threads; prints every param map and the best, logs parent/child runs',
      ),
  )
    .addHelpText(
      'after',
      `${SPEC_HELP}

Examples:
  cauce tune examples/tune/houses.json
  cauce tune spec.json -o models/houses --json > result.json
  MLFLOW_TRACKING_URI=http://127.0.0.1:5000 cauce tune spec.json --experiment houses \\
      --register-as houses --alias champion`,
    )
    .action(async (file: string, flags: SpecFlags) => {
      const runFlags = runFlagsOf(flags);
      const result = await runTune(readSpec(file), runFlags);
      process.stdout.write(flags.json === true ? JSON.stringify(result, null, 2) + '\n' : formatTune(result));
    });
}
