/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  blocked: 3,
  failedRolledBack: 4,
  failedUnknown: 5,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: one line, no stack, a deliberate exit code. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.error,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
