import type { Command } from 'commander';
import { registerEda } from './eda.js';
import { registerIngest } from './ingest.js';

/** Each command lives in its own file and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

// Add one line per command file. Keep the list sorted.
export const commands: RegisterCommand[] = [
  registerEda,
  registerIngest,
];
