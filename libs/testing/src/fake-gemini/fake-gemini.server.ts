import { randomBytes } from 'node:crypto';
import { countWords, type Exchange, type RouteContext, splitText, startFakeUpstream } from '../fake-upstream/fake-upstream.core';
import type { BaseScenario, FakeUpstream } from '../fake-upstream/fake-upstream.types';

type Json = Record<string, unknown>;

/**
 * A fake Gemini API (`POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
 * `GET /v1beta/models`) speaking the real wire format: 2-space JSON, SSE `data: {…}\r\n\r\n` events without `[DONE]`
 * and with cumulative `usageMetadata` on every chunk, the `{"error":{code,message,status}}` envelope, and the checks an
 * adapter could fail: the key (`x-goog-api-key` or `?key=`), roles, `inlineData`, as many `functionResponse` parts as
 * the previous turn had `functionCall` parts, and (option) Gemini 3's required `thoughtSignature` on function calls.
 */

export interface GeminiUsageScenario {
  prompt: number;
  candidates: number;
  thoughts?: number;
}

export interface GeminiTextScenario {
  kind: 'text';
  /** Default: `echo: <last user text>`. */
  content?: string;
  chunks?: string[];
  /** A `thought: true` part before the answer. */
  thought?: string;
  finishReason?: string;
  usage?: GeminiUsageScenario;
  model?: string;
  chunkDelayMs?: number;
  firstByteDelayMs?: number;
}

export interface GeminiFunctionCallScenario {
  kind: 'function_call';
  calls: Array<{ name: string; args: Json }>;
  text?: string;
  /** Signature sent with the first call; default a fake one; `false` for none. */
  thoughtSignature?: string | false;
  usage?: GeminiUsageScenario;
}

/** The prompt is refused: no candidates, `promptFeedback.blockReason`. */
export interface GeminiBlockedScenario {
  kind: 'blocked';
  reason?: string;
}

export interface GeminiMidstreamScenario {
  kind: 'midstream-error';
  afterChunks: number;
  /** `error-event`: a `data: {"error":…}` event (503 UNAVAILABLE) then end; `destroy`; `end` (no finishReason). */
  mode: 'error-event' | 'destroy' | 'end';
}

export type GeminiScenario = GeminiTextScenario | GeminiFunctionCallScenario | GeminiBlockedScenario | GeminiMidstreamScenario;

export interface FakeGeminiOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** Reject function calls sent back without a `thoughtSignature` (Gemini 3 behaviour). */
  requireThoughtSignatures?: boolean;
  models?: Array<{ name: string; inputTokenLimit?: number; outputTokenLimit?: number; thinking?: boolean }>;
}

/** `url` is the base to configure as the provider `endpoint` (the SDK adds `/v1beta/models/...`). */
export type FakeGemini = FakeUpstream<GeminiScenario>;

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
};

export function geminiErrorBody(status: number, message?: string, details?: unknown[]): Json {
  return { error: { code: status, message: message ?? DEFAULT_MESSAGES[status] ?? `Request failed with status ${status} (fake upstream).`, status: STATUS_NAMES[status] ?? 'UNKNOWN', ...(details ? { details } : {}) } };
}

const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;

export function geminiSse(chunk: Json): string {
  return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
}

function partsText(parts: unknown): string {
  return Array.isArray(parts) ? parts.map((p) => (p && typeof p === 'object' && typeof (p as Json)['text'] === 'string' ? (p as Json)['text'] : '')).filter(Boolean).join(' ') : '';
}

function contentsOf(body: Json): Json[] {
  return Array.isArray(body['contents']) ? (body['contents'] as Json[]) : [];
}

function lastUserText(body: Json): string {
  const contents = contentsOf(body);
  for (let i = contents.length - 1; i >= 0; i--) {
    if (contents[i]!['role'] === 'user') {
      const t = partsText(contents[i]!['parts']);
      if (t) return t;
    }
  }
  return '';
}

function promptWords(body: Json): number {
  const sys = body['systemInstruction'] as Json | undefined;
  return countWords(partsText(sys?.['parts'])) + contentsOf(body).reduce((n, c) => n + countWords(partsText(c['parts'])), 0);
}

export function validateGenerateContent(body: unknown, requireSignatures: boolean): string | undefined {
  if (!body || typeof body !== 'object') return 'Invalid JSON payload received.';
  const contents = contentsOf(body as Json);
  if (contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified\n';
  for (let i = 0; i < contents.length; i++) {
    const c = contents[i]!;
    if (c['role'] !== 'user' && c['role'] !== 'model') return 'Please use a valid role: user, model.';
    const parts = Array.isArray(c['parts']) ? (c['parts'] as Json[]) : [];
    if (parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`;
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j]!;
      const inline = p['inlineData'] as Json | undefined;
      if (inline && (typeof inline['mimeType'] !== 'string' || typeof inline['data'] !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(inline['data'] as string))) {
        return `Invalid value at 'contents[${i}].parts[${j}].inline_data.data' (TYPE_BYTES), Base64 decoding failed`;
      }
    }
    const calls = parts.filter((p) => p['functionCall']);
    if (c['role'] === 'model' && calls.length) {
      if (requireSignatures && !calls[0]!['thoughtSignature']) {
        const fc = calls[0]!['functionCall'] as Json;
        return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String(fc['name'])}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
      }
      const next = contents[i + 1];
      const responses = next ? ((next['parts'] as Json[] | undefined) ?? []).filter((p) => p['functionResponse']) : [];
      if (next && responses.length !== calls.length) {
        return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
      }
    }
  }
  return undefined;
}

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const models = options.models ?? [{ name: 'gemini-2.5-flash', inputTokenLimit: 1048576, outputTokenLimit: 65536, thinking: true }];
  return startFakeUpstream<GeminiScenario>({
    name: 'fake-gemini',
    host: options.host,
    port: options.port,
    url: (hp) => `http://${hp}`,
    defaultScenario: () => ({ kind: 'text' }),
    errorBody: (status) => geminiErrorBody(status),
    route: async (ctx) => {
      const m = /^\/(v1(?:alpha|beta)?)\/models\/([^/:]+(?:\/[^/:]+)*):(generateContent|streamGenerateContent)$/.exec(ctx.pathname);
      const model = m ? decodeURIComponent(m[2]!) : undefined;
      const ex = ctx.exchange(model);
      const send = (status: number, payload: unknown) => {
        ex.head(status, { 'content-type': 'application/json; charset=UTF-8' });
        ex.end(json(payload));
      };
      if (options.apiKey !== undefined) {
        const key = ctx.headers['x-goog-api-key'] ?? ctx.query.get('key') ?? undefined;
        if (!key) return send(403, geminiErrorBody(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."));
        if (key !== options.apiKey) {
          return send(400, geminiErrorBody(400, 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }]));
        }
      }
      if (ctx.method === 'GET' && /^\/v1(?:alpha|beta)?\/models$/.test(ctx.pathname)) {
        return send(200, {
          models: models.map((x) => ({
            name: `models/${x.name}`,
            version: '001',
            displayName: x.name,
            inputTokenLimit: x.inputTokenLimit ?? 1048576,
            outputTokenLimit: x.outputTokenLimit ?? 8192,
            supportedGenerationMethods: ['generateContent', 'countTokens'],
            ...(x.thinking ? { thinking: true } : {}),
          })),
        });
      }
      if (ctx.method !== 'POST' || !m) return send(404, geminiErrorBody(404, `Method not found: ${ctx.method} ${ctx.pathname}`));
      const stream = m[3] === 'streamGenerateContent';
      if (stream && ctx.query.get('alt') !== 'sse') return send(400, geminiErrorBody(400, 'this fake only speaks alt=sse'));
      const problem = validateGenerateContent(ctx.body, options.requireThoughtSignatures === true);
      if (problem) return send(400, geminiErrorBody(400, problem));
      const play = async (s: GeminiScenario | BaseScenario<GeminiScenario>): Promise<void> => {
        if (await ctx.playBase(ex, s, play)) return;
        await playScenario(ex, ctx, ctx.body as Json, model!, stream, s as GeminiScenario);
      };
      await play(ctx.scenarioFor(model));
    },
  });
}

async function playScenario(ex: Exchange, ctx: RouteContext<GeminiScenario>, body: Json, model: string, stream: boolean, s: GeminiScenario): Promise<void> {
  const responseId = `fakeResp${ctx.n}${randomBytes(4).toString('hex')}`;
  const modelVersion = (s.kind === 'text' && s.model) || model;
  const sseHead = () => {
    ex.head(200, { 'content-type': 'text/event-stream', 'content-disposition': 'attachment' });
    ex.res.flushHeaders();
  };
  if (s.kind === 'blocked') {
    const res = { promptFeedback: { blockReason: s.reason ?? 'SAFETY' }, usageMetadata: { promptTokenCount: promptWords(body), totalTokenCount: promptWords(body) }, modelVersion, responseId };
    if (!stream) {
      ex.head(200, { 'content-type': 'application/json; charset=UTF-8' });
      return ex.end(json(res));
    }
    sseHead();
    ex.event(geminiSse(res));
    return ex.end();
  }
  if (s.kind === 'midstream-error') {
    if (!stream) {
      ex.head(200, { 'content-type': 'application/json; charset=UTF-8' });
      ex.write('{\n  "candidates": [\n    {\n      "content": {');
      return ex.destroy();
    }
    sseHead();
    const pieces = ['partial ', 'answer ', 'that ', 'never ', 'ends'].slice(0, Math.max(0, s.afterChunks));
    for (const t of pieces) {
      if (!ex.event(geminiSse({ candidates: [{ content: { parts: [{ text: t }], role: 'model' }, index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 }, modelVersion, responseId }))) return;
    }
    if (s.mode === 'destroy') return ex.destroy();
    if (s.mode === 'error-event') ex.event(geminiSse(geminiErrorBody(503)));
    return ex.end();
  }

  // text / function_call
  const parts: Json[] = [];
  const streamParts: Json[][] = [];
  let out = 0;
  if (s.kind === 'text' && s.thought) {
    parts.push({ text: s.thought, thought: true });
    streamParts.push([{ text: s.thought, thought: true }]);
  }
  if (s.kind === 'text') {
    const content = s.content ?? (s.chunks ? s.chunks.join('') : `echo: ${lastUserText(body)}`);
    parts.push({ text: content });
    for (const t of s.chunks ?? splitText(content)) streamParts.push([{ text: t }]);
    out = countWords(content);
  } else {
    if (s.text) {
      parts.push({ text: s.text });
      streamParts.push([{ text: s.text }]);
      out += countWords(s.text);
    }
    const sig = s.thoughtSignature === false ? undefined : (s.thoughtSignature ?? `fakeSig${randomBytes(12).toString('base64')}`);
    const fcs = s.calls.map((c, i) => ({ functionCall: { name: c.name, args: c.args }, ...(i === 0 && sig ? { thoughtSignature: sig } : {}) }));
    parts.push(...fcs);
    streamParts.push(fcs);
    out += s.calls.length * 5;
  }
  const usage = s.usage ?? { prompt: promptWords(body), candidates: out, thoughts: s.kind === 'text' && s.thought ? countWords(s.thought) : undefined };
  const usageMetadata = (candidates: number): Json => ({
    promptTokenCount: usage.prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: usage.prompt + candidates + (usage.thoughts ?? 0),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.prompt }],
    ...(usage.thoughts ? { thoughtsTokenCount: usage.thoughts } : {}),
  });
  const finishReason = s.kind === 'text' ? (s.finishReason ?? 'STOP') : 'STOP';
  const delayMs = s.kind === 'text' ? (s.firstByteDelayMs ?? 0) : 0;

  if (!stream) {
    if (!(await ex.delay(delayMs))) return;
    ex.head(200, { 'content-type': 'application/json; charset=UTF-8' });
    return ex.end(json({ candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }], usageMetadata: usageMetadata(usage.candidates), modelVersion, responseId }));
  }
  sseHead();
  if (!(await ex.delay(delayMs))) return;
  const chunkDelay = s.kind === 'text' ? (s.chunkDelayMs ?? 0) : 0;
  for (let i = 0; i < streamParts.length; i++) {
    if (i > 0 && !(await ex.delay(chunkDelay))) return;
    const last = i === streamParts.length - 1;
    const soFar = Math.round((usage.candidates * (i + 1)) / streamParts.length);
    const candidate: Json = { content: { parts: streamParts[i], role: 'model' }, ...(last ? { finishReason } : {}), index: 0 };
    if (!ex.event(geminiSse({ candidates: [candidate], usageMetadata: usageMetadata(soFar), modelVersion, responseId }))) return;
  }
  ex.end();
}
