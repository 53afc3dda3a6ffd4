import type { AbortRecord, RecordedRequest } from '../fake-upstream/fake-upstream.types';

/** Options of {@link startFakeOpenAI}. */
export interface FakeOpenAIOptions {
  /** TCP port to listen on; 0 / absent = a free port chosen by the OS. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Model ids listed by `GET /v1/models` (models named in `setForModel` are listed too). Default `['gpt-4o-mini']`. */
  models?: string[];
}

// Requests and aborts are recorded the same way by every fake (see the generic core); for the OpenAI fake,
// `AbortRecord.chunksSent` counts SSE `data:` events (the opening role chunk counts, `[DONE]` does not).
export type { AbortRecord, RecordedRequest };

export interface TextScenario {
  kind: 'text';
  /** Full reply. Default: `echo: <last user message text>` (or `chunks.join('')` when `chunks` is given). */
  content?: string;
  /** Stream content deltas. Default: `content` split into ~3 pieces. */
  chunks?: string[];
  /** Delay between stream chunk events (ms). Default 0. */
  chunkDelayMs?: number;
  /**
   * Stream: the 200 + SSE headers are flushed at once, the first `data:` event waits this long.
   * Non-stream: the whole response waits this long.
   */
  firstByteDelayMs?: number;
  /** Reported usage; default: prompt = words in the request messages, completion = words in the reply. */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Default `stop`. */
  finishReason?: string;
  /** Model reported in the response; default: the request's `model`. */
  model?: string;
  /** Merged (shallow, top level) into the completion object / every chunk object, e.g. `{ obfuscation: 'x' }`. */
  extra?: Record<string, unknown>;
}

export interface ToolCallScenario {
  kind: 'tool_call';
  name: string;
  /** The complete JSON-string arguments. */
  arguments: string;
  /** Stream argument fragments; default `arguments` split into ~3 pieces. */
  argumentChunks?: string[];
  /** Tool call id; default `call_fake_<n>`. */
  id?: string;
}

export interface ErrorScenario {
  kind: 'error';
  status: number;
  /** Response body; objects are sent as JSON, strings as they are. Default: an OpenAI error envelope fitting `status`. */
  body?: unknown;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string>;
}

export interface MidstreamErrorScenario {
  kind: 'midstream-error';
  /**
   * Chunk events to send before failing, counted like {@link AbortRecord.chunksSent}: 0 = fail right after the
   * 200 headers, 1 = after the role chunk only, 1 + k = after the role chunk and the first k content chunks.
   */
  afterChunks: number;
  /** Content chunks to draw from; default `['partial ', 'answer ', 'that ', 'never ', 'ends']`. */
  chunks?: string[];
  /**
   * `destroy`: socket destroyed; `error-event`: `data: {"error":{...}}` then a clean end;
   * `end`: clean end of the body without finish chunk / `[DONE]`.
   * Non-stream requests get the 200 headers plus a truncated JSON body, then `destroy` destroys the socket and `end`
   * ends the body; `error-event` answers 200 with an OpenAI error envelope as the body.
   */
  mode: 'destroy' | 'error-event' | 'end';
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
export interface DelayHeadersScenario {
  kind: 'delay-headers';
  ms: number;
  then: Scenario;
}

/** Recorded bytes sent as they are (see {@link import('../fake-upstream/fake-upstream.types').ReplayScenario}). */
export type { ReplayScenario } from '../fake-upstream/fake-upstream.types';
import type { ReplayScenario } from '../fake-upstream/fake-upstream.types';

export type Scenario =
  | ReplayScenario
  | TextScenario
  | ToolCallScenario
  | ErrorScenario
  | MidstreamErrorScenario
  | HangScenario
  | ResetScenario
  | DelayHeadersScenario;

export interface FakeOpenAI {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  port: number;
  /** Every request received, in arrival order (all paths, not only chat completions). */
  requests: RecordedRequest[];
  /** Script the next chat completions: queued scenarios are consumed first-in-first-out; when the queue is empty the default applies. */
  enqueue(...scenarios: Scenario[]): void;
  /** Initial default: a text reply echoing the last user message (`echo: <text>`). */
  setDefault(s: Scenario): void;
  /** Scenario by request model name (takes precedence over the default, not over the queue). */
  setForModel(model: string, s: Scenario): void;
  /** Replace the model ids listed by `GET /v1/models`. */
  setModels(models: string[]): void;
  /** Requests whose client went away before the response finished. */
  aborts: AbortRecord[];
  /**
   * Resolves with the first abort not yet returned by an earlier `waitForAbort` call (waiting for the next one if
   * there is none). Rejects after `timeoutMs` (default 5000).
   */
  waitForAbort(timeoutMs?: number): Promise<AbortRecord>;
  /** Resolves with a copy of `requests` once at least `n` were recorded. Rejects after `timeoutMs` (default 5000). */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Clears the queue, per-model scenarios and records; default back to echo, models back to the start options. */
  reset(): void;
  /** Stops listening and destroys open sockets; pending waits reject. */
  close(): Promise<void>;
}
