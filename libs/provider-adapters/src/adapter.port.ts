import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ProviderConfig } from '@aisbf/contracts';

export interface AdapterChatRequest {
  /** Upstream model id (the part after `<provider_id>/`). */
  model: string;
  /** The caller's OpenAI request; `model` and `stream` are overridden by the adapter, every other field is passed on. */
  body: ChatCompletionRequest;
  /** Whether the caller wants the usage chunk in its stream (usage is collected upstream regardless). */
  includeUsage: boolean;
  /** Aborted when the caller goes away or the attempt is given up. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface UpstreamModel {
  id: string;
  contextSize?: number;
  ownedBy?: string;
  created?: number;
  /** What the upstream says the model can do (`vision`, `tools`, `reasoning`, …), when it says. */
  capabilities?: string[];
  raw?: Record<string, unknown>;
}

/**
 * One upstream. `complete` and `stream` throw `AppError`s with upstream codes; `stream` yields OpenAI chunks as they
 * arrive and throws `STREAM_INTERRUPTED` when the upstream ends without a finish reason (never a silent truncation).
 */
export interface ProviderAdapter {
  readonly providerId: string;
  readonly type: string;
  complete(req: AdapterChatRequest): Promise<ChatCompletion>;
  stream(req: AdapterChatRequest): AsyncIterable<ChatCompletionChunk>;
  listModels(signal: AbortSignal): Promise<UpstreamModel[]>;
  /** Releases timers and connections (e.g. RunPod's idle-pod watcher); optional. */
  close?(): Promise<void>;
}

export type AdapterFactory = (providerId: string, config: ProviderConfig, deps: AdapterDeps) => ProviderAdapter;

export interface AdapterDeps {
  /** Transport for the vendor SDKs (tests and benchmarks may pass a faster one). */
  fetch?: typeof fetch;
  /** Loads `image_url`s for upstreams that only take inline images (Ollama); default: data URLs + public https. */
  loadImage?: (url: string, signal: AbortSignal) => Promise<{ mediaType: string; base64: string }>;
  /** Shared last-use times of RunPod pods, so every replica's idle watcher sees every replica's traffic. */
  podActivity?: PodActivityStore;
}

/** Where RunPod pod activity is recorded (in memory by default; Redis in provider-workers). */
export interface PodActivityStore {
  touch(podKey: string, at: number): Promise<void>;
  lastUsed(podKey: string): Promise<number | undefined>;
}
