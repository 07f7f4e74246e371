/**
 * An error the user must act on: printed as one line (no stack) and the process exits
 * non-zero. The message says what to do next.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 2,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
