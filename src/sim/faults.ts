/**
 * Network faults the simulator can play, for testing how a client copes. The server reads
 * the object on every frame, so tests change the fields of `server.faults` while it runs.
 */
export interface SimFaults {
  /**
   * Play dead: send nothing (no data, no `{"status":"UP"}`, no pong, no idle close) while
   * the socket stays open — the half-open connection a client must detect by itself.
   * Frames produced meanwhile are dropped, not delayed.
   * @default false
   */
  silent: boolean;
  /**
   * Delay every outbound frame (data, status, errors, pongs) by this many ms, in order.
   * @default 0
   */
  latencyMs: number;
}

export function createFaults(initial: Partial<SimFaults> = {}): SimFaults {
  return { silent: initial.silent ?? false, latencyMs: initial.latencyMs ?? 0 };
}
