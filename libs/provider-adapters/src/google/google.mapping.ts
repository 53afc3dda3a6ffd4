import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { AdapterChatRequest } from '../adapter.port';
import {
  contentParts,
  functionTools,
  invalid,
  isObject,
  type Json,
  maxTokens,
  mediaTypeFromUrl,
  numberField,
  numberFields,
  parseArguments,
  parseDataUrl,
  pushTurn,
  reasoningEffort,
  stopList,
  textOf,
  toolChoice,
  toolNamesById,
} from '../shared/openai-input';
import { buildCompletion, ChunkStream, completionId, type OpenAIToolCall, toolCallId, usageOf } from '../shared/openai-output';

/**
 * OpenAI ⇄ Gemini `generateContent`. Real multi-turn `contents` (user/model roles), `systemInstruction`, images as
 * `inlineData` (data URLs) or `fileData` (https URLs), function declarations and `functionCall`/`functionResponse`
 * parts. Gemini gives calls no id, so the gateway synthesises one; the call's `thoughtSignature` (Gemini 3 requires
 * it back on the next turn) travels in the tool call's `extra_content.google.thought_signature`, the field Google's
 * own OpenAI compatibility layer uses.
 */

type Part = Json;
interface Content {
  role: 'user' | 'model';
  parts: Part[];
}

function imagePart(url: string, where: string): Part {
  const data = parseDataUrl(url);
  if (data) return { inlineData: { mimeType: data.mediaType, data: data.base64 } };
  if (/^https?:\/\//i.test(url)) return { fileData: { fileUri: url, mimeType: mediaTypeFromUrl(url) ?? 'image/jpeg' } };
  throw invalid(`${where}: image_url must be a data: URL or an http(s) URL`, 'messages');
}

function thoughtSignatureOf(tc: Json): string | undefined {
  const extra = tc['extra_content'];
  const google = isObject(extra) ? extra['google'] : undefined;
  const sig = isObject(google) ? google['thought_signature'] : undefined;
  return typeof sig === 'string' ? sig : undefined;
}

/** A tool result as the Struct `functionResponse.response` wants: a JSON object as is, anything else as `{output}`. */
function responseObject(text: string): Json {
  try {
    const v = JSON.parse(text) as unknown;
    if (isObject(v)) return v;
  } catch {
    /* plain text */
  }
  return { output: text };
}

export function toGeminiContents(messages: ChatMessage[]): { systemInstruction?: { parts: Part[] }; contents: Content[] } {
  const system: Part[] = [];
  const contents: Content[] = [];
  const names = toolNamesById(messages);
  const push = (role: Content['role'], parts: Part[]) => pushTurn(contents, role, 'parts', parts);
  messages.forEach((m, i) => {
    const where = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content, where);
        if (text) system.push({ text });
        return;
      }
      case 'user':
        push('user', contentParts(m.content, where).map((p) => (p.kind === 'text' ? { text: p.text } : imagePart(p.url, where))));
        return;
      case 'assistant': {
        const parts: Part[] = [];
        for (const p of contentParts(m.content, where)) {
          if (p.kind !== 'text') throw invalid(`${where}: assistant messages cannot contain images`, 'messages');
          parts.push({ text: p.text });
        }
        (m.tool_calls ?? []).forEach((tc, j) => {
          if (!tc.function?.name) throw invalid(`${where}.tool_calls[${j}] needs function.name`, 'messages');
          const sig = thoughtSignatureOf(tc as Json);
          parts.push({ functionCall: { name: tc.function.name, args: parseArguments(tc.function.arguments, `${where}.tool_calls[${j}]`) }, ...(sig ? { thoughtSignature: sig } : {}) });
        });
        push('model', parts);
        return;
      }
      case 'tool':
      case 'function': {
        const name = (m.tool_call_id ? names.get(m.tool_call_id) : undefined) ?? m.name;
        if (!name) throw invalid(`${where}: tool message '${m.tool_call_id ?? ''}' does not answer a tool call of an earlier assistant message`, 'messages');
        push('user', [{ functionResponse: { name, response: responseObject(textOf(m.content, where)) } }]);
        return;
      }
    }
  });
  return { ...(system.length ? { systemInstruction: { parts: system } } : {}), contents };
}

/** `generateContent` params (model, contents, config) for an OpenAI request. */
export function toGeminiRequest(req: AdapterChatRequest, config: ProviderConfig): { model: string; contents: Content[]; config: Json } {
  const b = req.body;
  const { systemInstruction, contents } = toGeminiContents(b.messages);
  const cfg: Json = {};
  if (systemInstruction) cfg['systemInstruction'] = systemInstruction;
  Object.assign(cfg, numberFields(b, { temperature: 'temperature', top_p: 'topP', top_k: 'topK', seed: 'seed', presence_penalty: 'presencePenalty', frequency_penalty: 'frequencyPenalty' }));
  const maxOutputTokens = maxTokens(b, config, req.model);
  if (maxOutputTokens !== undefined) cfg['maxOutputTokens'] = maxOutputTokens;
  const n = numberField(b, 'n');
  if (n !== undefined && n > 1) cfg['candidateCount'] = n;
  const stop = stopList(b);
  if (stop?.length) cfg['stopSequences'] = stop;
  const rf = (b as Json)['response_format'];
  if (isObject(rf)) {
    if (rf['type'] === 'json_object') cfg['responseMimeType'] = 'application/json';
    if (rf['type'] === 'json_schema' && isObject(rf['json_schema'])) {
      cfg['responseMimeType'] = 'application/json';
      if (isObject(rf['json_schema']['schema'])) cfg['responseJsonSchema'] = rf['json_schema']['schema'];
    }
  }
  const effort = reasoningEffort(b);
  if (effort === 'none') cfg['thinkingConfig'] = { thinkingBudget: 0 };
  else if (effort) cfg['thinkingConfig'] = { includeThoughts: true };

  const tools = functionTools(b);
  const choice = toolChoice(b);
  if (tools.length) {
    cfg['tools'] = [
      {
        functionDeclarations: tools.map((t) => ({
          name: t.name,
          ...(t.description !== undefined ? { description: t.description } : {}),
          ...(t.parameters ? { parametersJsonSchema: t.parameters } : {}),
        })),
      },
    ];
    if (choice) {
      cfg['toolConfig'] = {
        functionCallingConfig:
          choice.kind === 'function' ? { mode: 'ANY', allowedFunctionNames: [choice.name] }
          : { mode: choice.kind === 'required' ? 'ANY' : choice.kind === 'none' ? 'NONE' : 'AUTO' },
      };
    }
  }
  return { model: req.model, contents, config: cfg };
}

// ------------------------------------------------------------------------------------------------- response

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION', 'LANGUAGE']);

/** Gemini `finishReason` → OpenAI (`STOP` with a function call → `tool_calls`). */
export function geminiFinishReason(reason: string | undefined, hadToolCalls: boolean): string {
  if (!reason || reason === 'STOP' || reason === 'FINISH_REASON_UNSPECIFIED') return hadToolCalls ? 'tool_calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  if (hadToolCalls) return 'tool_calls';
  return 'stop'; // OTHER, MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, …
}

interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
}

export function geminiUsage(u: UsageMetadata | undefined) {
  const thoughts = u?.thoughtsTokenCount ?? 0;
  const prompt = u?.promptTokenCount ?? 0;
  const completion = (u?.candidatesTokenCount ?? 0) + thoughts;
  return usageOf({ prompt, completion, total: u?.totalTokenCount ?? prompt + completion, reasoning: thoughts, cachedPrompt: u?.cachedContentTokenCount ?? 0 });
}

interface CandidateOut {
  text: string;
  reasoning: string;
  toolCalls: OpenAIToolCall[];
}

function readParts(parts: Part[], out: CandidateOut): void {
  for (const part of parts) {
    if (isObject(part['functionCall'])) {
      const fc = part['functionCall'];
      const sig = typeof part['thoughtSignature'] === 'string' ? part['thoughtSignature'] : undefined;
      out.toolCalls.push({
        id: typeof fc['id'] === 'string' && fc['id'] ? fc['id'] : toolCallId(),
        type: 'function',
        function: { name: String(fc['name'] ?? ''), arguments: JSON.stringify(isObject(fc['args']) ? fc['args'] : {}) },
        ...(sig ? { extra_content: { google: { thought_signature: sig } } } : {}),
      });
    } else if (typeof part['text'] === 'string') {
      if (part['thought'] === true) out.reasoning += part['text'];
      else out.text += part['text'];
    }
  }
}

/** A prompt Gemini refused to answer (no candidates, `promptFeedback.blockReason`). */
function blockedPrompt(res: Json, providerId: string): AppError | undefined {
  const feedback = res['promptFeedback'];
  const reason = isObject(feedback) && typeof feedback['blockReason'] === 'string' ? feedback['blockReason'] : undefined;
  const candidates = Array.isArray(res['candidates']) ? res['candidates'] : [];
  if (!reason || candidates.length) return undefined;
  return new AppError('CONTENT_FILTER', `Gemini blocked the prompt (${reason})${isObject(feedback) && typeof feedback['blockReasonMessage'] === 'string' ? `: ${feedback['blockReasonMessage']}` : ''}`, {
    providerId,
    retryable: false,
    upstreamStatus: 400,
    type: 'invalid_request_error',
    upstreamCode: 'content_filter',
  });
}

export function fromGeminiResponse(res: Json, requestedModel: string, providerId: string): ChatCompletion {
  const blocked = blockedPrompt(res, providerId);
  if (blocked) throw blocked;
  const candidates = (Array.isArray(res['candidates']) ? res['candidates'] : []) as Json[];
  return buildCompletion({
    id: completionId(typeof res['responseId'] === 'string' ? res['responseId'] : undefined),
    model: typeof res['modelVersion'] === 'string' ? res['modelVersion'] : requestedModel,
    choices: (candidates.length ? candidates : [{}]).map((c, i) => {
      const out: CandidateOut = { text: '', reasoning: '', toolCalls: [] };
      const content = c['content'];
      readParts(isObject(content) && Array.isArray(content['parts']) ? (content['parts'] as Part[]) : [], out);
      return {
        index: typeof c['index'] === 'number' ? c['index'] : i,
        message: { content: out.text === '' && out.toolCalls.length ? null : out.text, ...(out.reasoning ? { reasoning: out.reasoning } : {}), toolCalls: out.toolCalls },
        finishReason: geminiFinishReason(c['finishReason'] as string | undefined, out.toolCalls.length > 0),
      };
    }),
    usage: geminiUsage(res['usageMetadata'] as UsageMetadata | undefined),
  });
}

/**
 * `streamGenerateContent?alt=sse` responses → OpenAI chunks. Each text part is a content (or, with `thought`,
 * reasoning) delta; each `functionCall` part is one whole tool call delta (index counting tool calls only). Usage
 * metadata is cumulative: the last chunk's counts. The finish and usage chunks come when the stream ends, if some
 * candidate gave a finish reason.
 */
export class GeminiStreamTranslator {
  private out?: ChunkStream;
  private usage: UsageMetadata | undefined;
  private readonly finish = new Map<number, string>();
  private readonly toolCounts = new Map<number, number>();

  constructor(
    private readonly requestedModel: string,
    private readonly providerId: string,
  ) {}

  get finished(): boolean {
    return this.finish.size > 0;
  }

  push(res: Json): ChatCompletionChunk[] {
    const blocked = blockedPrompt(res, this.providerId);
    if (blocked) throw blocked;
    this.out ??= new ChunkStream(completionId(typeof res['responseId'] === 'string' ? res['responseId'] : undefined), typeof res['modelVersion'] === 'string' ? res['modelVersion'] : this.requestedModel);
    if (isObject(res['usageMetadata'])) this.usage = res['usageMetadata'] as UsageMetadata;
    const chunks: ChatCompletionChunk[] = [];
    const candidates = (Array.isArray(res['candidates']) ? res['candidates'] : []) as Json[];
    candidates.forEach((c, i) => {
      const index = typeof c['index'] === 'number' ? c['index'] : i;
      const content = c['content'];
      const parts = isObject(content) && Array.isArray(content['parts']) ? (content['parts'] as Part[]) : [];
      for (const part of parts) {
        const one: CandidateOut = { text: '', reasoning: '', toolCalls: [] };
        readParts([part], one);
        if (one.reasoning) chunks.push(this.out!.delta({ reasoning_content: one.reasoning }, index));
        if (one.text) chunks.push(this.out!.delta({ content: one.text }, index));
        for (const tc of one.toolCalls) {
          const n = this.toolCounts.get(index) ?? 0;
          this.toolCounts.set(index, n + 1);
          chunks.push(this.out!.delta({ tool_calls: [{ index: n, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: tc.function.arguments }, ...(tc.extra_content ? { extra_content: tc.extra_content } : {}) }] }, index));
        }
      }
      if (typeof c['finishReason'] === 'string') this.finish.set(index, c['finishReason']);
    });
    return chunks;
  }

  /** The finish chunk per candidate and the usage chunk; only valid when `finished`. */
  end(): ChatCompletionChunk[] {
    const out = this.out ?? new ChunkStream(completionId(), this.requestedModel);
    const chunks = [...this.finish.entries()].sort(([a], [b]) => a - b).map(([index, reason]) => out.finish(geminiFinishReason(reason, (this.toolCounts.get(index) ?? 0) > 0), index));
    chunks.push(out.usage(geminiUsage(this.usage)));
    return chunks;
  }
}
