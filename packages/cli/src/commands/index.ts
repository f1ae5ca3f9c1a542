import type { Command } from 'commander';
import { registerEda } from './eda.js';
import { registerGc } from './gc.js';
import { registerImportMlruns } from './import-mlruns.js';
import { registerIngest } from './ingest.js';
import { registerServer } from './server.js';
import { registerTrain } from './train.js';
import { registerTune } from './tune.js';

/** Each command lives in its own file and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

// Add one line per command file. Keep the list sorted.
// prettier-ignore
export const commands: RegisterCommand[] = [
  registerEda,
  registerGc,
  registerImportMlruns,
  registerIngest,
  registerServer,
  registerTrain,
  registerTune,
];
