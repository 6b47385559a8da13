/** Counters the venue keeps for tests, benchmarks and the operator. */

export class VenueStats {
  requests = 0;
  /** Responses by HTTP status (errors and successes). */
  readonly responsesByStatus: Record<number, number> = {};
  /** Malformed bodies, query strings or WebSocket frames that were answered with an error. */
  badInput = 0;
  /** WebSocket frames and the `{T:...}` / trade-update items inside them. */
  framesSent = 0;
  itemsSent = 0;
  bytesSent = 0;
  wsConnections = 0;
  wsOpen = 0;
  /** Data connections closed because their send buffer grew past the slow-client limit. */
  slowClientsDropped = 0;
  /** Faults injected (each REST error, dropped stream, refused auth counts once). */
  faultsInjected = 0;
  /** Exceptions caught at a handler boundary (venue bugs, never a client's fault); each is also logged. */
  internalErrors = 0;

  /** Counts and reports an exception caught where it must not escape (a uWS callback, a timer). */
  internalError(where: string, err: unknown): void {
    this.internalErrors++;
    console.error(`qgtm venue: internal error in ${where}:`, err);
  }

  countResponse(status: number): void {
    this.responsesByStatus[status] = (this.responsesByStatus[status] ?? 0) + 1;
  }

  /** Error responses (status >= 400) by status. */
  errorsByStatus(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [status, count] of Object.entries(this.responsesByStatus)) if (Number(status) >= 400) out[Number(status)] = count;
    return out;
  }
}

/** A plain snapshot of the counters (safe to send across threads). */
export interface VenueStatsSnapshot {
  readonly requests: number;
  readonly responsesByStatus: Readonly<Record<number, number>>;
  readonly errorsByStatus: Readonly<Record<number, number>>;
  readonly badInput: number;
  readonly framesSent: number;
  readonly itemsSent: number;
  readonly bytesSent: number;
  readonly wsConnections: number;
  readonly wsOpen: number;
  readonly slowClientsDropped: number;
  readonly faultsInjected: number;
  readonly internalErrors: number;
  readonly ticksGenerated: number;
  readonly fills: number;
}
