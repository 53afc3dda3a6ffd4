import type { ChatCompletion, ChatCompletionChunk, Usage } from '@aisbf/contracts';
import { randomBytes } from 'node:crypto';

/**
 * Builders of the OpenAI shapes the non-OpenAI adapters produce: `chat.completion`, `chat.completion.chunk` and usage,
 * shaped like OpenAI's own traffic (see libs/testing/fixtures/providers/openai).
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random id body (alphanumeric, like OpenAI's). */
export function randomId(length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

/** `chatcmpl-<upstream id or random>`: one id per response, shared by every chunk of a stream. */
export function completionId(upstreamId?: string | null): string {
  return `chatcmpl-${upstreamId || randomId(29)}`;
}

/** A tool call id for upstreams that give none (Gemini, older Ollama). */
export function toolCallId(): string {
  return `call_${randomId(24)}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface UsageParts {
  prompt: number;
  completion: number;
  total?: number;
  cachedPrompt?: number;
  reasoning?: number;
}

/** OpenAI `usage` with the details objects (reasoning and cached tokens where the upstream reports them). */
export function usageOf(u: UsageParts): Usage {
  const total = u.total ?? u.prompt + u.completion;
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: total,
    prompt_tokens_details: { cached_tokens: u.cachedPrompt ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
  };
}

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  /** Vendor data that must come back with the call on the next turn (Gemini thought signatures). */
  extra_content?: Record<string, unknown>;
}

export interface AssistantMessage {
  content: string | null;
  reasoning?: string;
  toolCalls?: OpenAIToolCall[];
  /** Extra message fields (e.g. `reasoning_details`). */
  extra?: Record<string, unknown>;
}

export interface CompletionChoice {
  index?: number;
  message: AssistantMessage;
  finishReason: string;
}

/** A `chat.completion`: reasoning goes to `reasoning_content`, never into `content`. */
export function buildCompletion(p: { id: string; model: string; created?: number; choices: CompletionChoice[]; usage: Usage | null }): ChatCompletion {
  return {
    id: p.id,
    object: 'chat.completion',
    created: p.created ?? nowSeconds(),
    model: p.model,
    choices: p.choices.map((c, i) => ({
      index: c.index ?? i,
      message: {
        role: 'assistant',
        content: c.message.content,
        ...(c.message.reasoning ? { reasoning_content: c.message.reasoning } : {}),
        ...(c.message.toolCalls?.length ? { tool_calls: c.message.toolCalls } : {}),
        refusal: null,
        ...(c.message.extra ?? {}),
      },
      logprobs: null,
      finish_reason: c.finishReason,
    })),
    usage: p.usage,
  };
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
  extra_content?: Record<string, unknown>;
}

export interface Delta {
  content?: string;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
  [extra: string]: unknown;
}

/**
 * Emits the chunks of one streamed response: one id, `role: "assistant"` on the first chunk that carries something
 * (so nothing is emitted, and nothing committed to the caller, before the upstream produced its first token), then
 * the finish chunk with an empty delta and the usage-only chunk (`choices: []`), as OpenAI does.
 */
export class ChunkStream {
  private readonly roleSent = new Set<number>();
  finishReason: string | null = null;

  constructor(
    readonly id: string,
    public model: string,
    readonly created = nowSeconds(),
  ) {}

  private chunk(choices: unknown[], usage?: Usage): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: choices as ChatCompletionChunk['choices'],
      ...(usage ? { usage } : {}),
    };
  }

  /** A delta chunk; `role` is added to the first one of each choice. */
  delta(delta: Delta, index = 0): ChatCompletionChunk {
    const d: Record<string, unknown> = this.roleSent.has(index) ? { ...delta } : { role: 'assistant', ...delta };
    this.roleSent.add(index);
    return this.chunk([{ index, delta: d, logprobs: null, finish_reason: null }]);
  }

  finish(reason: string, index = 0): ChatCompletionChunk {
    this.finishReason = reason;
    const delta = this.roleSent.has(index) ? {} : { role: 'assistant', content: '' };
    this.roleSent.add(index);
    return this.chunk([{ index, delta, logprobs: null, finish_reason: reason }]);
  }

  usage(usage: Usage): ChatCompletionChunk {
    return this.chunk([], usage);
  }
}

/** `arguments` as OpenAI wants them: always a JSON string, `"{}"` for none. */
export function argumentsJson(args: unknown): string {
  if (typeof args === 'string') return args.trim() === '' ? '{}' : args;
  if (args === undefined || args === null) return '{}';
  return JSON.stringify(args);
}
