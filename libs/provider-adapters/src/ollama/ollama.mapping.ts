import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ProviderConfig } from '@aisbf/contracts';
import type { AdapterChatRequest } from '../adapter.port';
import type { ImageLoader } from '../shared/image-loader';
import {
  contentParts,
  functionTools,
  invalid,
  isObject,
  type Json,
  maxTokens,
  numberFields,
  parseArguments,
  reasoningEffort,
  singleChoice,
  stopList,
  textOf,
  toolChoice,
  toolNamesById,
} from '../shared/openai-input';
import { argumentsJson, buildCompletion, ChunkStream, completionId, nowSeconds, type OpenAIToolCall, toolCallId, usageOf } from '../shared/openai-output';

/**
 * OpenAI ⇄ Ollama's native `/api/chat`. Messages keep their roles (system messages included), images travel as base64
 * strings, tool calls carry their arguments as objects, `thinking` is the reasoning. `stream` is always sent
 * explicitly: Ollama streams NDJSON when it is omitted.
 */

interface OllamaMessage {
  role: string;
  content: string;
  images?: string[];
  tool_calls?: Json[];
  tool_name?: string;
  tool_call_id?: string;
  thinking?: string;
}

export async function toOllamaMessages(messages: ChatMessage[], loadImage: ImageLoader, signal: AbortSignal): Promise<OllamaMessage[]> {
  const names = toolNamesById(messages);
  const out: OllamaMessage[] = [];
  for (const [i, m] of messages.entries()) {
    const where = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        out.push({ role: 'system', content: textOf(m.content, where) });
        break;
      case 'user': {
        const parts = contentParts(m.content, where);
        const images = await Promise.all(parts.filter((p) => p.kind === 'image').map(async (p) => (await loadImage((p as { url: string }).url, signal)).base64));
        out.push({ role: 'user', content: parts.map((p) => (p.kind === 'text' ? p.text : '')).filter(Boolean).join('\n'), ...(images.length ? { images } : {}) });
        break;
      }
      case 'assistant': {
        const reasoning = (m as Json)['reasoning_content'] ?? (m as Json)['reasoning'];
        const calls = (m.tool_calls ?? []).map((tc, j) => {
          if (!tc.function?.name) throw invalid(`${where}.tool_calls[${j}] needs function.name`, 'messages');
          return { ...(tc.id ? { id: tc.id } : {}), function: { index: j, name: tc.function.name, arguments: parseArguments(tc.function.arguments, `${where}.tool_calls[${j}]`) } };
        });
        out.push({ role: 'assistant', content: textOf(m.content, where), ...(calls.length ? { tool_calls: calls } : {}), ...(typeof reasoning === 'string' && reasoning ? { thinking: reasoning } : {}) });
        break;
      }
      case 'tool':
      case 'function': {
        const name = (m.tool_call_id ? names.get(m.tool_call_id) : undefined) ?? m.name;
        out.push({ role: 'tool', content: textOf(m.content, where), ...(name ? { tool_name: name } : {}), ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}) });
        break;
      }
    }
  }
  return out;
}

export async function toOllamaRequest(req: AdapterChatRequest, config: ProviderConfig, stream: boolean, loadImage: ImageLoader, signal: AbortSignal): Promise<Json> {
  const b = req.body;
  singleChoice(b);
  const body: Json = { model: req.model, messages: await toOllamaMessages(b.messages, loadImage, signal), stream };
  const options: Json = numberFields(b, { temperature: 'temperature', top_p: 'top_p', top_k: 'top_k', seed: 'seed', presence_penalty: 'presence_penalty', frequency_penalty: 'frequency_penalty' });
  const numPredict = maxTokens(b, config, req.model);
  if (numPredict !== undefined) options['num_predict'] = numPredict;
  const stop = stopList(b);
  if (stop?.length) options['stop'] = stop;
  const callerOptions = (b as Json)['options'];
  if (isObject(callerOptions)) Object.assign(options, callerOptions); // Ollama-native options win
  if (Object.keys(options).length) body['options'] = options;

  const rf = (b as Json)['response_format'];
  if (isObject(rf)) {
    if (rf['type'] === 'json_object') body['format'] = 'json';
    if (rf['type'] === 'json_schema' && isObject(rf['json_schema']) && isObject(rf['json_schema']['schema'])) body['format'] = rf['json_schema']['schema'];
  }
  const effort = reasoningEffort(b);
  const think = (b as Json)['think'];
  if (think !== undefined) body['think'] = think;
  else if (effort === 'none') body['think'] = false;
  else if (effort === 'low' || effort === 'medium' || effort === 'high') body['think'] = effort;
  const keepAlive = (b as Json)['keep_alive'];
  if (typeof keepAlive === 'string' || typeof keepAlive === 'number') body['keep_alive'] = keepAlive;

  // Ollama has no tool_choice: "none" sends no tools, a named function sends only that one.
  const choice = toolChoice(b);
  let tools = functionTools(b);
  if (choice?.kind === 'none') tools = [];
  if (choice?.kind === 'function') tools = tools.filter((t) => t.name === choice.name);
  if (tools.length) {
    body['tools'] = tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.parameters ?? { type: 'object', properties: {} } },
    }));
  }
  return body;
}

// ------------------------------------------------------------------------------------------------- response

/** `done_reason` → OpenAI: `stop` with tool calls → `tool_calls`; `length` → `length`. */
export function ollamaFinishReason(doneReason: string | undefined, hadToolCalls: boolean): string {
  if (doneReason === 'length') return 'length';
  return hadToolCalls ? 'tool_calls' : 'stop';
}

function toolCallsOf(message: Json): OpenAIToolCall[] {
  const calls = Array.isArray(message['tool_calls']) ? (message['tool_calls'] as Json[]) : [];
  return calls.map((tc) => {
    const fn = (isObject(tc['function']) ? tc['function'] : {}) as Json;
    return { id: typeof tc['id'] === 'string' && tc['id'] ? tc['id'] : toolCallId(), type: 'function', function: { name: String(fn['name'] ?? ''), arguments: argumentsJson(fn['arguments']) } };
  });
}

function createdOf(res: Json): number {
  const t = typeof res['created_at'] === 'string' ? Date.parse(res['created_at']) : NaN;
  return Number.isNaN(t) ? nowSeconds() : Math.floor(t / 1000);
}

function usageFrom(res: Json) {
  const prompt = typeof res['prompt_eval_count'] === 'number' ? res['prompt_eval_count'] : 0;
  const completion = typeof res['eval_count'] === 'number' ? res['eval_count'] : 0;
  return usageOf({ prompt, completion });
}

export function fromOllamaResponse(res: Json, requestedModel: string): ChatCompletion {
  const message = (isObject(res['message']) ? res['message'] : {}) as Json;
  const toolCalls = toolCallsOf(message);
  const content = typeof message['content'] === 'string' ? message['content'] : '';
  const thinking = typeof message['thinking'] === 'string' ? message['thinking'] : '';
  return buildCompletion({
    id: completionId(),
    model: typeof res['model'] === 'string' ? res['model'] : requestedModel,
    created: createdOf(res),
    choices: [{ message: { content: content === '' && toolCalls.length ? null : content, ...(thinking ? { reasoning: thinking } : {}), toolCalls }, finishReason: ollamaFinishReason(res['done_reason'] as string | undefined, toolCalls.length > 0) }],
    usage: usageFrom(res),
  });
}

/** NDJSON lines → OpenAI chunks; the `done: true` line gives the finish reason and the usage. */
export class OllamaStreamTranslator {
  private out?: ChunkStream;
  private toolCount = 0;
  finished = false;

  constructor(private readonly requestedModel: string) {}

  push(line: Json): ChatCompletionChunk[] {
    this.out ??= new ChunkStream(completionId(), typeof line['model'] === 'string' ? line['model'] : this.requestedModel, createdOf(line));
    const out = this.out;
    const chunks: ChatCompletionChunk[] = [];
    const message = (isObject(line['message']) ? line['message'] : {}) as Json;
    if (typeof message['thinking'] === 'string' && message['thinking']) chunks.push(out.delta({ reasoning_content: message['thinking'] }));
    if (typeof message['content'] === 'string' && message['content']) chunks.push(out.delta({ content: message['content'] }));
    for (const tc of toolCallsOf(message)) {
      chunks.push(out.delta({ tool_calls: [{ index: this.toolCount++, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: tc.function.arguments } }] }));
    }
    if (line['done'] === true && !this.finished) {
      this.finished = true;
      chunks.push(out.finish(ollamaFinishReason(line['done_reason'] as string | undefined, this.toolCount > 0)), out.usage(usageFrom(line)));
    }
    return chunks;
  }
}
