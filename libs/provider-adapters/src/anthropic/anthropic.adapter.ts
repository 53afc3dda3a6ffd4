import type { ChatCompletion, ChatCompletionChunk, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import Anthropic from '@anthropic-ai/sdk';
import type { AdapterChatRequest, AdapterDeps, ProviderAdapter, UpstreamModel } from '../adapter.port';
import type { Json } from '../shared/openai-input';
import { transportError, vendorHttpError } from '../shared/upstream-errors';
import { AnthropicStreamTranslator, fromAnthropicMessage, toAnthropicRequest } from './anthropic.mapping';

/** Nominal HTTP status of an Anthropic error `type`, for errors that arrive inside a 200 stream (`event: error`). */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The SDK's errors (HTTP errors, in-stream `event: error`, transport failures) as coded AppErrors. */
export function anthropicError(providerId: string, err: unknown, signal?: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Anthropic.APIUserAbortError || signal?.aborted) {
    return new AppError('CANCELLED', 'The request was cancelled', { providerId, retryable: false });
  }
  if (err instanceof Anthropic.APIConnectionTimeoutError) return new AppError('TIMEOUT', `Upstream provider '${providerId}' timed out`, { providerId });
  if (err instanceof Anthropic.APIConnectionError) return transportError(providerId, err.cause ?? err, signal);
  if (err instanceof Anthropic.APIError) {
    const body = err.error as Json | undefined;
    if (err.status) return vendorHttpError('anthropic', { providerId, status: err.status, headers: err.headers, body, message: err.message });
    // `event: error` inside a 200 stream: the upstream failed after it had started answering.
    const type = err.type ?? ((body?.['error'] as Json | undefined)?.['type'] as string | undefined) ?? 'api_error';
    return vendorHttpError('anthropic', { providerId, status: STATUS_OF_TYPE[type] ?? 500, headers: err.headers, body, message: err.message });
  }
  return transportError(providerId, err, signal);
}

/** The configured endpoint as the SDK's base URL (the SDK appends `/v1/messages`): a trailing `/v1` is dropped. */
export function anthropicBaseUrl(endpoint: string | undefined): string {
  const e = (endpoint || 'https://api.anthropic.com').replace(/\/+$/, '');
  return e.replace(/\/v1$/, '');
}

/**
 * Anthropic Messages API through `@anthropic-ai/sdk`, at the configured endpoint (the original ignored it).
 * OpenAI requests are translated to Messages requests and the answers back to OpenAI completions and chunks.
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly type = 'anthropic';
  private readonly client: Anthropic;

  constructor(
    readonly providerId: string,
    private readonly config: ProviderConfig,
    deps: AdapterDeps = {},
  ) {
    this.client = new Anthropic({
      apiKey: config.api_key || 'not-needed',
      baseURL: anthropicBaseUrl(config.endpoint),
      maxRetries: 0, // retries and failover are the router's job
      timeout: (config.timeout ?? 600) * 1000,
      logLevel: 'off',
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }

  async complete(req: AdapterChatRequest): Promise<ChatCompletion> {
    try {
      const msg = await this.client.messages.create({ ...toAnthropicRequest(req, this.config), stream: false } as never, { signal: req.signal, timeout: req.timeoutMs });
      return fromAnthropicMessage(msg as unknown as Json);
    } catch (err) {
      throw anthropicError(this.providerId, err, req.signal);
    }
  }

  async *stream(req: AdapterChatRequest): AsyncIterable<ChatCompletionChunk> {
    const translator = new AnthropicStreamTranslator(req.model);
    try {
      const events = (await this.client.messages.create({ ...toAnthropicRequest(req, this.config), stream: true } as never, {
        signal: req.signal,
        timeout: req.timeoutMs,
      })) as unknown as AsyncIterable<Json>;
      for await (const event of events) {
        for (const chunk of translator.push(event)) yield chunk;
      }
    } catch (err) {
      throw anthropicError(this.providerId, err, req.signal);
    }
    // The SDK ends quietly when its request is aborted: that is a cancellation, not the end of the answer.
    if (req.signal.aborted) throw new AppError('CANCELLED', 'The request was cancelled', { providerId: this.providerId, retryable: false });
    if (!translator.finished) {
      throw new AppError('STREAM_INTERRUPTED', `Upstream provider '${this.providerId}' ended the stream before it finished`, { providerId: this.providerId });
    }
  }

  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    try {
      const out: UpstreamModel[] = [];
      for await (const m of this.client.models.list({ limit: 1000 } as never, { signal })) {
        const raw = m as unknown as Json;
        const ctx = raw['max_input_tokens'] ?? raw['context_window'];
        const created = typeof raw['created_at'] === 'string' ? Math.floor(Date.parse(raw['created_at']) / 1000) : undefined;
        out.push({ id: m.id, ownedBy: 'anthropic', ...(created ? { created } : {}), ...(typeof ctx === 'number' ? { contextSize: ctx } : {}), raw });
      }
      return out;
    } catch (err) {
      throw anthropicError(this.providerId, err, signal);
    }
  }
}
