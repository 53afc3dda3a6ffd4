import type { ChatCompletion, ChatCompletionChunk, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import type { AdapterChatRequest, AdapterDeps, ProviderAdapter, UpstreamModel } from '../adapter.port';
import { callSignal, capturingFetch, UpstreamResponseError } from '../shared/http-capture';
import type { Json } from '../shared/openai-input';
import { transportError, vendorHttpError } from '../shared/upstream-errors';
import { fromGeminiResponse, GeminiStreamTranslator, toGeminiRequest } from './google.mapping';

// @google/genai ships its Node typings as ESM; at runtime its `require` entry (dist/node/index.cjs) is used.
const genai = require('@google/genai') as typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });

/** The configured endpoint split into the SDK's `baseUrl` and `apiVersion` (`…/v1beta` → `…`, `v1beta`). */
export function geminiHttpOptions(endpoint: string | undefined): { baseUrl: string; apiVersion: string } {
  const e = (endpoint || 'https://generativelanguage.googleapis.com').replace(/\/+$/, '');
  const m = /^(.*)\/(v1(?:alpha|beta)?\d*)$/.exec(e);
  return m ? { baseUrl: m[1]!, apiVersion: m[2]! } : { baseUrl: e, apiVersion: 'v1beta' };
}

/** The SDK's and our fetch's failures as coded AppErrors. */
export function geminiError(providerId: string, err: unknown, signal: AbortSignal, timedOut: () => boolean): AppError {
  if (err instanceof AppError) return err;
  if (signal.aborted) return new AppError('CANCELLED', 'The request was cancelled', { providerId, retryable: false });
  if (timedOut()) return new AppError('TIMEOUT', `Upstream provider '${providerId}' timed out`, { providerId });
  if (err instanceof UpstreamResponseError) return vendorHttpError('google', { providerId, status: err.status, headers: err.headers, body: err.body });
  if (err instanceof genai.ApiError) {
    // An error object inside a 200 stream ("got status: X. {json}").
    const json = /\{[\s\S]*\}$/.exec(err.message)?.[0];
    let body: unknown = json ?? err.message;
    try {
      body = json ? JSON.parse(json) : body;
    } catch {
      /* keep text */
    }
    return vendorHttpError('google', { providerId, status: err.status || 500, body, message: err.message });
  }
  return transportError(providerId, err);
}

/**
 * Google Gemini through `@google/genai` at the configured endpoint (`httpOptions.baseUrl`): `:generateContent` and
 * `:streamGenerateContent?alt=sse`, one upstream call per attempt (the SDK's automatic function calling and
 * continuation are off; retries are the router's job).
 */
export class GoogleAdapter implements ProviderAdapter {
  readonly type = 'google';
  private readonly client: GoogleGenAI;

  constructor(
    readonly providerId: string,
    private readonly config: ProviderConfig,
    deps: AdapterDeps = {},
  ) {
    this.client = new genai.GoogleGenAI({
      vertexai: false,
      apiKey: config.api_key || 'not-needed',
      httpOptions: { ...geminiHttpOptions(config.endpoint), fetch: capturingFetch(deps.fetch ?? fetch) },
    });
  }

  private params(req: AdapterChatRequest, signal: AbortSignal) {
    const p = toGeminiRequest(req, this.config);
    return { ...p, config: { ...p.config, abortSignal: signal, automaticFunctionCalling: { disable: true }, automaticContinuation: false } };
  }

  async complete(req: AdapterChatRequest): Promise<ChatCompletion> {
    const call = callSignal(req.signal, req.timeoutMs);
    try {
      const res = await this.client.models.generateContent(this.params(req, call.signal) as never);
      return fromGeminiResponse(res as unknown as Json, req.model, this.providerId);
    } catch (err) {
      throw geminiError(this.providerId, err, req.signal, call.timedOut);
    }
  }

  async *stream(req: AdapterChatRequest): AsyncIterable<ChatCompletionChunk> {
    const call = callSignal(req.signal, req.timeoutMs);
    const translator = new GeminiStreamTranslator(req.model, this.providerId);
    try {
      const stream = await this.client.models.generateContentStream(this.params(req, call.signal) as never);
      for await (const res of stream) {
        for (const chunk of translator.push(res as unknown as Json)) yield chunk;
      }
    } catch (err) {
      throw geminiError(this.providerId, err, req.signal, call.timedOut);
    }
    if (req.signal.aborted) throw new AppError('CANCELLED', 'The request was cancelled', { providerId: this.providerId, retryable: false });
    if (!translator.finished) {
      throw new AppError('STREAM_INTERRUPTED', `Upstream provider '${this.providerId}' ended the stream before it finished`, { providerId: this.providerId });
    }
    for (const chunk of translator.end()) yield chunk;
  }

  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    const call = callSignal(signal, 30_000);
    try {
      const out: UpstreamModel[] = [];
      const pager = await this.client.models.list({ config: { pageSize: 1000, abortSignal: call.signal } });
      for await (const m of pager) {
        const raw = m as unknown as Json;
        const methods = Array.isArray(raw['supportedActions']) ? (raw['supportedActions'] as string[]) : [];
        if (methods.length && !methods.includes('generateContent')) continue;
        const id = String(raw['name'] ?? '').replace(/^models\//, '');
        const caps = ['tools', 'vision', ...(raw['thinking'] === true ? ['reasoning'] : [])];
        out.push({ id, ownedBy: 'google', ...(typeof raw['inputTokenLimit'] === 'number' ? { contextSize: raw['inputTokenLimit'] } : {}), capabilities: caps, raw });
      }
      return out;
    } catch (err) {
      throw geminiError(this.providerId, err, signal, call.timedOut);
    }
  }
}
