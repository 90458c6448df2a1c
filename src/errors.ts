/**
 * Exit codes, documented in the README and in `--help`. Usage errors are 64 (BSD sysexits EX_USAGE) so that
 * `plan --detailed-exitcode` can keep Terraform's contract (0 nothing to do, 1 error, 2 changes) without a
 * mistyped flag looking like "the plan has changes".
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  /** Only `plan --detailed-exitcode`: the plan has changes. */
  changes: 2,
  usage: 64,
  blocked: 3,
  failedRolledBack: 4,
  failedUnknown: 5,
  /** SIGHUP (the terminal went away): stopped at a checkpoint like SIGTERM, lock released. */
  hangup: 129,
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
