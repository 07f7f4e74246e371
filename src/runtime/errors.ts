import { inspect } from 'node:util';

/** One line for a task list or a log field: the message, never the stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : `${error.name}: ${error.message}`;
  return inspect(error, { depth: 2, breakLength: Infinity });
}

/**
 * The full text of an error for a bug report: stack, then each `cause` in turn. A cycle or a
 * very deep chain is cut short rather than looping.
 */
export function formatError(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && !seen.has(current) && parts.length < 8) {
    seen.add(current);
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : `Non-error value thrown: ${inspect(current, { depth: 4 })}`;
    parts.push(parts.length === 0 ? text : `Caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n');
}

/** The reason a task is aborted with when nothing failed: it is being stopped. */
export function cancellation(message: string): DOMException {
  return new DOMException(message, 'AbortError');
}

/**
 * Whether a rejection is the task's own cancellation rather than a failure: the signal has
 * aborted and the value is its reason, or an `AbortError` raised by an API that wraps the
 * reason (`events.once`, `stream.finished`, …).
 */
export function isCancellation(error: unknown, signal: AbortSignal): boolean {
  if (!signal.aborted) return false;
  if (error === signal.reason) return true;
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
