import type { ChatCompletion, ChatCompletionChunk, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
// The browser build: the Node build reads `images` strings that name an existing file from disk, which a caller
// could abuse to make the gateway send its own files upstream.
import { Ollama } from 'ollama/browser';
import type { AdapterChatRequest, AdapterDeps, ProviderAdapter, UpstreamModel } from '../adapter.port';
import { callSignal, capturingFetch, UpstreamResponseError } from '../shared/http-capture';
import { defaultImageLoader, type ImageLoader } from '../shared/image-loader';
import { isObject, type Json } from '../shared/openai-input';
import { transportError, vendorHttpError } from '../shared/upstream-errors';
import { fromOllamaResponse, OllamaStreamTranslator, toOllamaRequest } from './ollama.mapping';

const INCOMPLETE_STREAM = 'Did not receive done or success response in stream.';

export function ollamaError(providerId: string, err: unknown, signal: AbortSignal, timedOut: () => boolean): AppError {
  if (err instanceof AppError) return err;
  if (signal.aborted) return new AppError('CANCELLED', 'The request was cancelled', { providerId, retryable: false });
  if (timedOut()) return new AppError('TIMEOUT', `Upstream provider '${providerId}' timed out`, { providerId });
  if (err instanceof UpstreamResponseError) return vendorHttpError('ollama', { providerId, status: err.status, headers: err.headers, body: err.body });
  const e = err as { name?: string; message?: string; cause?: unknown };
  if (e?.message === INCOMPLETE_STREAM) {
    return new AppError('STREAM_INTERRUPTED', `Upstream provider '${providerId}' ended the stream before it finished`, { providerId });
  }
  // `{"error":"…"}` inside a 200 NDJSON stream: the client throws a plain Error with the upstream's text.
  if (e?.name === 'Error' && !e.cause && typeof e.message === 'string') {
    return vendorHttpError('ollama', { providerId, status: 500, body: { error: e.message } });
  }
  return transportError(providerId, err);
}

/** The configured endpoint as the client's host (`/api` or `/v1` suffixes are dropped). */
export function ollamaHost(endpoint: string | undefined): string {
  return (endpoint || 'http://127.0.0.1:11434').replace(/\/+$/, '').replace(/\/(api|v1)$/, '');
}

/**
 * Ollama's native `/api/chat` through the `ollama` client (NDJSON streaming), local or Ollama Cloud (`api_key` is sent
 * as a bearer token). One client per call, so the call's cancellation and deadline reach its fetch.
 */
export class OllamaAdapter implements ProviderAdapter {
  readonly type = 'ollama';
  private readonly host: string;
  private readonly fetchImpl: typeof fetch;
  private readonly loadImage: ImageLoader;

  constructor(
    readonly providerId: string,
    private readonly config: ProviderConfig,
    deps: AdapterDeps = {},
  ) {
    this.host = ollamaHost(config.endpoint);
    this.fetchImpl = capturingFetch(deps.fetch ?? fetch);
    this.loadImage = deps.loadImage ?? defaultImageLoader;
  }

  private client(signal: AbortSignal): Ollama {
    const base = this.fetchImpl;
    const fetchWithSignal = ((input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1] = {}) =>
      base(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal })) as typeof fetch;
    return new Ollama({
      host: this.host,
      fetch: fetchWithSignal,
      ...(this.config.api_key ? { headers: { Authorization: `Bearer ${this.config.api_key}` } } : {}),
    });
  }

  async complete(req: AdapterChatRequest): Promise<ChatCompletion> {
    const call = callSignal(req.signal, req.timeoutMs);
    try {
      const body = await toOllamaRequest(req, this.config, false, this.loadImage, call.signal);
      const res = await this.client(call.signal).chat(body as never);
      return fromOllamaResponse(res as unknown as Json, req.model);
    } catch (err) {
      throw ollamaError(this.providerId, err, req.signal, call.timedOut);
    }
  }

  async *stream(req: AdapterChatRequest): AsyncIterable<ChatCompletionChunk> {
    const call = callSignal(req.signal, req.timeoutMs);
    const translator = new OllamaStreamTranslator(req.model);
    try {
      const body = await toOllamaRequest(req, this.config, true, this.loadImage, call.signal);
      const lines = (await this.client(call.signal).chat(body as never)) as unknown as AsyncIterable<Json>;
      for await (const line of lines) {
        for (const chunk of translator.push(line)) yield chunk;
      }
    } catch (err) {
      throw ollamaError(this.providerId, err, req.signal, call.timedOut);
    }
    if (!translator.finished) {
      throw new AppError('STREAM_INTERRUPTED', `Upstream provider '${this.providerId}' ended the stream before it finished`, { providerId: this.providerId });
    }
  }

  /** `/api/tags`, with each model's context length and capabilities from `/api/show` where the server answers it. */
  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    const call = callSignal(signal, 30_000);
    try {
      const client = this.client(call.signal);
      const tags = (await client.list()) as unknown as { models?: Json[] };
      const models = (tags.models ?? []).filter(isObject);
      const out: UpstreamModel[] = [];
      for (let i = 0; i < models.length; i += 4) {
        const batch = await Promise.all(models.slice(i, i + 4).map((m) => this.describe(client, m)));
        out.push(...batch);
      }
      return out;
    } catch (err) {
      throw ollamaError(this.providerId, err, signal, call.timedOut);
    }
  }

  private async describe(client: Ollama, m: Json): Promise<UpstreamModel> {
    const id = String(m['model'] ?? m['name']);
    const modified = typeof m['modified_at'] === 'string' ? Date.parse(m['modified_at']) : NaN;
    const details = isObject(m['details']) ? m['details'] : {};
    const base: UpstreamModel = {
      id,
      ownedBy: id.includes('/') ? id.split('/')[0]! : 'library',
      ...(Number.isNaN(modified) ? {} : { created: Math.floor(modified / 1000) }),
      ...(typeof details['context_length'] === 'number' ? { contextSize: details['context_length'] } : {}),
      raw: m,
    };
    try {
      const show = (await client.show({ model: id })) as unknown as Json;
      const info = isObject(show['model_info']) ? show['model_info'] : {};
      const arch = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : undefined;
      const ctx = arch ? info[`${arch}.context_length`] : undefined;
      const caps = Array.isArray(show['capabilities']) ? (show['capabilities'] as string[]).map((c) => (c === 'thinking' ? 'reasoning' : c)).filter((c) => c !== 'completion') : undefined;
      return { ...base, ...(typeof ctx === 'number' ? { contextSize: ctx } : {}), ...(caps ? { capabilities: caps } : {}) };
    } catch {
      return base; // older servers / cloud: the listing alone is still useful
    }
  }
}
