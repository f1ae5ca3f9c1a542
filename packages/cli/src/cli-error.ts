/**
 * An error the CLI reports to a person: what was wrong, and how to fix it. Anything else that
 * reaches the top level is a bug and is printed with its stack.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** One line that tells the user what to do about it. */
    readonly hint?: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
