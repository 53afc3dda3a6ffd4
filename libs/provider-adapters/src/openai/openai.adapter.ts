import type { ChatCompletion, ChatCompletionChunk, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import OpenAI from 'openai';
import type { AdapterChatRequest, AdapterDeps, ProviderAdapter, UpstreamModel } from '../adapter.port';
import { errorFields, transportError, upstreamHttpError } from '../shared/upstream-errors';

/** Maps the openai SDK's errors (HTTP errors, in-stream `data: {"error":…}` events, transport failures) to codes. */
export function openAIError(providerId: string, err: unknown, signal?: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof OpenAI.APIUserAbortError || signal?.aborted) {
    return new AppError('CANCELLED', 'The request was cancelled', { providerId, retryable: false });
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new AppError('TIMEOUT', `Upstream provider '${providerId}' timed out`, { providerId });
  }
  if (err instanceof OpenAI.APIConnectionError) return transportError(providerId, err.cause ?? err, signal);
  if (err instanceof OpenAI.APIError) {
    if (err.status) return upstreamHttpError({ providerId, status: err.status, headers: err.headers, body: { error: err.error }, message: err.message });
    // An error event inside a 200 stream: the upstream failed after it had started answering.
    const f = errorFields({ error: err.error });
    return new AppError('UPSTREAM_UNAVAILABLE', f.message ?? err.message, { providerId, type: f.type, upstreamCode: f.code ?? null });
  }
  return transportError(providerId, err, signal);
}

/**
 * Any OpenAI-compatible API (OpenAI, RunPod `/openai/v1`, vLLM, LM Studio, CoderAI over HTTP) through the official
 * SDK. The caller's body is passed through untouched apart from `model`/`stream`; responses keep every field.
 */
export class OpenAICompatibleAdapter implements ProviderAdapter {
  readonly type = 'openai';
  private readonly client: OpenAI;

  constructor(
    readonly providerId: string,
    private readonly config: ProviderConfig,
    deps: AdapterDeps = {},
  ) {
    this.client = new OpenAI({
      apiKey: config.api_key || 'not-needed',
      baseURL: config.endpoint || 'https://api.openai.com/v1',
      maxRetries: 0, // retries and failover are the router's job
      timeout: (config.timeout ?? 600) * 1000,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }

  private params(req: AdapterChatRequest, stream: boolean): Record<string, unknown> {
    const { model: _model, stream: _stream, ...rest } = req.body;
    const p: Record<string, unknown> = { ...rest, model: req.model, stream };
    if (stream) p['stream_options'] = { ...(rest.stream_options ?? {}), include_usage: true };
    else delete p['stream_options'];
    return p;
  }

  async complete(req: AdapterChatRequest): Promise<ChatCompletion> {
    try {
      const res = await this.client.chat.completions.create(this.params(req, false) as never, { signal: req.signal, timeout: req.timeoutMs });
      return res as unknown as ChatCompletion;
    } catch (err) {
      throw openAIError(this.providerId, err, req.signal);
    }
  }

  async *stream(req: AdapterChatRequest): AsyncIterable<ChatCompletionChunk> {
    let finished = false;
    try {
      const stream = (await this.client.chat.completions.create(this.params(req, true) as never, {
        signal: req.signal,
        timeout: req.timeoutMs,
      })) as unknown as AsyncIterable<ChatCompletionChunk>;
      for await (const chunk of stream) {
        const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
        if (choices.some((c) => (c as { finish_reason?: unknown }).finish_reason)) finished = true;
        // Every chunk goes on, including the usage-only one we asked for on the caller's behalf: the worker reads the
        // usage and drops that chunk when the caller did not ask for it (`includeUsage`).
        yield chunk;
      }
    } catch (err) {
      throw openAIError(this.providerId, err, req.signal);
    }
    if (!finished) {
      throw new AppError('STREAM_INTERRUPTED', `Upstream provider '${this.providerId}' ended the stream before it finished`, {
        providerId: this.providerId,
      });
    }
  }

  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    try {
      const out: UpstreamModel[] = [];
      for await (const m of this.client.models.list({ signal })) {
        const raw = m as unknown as Record<string, unknown>;
        const ctx = raw['context_window'] ?? raw['context_length'] ?? raw['max_context_length'];
        out.push({ id: m.id, ownedBy: m.owned_by, created: m.created, contextSize: typeof ctx === 'number' ? ctx : undefined, raw });
      }
      return out;
    } catch (err) {
      throw openAIError(this.providerId, err, signal);
    }
  }
}
