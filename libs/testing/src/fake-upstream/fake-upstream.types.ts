/** One HTTP request as a fake received it (recorded before it is answered). */
export interface RecordedRequest {
  method: string;
  /** Request target including the query string. */
  path: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body parsed as JSON, or the raw string when it is not JSON (`''` when empty). */
  body: unknown;
  receivedAt: number;
}

/** A request whose client went away before the fake finished its response. */
export interface AbortRecord {
  path: string;
  model: string | undefined;
  /** Stream events (SSE events / NDJSON lines) written before the client left. */
  chunksSent: number;
  at: number;
}

/** Scenarios every fake understands (the protocol-specific ones are added by each fake). */
export interface ErrorScenario {
  kind: 'error';
  status: number;
  /** Body; objects are sent as JSON, strings as they are. Default: the vendor's error envelope for `status`. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Accept the request and never answer (until the client aborts or `close()`). */
export interface HangScenario {
  kind: 'hang';
}

/** Destroy the socket right after reading the request, without any response. */
export interface ResetScenario {
  kind: 'reset';
}

/** Wait `ms` before anything is written, then play `then`. */
export interface DelayHeadersScenario<S> {
  kind: 'delay-headers';
  ms: number;
  then: S | BaseScenario<S>;
}

/**
 * Send recorded bytes as they are: `status`, `headers`, then `body` (or `frames`, written one by one with
 * `frameDelayMs` between them, each counted as a stream event).
 */
export interface ReplayScenario {
  kind: 'replay';
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  frames?: Array<string | Buffer>;
  frameDelayMs?: number;
}

export type BaseScenario<S> = ErrorScenario | HangScenario | ResetScenario | DelayHeadersScenario<S> | ReplayScenario;

/** What every fake upstream offers besides its protocol. */
export interface FakeUpstream<S> {
  /** Base URL to configure as the provider `endpoint` (each fake documents what it includes). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  aborts: AbortRecord[];
  /** Script the next calls: queued scenarios are consumed first-in-first-out, then per model, then the default. */
  enqueue(...scenarios: Array<S | BaseScenario<S>>): void;
  setDefault(s: S | BaseScenario<S>): void;
  setForModel(model: string, s: S | BaseScenario<S>): void;
  /**
   * Answer every `method pathname` request with `s` (until `reset()`), before the protocol routes see it: e.g. a
   * recorded listing replayed byte for byte.
   */
  serve(method: string, pathname: string, s: ReplayScenario | ErrorScenario | HangScenario | ResetScenario): void;
  waitForAbort(timeoutMs?: number): Promise<AbortRecord>;
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Clears the queue, per-model scenarios and records; the default goes back to the echo. */
  reset(): void;
  close(): Promise<void>;
}
