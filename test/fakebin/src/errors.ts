/** A failure the fake reports the way the real binary does: text on stderr, an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** An answer from the API server that was not 2xx. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The API server could not be reached at all. */
export class UnreachableError extends Error {}
