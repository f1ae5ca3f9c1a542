import type { Command } from 'commander';
import { addSpecOptions, runFlagsOf, SPEC_HELP, type SpecFlags } from '../spec/options.js';
import { formatTrain } from '../spec/report.js';
import { runTrain } from '../spec/run.js';
import { readSpec } from '../spec/spec.js';

export function registerTrain(program: Command): void {
  addSpecOptions(
    program
      .command('train')
      .description(
        'Fit a pipeline from a JSON spec once, with the params as written (the "tuning" section is for ' +
          '`cauce tune`); prints the evaluator metric on the train and test rows',
      ),
  )
    .addHelpText(
      'after',
      `${SPEC_HELP}

Examples:
  cauce train examples/tune/houses.json -o models/baseline
  cauce train spec.json --tracking-uri http://127.0.0.1:5000 --experiment houses --register-as houses`,
    )
    .action(async (file: string, flags: SpecFlags) => {
      const runFlags = runFlagsOf(flags);
      const result = await runTrain(readSpec(file), runFlags);
      process.stdout.write(
        flags.json === true ? JSON.stringify(result, null, 2) + '\n' : formatTrain(result),
      );
    });
}
