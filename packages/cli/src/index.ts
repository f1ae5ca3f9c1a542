export { main, buildProgram } from './main.js';
export { CliError } from './cli-error.js';
