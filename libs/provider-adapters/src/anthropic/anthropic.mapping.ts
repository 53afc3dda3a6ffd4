import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ProviderConfig } from '@aisbf/contracts';
import type { AdapterChatRequest } from '../adapter.port';
import {
  contentParts,
  functionTools,
  invalid,
  isObject,
  type Json,
  maxTokens,
  numberField,
  parseArguments,
  pushTurn,
  parseDataUrl,
  reasoningEffort,
  singleChoice,
  stopList,
  textOf,
  toolChoice,
} from '../shared/openai-input';
import { argumentsJson, buildCompletion, ChunkStream, completionId, type OpenAIToolCall, usageOf } from '../shared/openai-output';

/** Anthropic requires `max_tokens`; used when neither the caller nor the config sets one (as the original did). */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

const THINKING_BUDGET: Record<string, number> = { low: 1024, medium: 4096, high: 16384 };

// ------------------------------------------------------------------------------------------------- request

interface Turn {
  role: 'user' | 'assistant';
  content: Json[];
}

function imageBlock(url: string, where: string): Json {
  const data = parseDataUrl(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.base64 } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalid(`${where}: image_url must be a data: URL or an http(s) URL`, 'messages');
}

function userBlocks(m: ChatMessage, where: string): Json[] {
  return contentParts(m.content, where).map((p) => (p.kind === 'text' ? { type: 'text', text: p.text } : imageBlock(p.url, where)));
}

/** `reasoning_details` (OpenRouter's convention, which we also emit) back into signed thinking blocks. */
function thinkingBlocks(m: ChatMessage): Json[] {
  const details = (m as Json)['reasoning_details'];
  if (!Array.isArray(details)) return [];
  const out: Json[] = [];
  for (const d of details) {
    if (!isObject(d)) continue;
    if (d['type'] === 'reasoning.text' && typeof d['signature'] === 'string') {
      out.push({ type: 'thinking', thinking: typeof d['text'] === 'string' ? d['text'] : '', signature: d['signature'] });
    } else if (d['type'] === 'reasoning.encrypted' && typeof d['data'] === 'string') {
      out.push({ type: 'redacted_thinking', data: d['data'] });
    }
  }
  return out;
}

/**
 * OpenAI messages → Anthropic `system` + alternating turns. System/developer messages become `system`; tool results
 * become `tool_result` blocks, consecutive ones (and a user message right after them) merged into one user turn;
 * assistant tool calls become `tool_use` blocks.
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system?: Json[]; messages: Turn[] } {
  const system: Json[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], blocks: Json[]) => pushTurn(turns, role, 'content', blocks);
  messages.forEach((m, i) => {
    const where = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content, where);
        if (text) system.push({ type: 'text', text });
        return;
      }
      case 'user':
        push('user', userBlocks(m, where));
        return;
      case 'assistant': {
        const blocks: Json[] = [...thinkingBlocks(m)];
        for (const p of contentParts(m.content, where)) {
          if (p.kind !== 'text') throw invalid(`${where}: assistant messages cannot contain images`, 'messages');
          blocks.push({ type: 'text', text: p.text });
        }
        (m.tool_calls ?? []).forEach((tc, j) => {
          if (!tc.id || !tc.function?.name) throw invalid(`${where}.tool_calls[${j}] needs an id and function.name`, 'messages');
          blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseArguments(tc.function.arguments, `${where}.tool_calls[${j}]`) });
        });
        push('assistant', blocks);
        return;
      }
      case 'tool':
      case 'function': {
        const id = m.tool_call_id ?? (m.role === 'function' ? m.name : undefined);
        if (!id) throw invalid(`${where}: tool messages need tool_call_id`, 'messages');
        const parts = contentParts(m.content, where);
        const content = parts.every((p) => p.kind === 'text')
          ? parts.map((p) => (p.kind === 'text' ? p.text : '')).join('\n')
          : parts.map((p) => (p.kind === 'text' ? { type: 'text', text: p.text } : imageBlock(p.url, where)));
        push('user', [{ type: 'tool_result', tool_use_id: id, content }]);
        return;
      }
    }
  });
  return { ...(system.length ? { system } : {}), messages: turns };
}

/** The Messages API body for an OpenAI request. */
export function toAnthropicRequest(req: AdapterChatRequest, config: ProviderConfig): Json {
  const b = req.body;
  singleChoice(b);
  const { system, messages } = toAnthropicMessages(b.messages);
  const max = maxTokens(b, config, req.model, ANTHROPIC_DEFAULT_MAX_TOKENS)!;
  const body: Json = { model: req.model, max_tokens: max, messages };
  if (system) body['system'] = system;
  const temperature = numberField(b, 'temperature');
  if (temperature !== undefined) body['temperature'] = Math.min(1, Math.max(0, temperature)); // OpenAI allows 0..2
  const topP = numberField(b, 'top_p');
  if (topP !== undefined) body['top_p'] = topP;
  const stop = stopList(b);
  if (stop?.length) body['stop_sequences'] = stop;
  const user = (b as Json)['user'];
  if (typeof user === 'string' && user) body['metadata'] = { user_id: user };
  // Vendor-native fields a caller may send on purpose.
  for (const key of ['thinking', 'top_k', 'output_config', 'metadata', 'service_tier'] as const) {
    const v = (b as Json)[key];
    if (v !== undefined && v !== null && !(key === 'service_tier' && !['auto', 'standard_only'].includes(String(v)))) body[key] = v;
  }
  const effort = reasoningEffort(b);
  if (effort && body['thinking'] === undefined && THINKING_BUDGET[effort] && max > 1024) {
    body['thinking'] = { type: 'enabled', budget_tokens: Math.max(1024, Math.min(THINKING_BUDGET[effort]!, max - 1)) };
  }

  const tools = functionTools(b);
  const choice = toolChoice(b);
  if (tools.length) {
    body['tools'] = tools.map((t) => ({
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      input_schema: t.parameters ?? { type: 'object', properties: {} },
      ...(t.strict ? { strict: true } : {}),
    }));
    const parallel = (b as Json)['parallel_tool_calls'] === false ? { disable_parallel_tool_use: true } : {};
    if (choice?.kind === 'none') body['tool_choice'] = { type: 'none' };
    else if (choice?.kind === 'required') body['tool_choice'] = { type: 'any', ...parallel };
    else if (choice?.kind === 'function') body['tool_choice'] = { type: 'tool', name: choice.name, ...parallel };
    else if (choice?.kind === 'auto' || Object.keys(parallel).length) body['tool_choice'] = { type: 'auto', ...parallel };
  }
  return body;
}

// ------------------------------------------------------------------------------------------------- response

/** Anthropic `stop_reason` → OpenAI `finish_reason`. */
export function anthropicFinishReason(stop: string | null | undefined): string {
  switch (stop) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function usageFrom(u: AnthropicUsage) {
  const cached = u.cache_read_input_tokens ?? 0;
  return usageOf({ prompt: (u.input_tokens ?? 0) + cached + (u.cache_creation_input_tokens ?? 0), completion: u.output_tokens ?? 0, cachedPrompt: cached });
}

/** A Messages API response → `chat.completion`. Thinking goes to `reasoning_content` (+ signed `reasoning_details`). */
export function fromAnthropicMessage(msg: Json): ChatCompletion {
  const content = Array.isArray(msg['content']) ? (msg['content'] as Json[]) : [];
  let text = '';
  let reasoning = '';
  const details: Json[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of content) {
    switch (block['type']) {
      case 'text':
        text += String(block['text'] ?? '');
        break;
      case 'thinking':
        reasoning += String(block['thinking'] ?? '');
        details.push({ type: 'reasoning.text', text: block['thinking'] ?? '', signature: block['signature'] ?? null, format: 'anthropic-claude-v1', index: details.length });
        break;
      case 'redacted_thinking':
        details.push({ type: 'reasoning.encrypted', data: block['data'], format: 'anthropic-claude-v1', index: details.length });
        break;
      case 'tool_use':
        toolCalls.push({ id: String(block['id']), type: 'function', function: { name: String(block['name']), arguments: argumentsJson(block['input']) } });
        break;
      default: // server tools, citations etc. have no OpenAI equivalent
        break;
    }
  }
  return buildCompletion({
    id: typeof msg['id'] === 'string' && msg['id'] ? msg['id'] : completionId(),
    model: String(msg['model'] ?? ''),
    choices: [
      {
        message: {
          content: text === '' && toolCalls.length ? null : text,
          ...(reasoning ? { reasoning } : {}),
          toolCalls,
          ...(details.length ? { extra: { reasoning_details: details } } : {}),
        },
        finishReason: anthropicFinishReason(msg['stop_reason'] as string | null),
      },
    ],
    usage: usageFrom((msg['usage'] ?? {}) as AnthropicUsage),
  });
}

// ------------------------------------------------------------------------------------------------- stream

interface BlockState {
  kind: string;
  /** OpenAI tool call index (counts tool calls only). */
  toolIndex?: number;
  argsSent: boolean;
}

/**
 * Anthropic stream events → OpenAI chunks. Text → `content`, thinking → `reasoning_content`, each `tool_use` block a
 * tool call (index counting tool calls only) whose `input_json_delta` fragments are forwarded verbatim (a block whose
 * fragments were all empty gets `"{}"`). The finish chunk and the usage chunk are emitted at `message_delta` (usage:
 * input from `message_start` unless `message_delta` repeats it, output from the last `message_delta`).
 */
export class AnthropicStreamTranslator {
  private out!: ChunkStream;
  private readonly blocks = new Map<number, BlockState>();
  private toolCount = 0;
  private usage: AnthropicUsage = {};
  finished = false;

  constructor(private readonly requestedModel: string) {}

  push(event: Json): ChatCompletionChunk[] {
    switch (event['type']) {
      case 'message_start': {
        const m = (event['message'] ?? {}) as Json;
        this.out = new ChunkStream(typeof m['id'] === 'string' && m['id'] ? m['id'] : completionId(), String(m['model'] ?? this.requestedModel));
        this.usage = { ...((m['usage'] ?? {}) as AnthropicUsage) };
        return [];
      }
      case 'content_block_start': {
        const out = this.stream();
        const index = Number(event['index']);
        const block = (event['content_block'] ?? {}) as Json;
        const state: BlockState = { kind: String(block['type']), argsSent: false };
        this.blocks.set(index, state);
        if (state.kind === 'tool_use') {
          state.toolIndex = this.toolCount++;
          // Normally `input` is {} here and the arguments follow as input_json_delta; a complete input up front is kept.
          const input = block['input'];
          const upFront = isObject(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : '';
          state.argsSent = upFront !== '';
          return [out.delta({ tool_calls: [{ index: state.toolIndex, id: String(block['id']), type: 'function', function: { name: String(block['name']), arguments: upFront } }] })];
        }
        if (state.kind === 'text' && typeof block['text'] === 'string' && block['text'] !== '') return [out.delta({ content: block['text'] })];
        if (state.kind === 'thinking' && typeof block['thinking'] === 'string' && block['thinking'] !== '') return [out.delta({ reasoning_content: block['thinking'] })];
        if (state.kind === 'redacted_thinking') {
          return [out.delta({ reasoning_details: [{ type: 'reasoning.encrypted', data: block['data'], format: 'anthropic-claude-v1', index }] })];
        }
        return [];
      }
      case 'content_block_delta': {
        const out = this.stream();
        const index = Number(event['index']);
        const delta = (event['delta'] ?? {}) as Json;
        const state = this.blocks.get(index);
        switch (delta['type']) {
          case 'text_delta':
            return delta['text'] ? [out.delta({ content: String(delta['text']) })] : [];
          case 'thinking_delta':
            return delta['thinking'] ? [out.delta({ reasoning_content: String(delta['thinking']) })] : [];
          case 'signature_delta':
            return [out.delta({ reasoning_details: [{ type: 'reasoning.text', signature: delta['signature'], format: 'anthropic-claude-v1', index }] })];
          case 'input_json_delta': {
            const partial = String(delta['partial_json'] ?? '');
            if (!state || state.toolIndex === undefined || partial === '') return [];
            state.argsSent = true;
            return [out.delta({ tool_calls: [{ index: state.toolIndex, function: { arguments: partial } }] })];
          }
          default: // citations_delta etc.
            return [];
        }
      }
      case 'content_block_stop': {
        const state = this.blocks.get(Number(event['index']));
        if (state?.toolIndex !== undefined && !state.argsSent) {
          state.argsSent = true;
          return [this.stream().delta({ tool_calls: [{ index: state.toolIndex, function: { arguments: '{}' } }] })];
        }
        return [];
      }
      case 'message_delta': {
        const out = this.stream();
        const delta = (event['delta'] ?? {}) as Json;
        const u = (event['usage'] ?? {}) as AnthropicUsage;
        for (const k of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
          if (typeof u[k] === 'number') this.usage[k] = u[k];
        }
        if (this.finished || !delta['stop_reason']) return [];
        this.finished = true;
        return [out.finish(anthropicFinishReason(delta['stop_reason'] as string)), out.usage(usageFrom(this.usage))];
      }
      default: // message_stop, ping, unknown future events
        return [];
    }
  }

  private stream(): ChunkStream {
    // A stream without message_start (non-conforming upstream) still gets one id.
    this.out ??= new ChunkStream(completionId(), this.requestedModel);
    return this.out;
  }
}

