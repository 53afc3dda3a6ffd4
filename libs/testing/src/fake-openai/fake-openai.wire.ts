// Pure builders of OpenAI chat.completions wire objects, shaped after the recorded traffic in
// /work/shared/fixtures/providers/openai (key order, null fields, usage details, error envelopes).

export type Json = Record<string, unknown>;

/** What a response needs to know about the request it answers. */
export interface ResponseContext {
  id: string;
  created: number;
  model: string;
  serviceTier: string;
  includeUsage: boolean;
  /** Number of choices (`n` of the request, at least 1). */
  n: number;
  extra: Json;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** The text of a message `content` (string or array of parts); non-text parts are ignored. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof (part as Json)['text'] === 'string' ? ((part as Json)['text'] as string) : ''))
      .filter(Boolean)
      .join(' ');
  }
  return '';
}

function messagesOf(body: Json): Json[] {
  const messages = body['messages'];
  return Array.isArray(messages) ? messages.filter((m): m is Json => !!m && typeof m === 'object') : [];
}

/** Rough prompt size: the words of every message's text content and tool call arguments. */
export function promptWords(body: Json): number {
  let words = 0;
  for (const message of messagesOf(body)) {
    words += countWords(contentText(message['content']));
    const toolCalls = message['tool_calls'];
    if (Array.isArray(toolCalls)) {
      for (const call of toolCalls) {
        const fn = call && typeof call === 'object' ? (call as Json)['function'] : undefined;
        const args = fn && typeof fn === 'object' ? (fn as Json)['arguments'] : undefined;
        if (typeof args === 'string') words += countWords(args);
      }
    }
  }
  return words;
}

export function lastUserText(body: Json): string {
  const users = messagesOf(body).filter((m) => m['role'] === 'user');
  return users.length ? contentText(users[users.length - 1]['content']) : '';
}

/** Splits `text` into `parts` pieces of about equal length (by code point); short texts give fewer pieces. */
export function splitIntoChunks(text: string, parts = 3): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const count = Math.min(parts, chars.length);
  const size = Math.ceil(chars.length / count);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

export function usageObject(usage: Usage): Json {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

// ---------------------------------------------------------------------------------------------- non-stream

export function textCompletion(ctx: ResponseContext, content: string, finishReason: string, usage: Usage): Json {
  const choices = Array.from({ length: ctx.n }, (_, index) => ({
    index,
    message: { role: 'assistant', content, refusal: null, annotations: [] },
    logprobs: null,
    finish_reason: finishReason,
  }));
  return completion(ctx, choices, usage);
}

export function toolCallCompletion(ctx: ResponseContext, call: { id: string; name: string; arguments: string }, usage: Usage): Json {
  const choices = [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }],
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ];
  return completion(ctx, choices, usage);
}

function completion(ctx: ResponseContext, choices: Json[], usage: Usage): Json {
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices,
    usage: usageObject(usage),
    service_tier: ctx.serviceTier,
    system_fingerprint: null,
    ...ctx.extra,
  };
}

// ---------------------------------------------------------------------------------------------- stream

/** One `chat.completion.chunk`; `usage: null` is present on every chunk when the request asked for usage (as OpenAI does). */
export function chunk(ctx: ResponseContext, choices: Json[], usage?: Usage): Json {
  return {
    id: ctx.id,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    service_tier: ctx.serviceTier,
    system_fingerprint: null,
    choices,
    ...(usage ? { usage: usageObject(usage) } : ctx.includeUsage ? { usage: null } : {}),
    ...ctx.extra,
  };
}

function choiceDelta(index: number, delta: Json, finishReason: string | null = null): Json {
  return { index, delta, logprobs: null, finish_reason: finishReason };
}

/** role chunk, content chunks, finish chunk (per choice), then the usage chunk when asked for. */
export function textChunks(ctx: ResponseContext, contentChunks: string[], finishReason: string, usage: Usage): Json[] {
  const out: Json[] = [];
  const indexes = Array.from({ length: ctx.n }, (_, i) => i);
  for (const i of indexes) out.push(chunk(ctx, [choiceDelta(i, { role: 'assistant', content: '', refusal: null })]));
  for (const piece of contentChunks) {
    for (const i of indexes) out.push(chunk(ctx, [choiceDelta(i, { content: piece })]));
  }
  for (const i of indexes) out.push(chunk(ctx, [choiceDelta(i, {}, finishReason)]));
  if (ctx.includeUsage) out.push(chunk(ctx, [], usage));
  return out;
}

export function toolCallChunks(ctx: ResponseContext, call: { id: string; name: string }, argumentChunks: string[], usage: Usage): Json[] {
  const out: Json[] = [
    chunk(ctx, [
      choiceDelta(0, {
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
        refusal: null,
      }),
    ]),
  ];
  for (const piece of argumentChunks) {
    out.push(chunk(ctx, [choiceDelta(0, { tool_calls: [{ index: 0, function: { arguments: piece } }] })]));
  }
  out.push(chunk(ctx, [choiceDelta(0, {}, 'tool_calls')]));
  if (ctx.includeUsage) out.push(chunk(ctx, [], usage));
  return out;
}

/** Role chunk followed by content chunks only (no finish, no usage): the material of a broken stream. */
export function partialTextChunks(ctx: ResponseContext, contentChunks: string[]): Json[] {
  return [
    chunk(ctx, [choiceDelta(0, { role: 'assistant', content: '', refusal: null })]),
    ...contentChunks.map((piece) => chunk(ctx, [choiceDelta(0, { content: piece })])),
  ];
}

export function sseData(payload: unknown): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';

// ---------------------------------------------------------------------------------------------- errors

export function errorEnvelope(message: string, type: string, code: string | null, param: string | null = null): Json {
  return { error: { message, type, param, code } };
}

/** The error envelope OpenAI sends for `status` (messages follow the real ones, shortened). */
export function defaultErrorBody(status: number, model: string | undefined): Json {
  switch (status) {
    case 400:
      return errorEnvelope('Invalid request (fake upstream).', 'invalid_request_error', null);
    case 401:
      return errorEnvelope('Incorrect API key provided: sk-fake***. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
    case 403:
      return errorEnvelope('You are not allowed to sample from this model.', 'invalid_request_error', null);
    case 404:
      return errorEnvelope(`The model \`${model ?? 'unknown'}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 429:
      return errorEnvelope(
        `Rate limit reached for ${model ?? 'model'} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.`,
        'requests',
        'rate_limit_exceeded',
      );
    default:
      if (status >= 500) return errorEnvelope('The server had an error while processing your request. Sorry about that!', 'server_error', null);
      return errorEnvelope(`Request failed with status ${status} (fake upstream).`, 'invalid_request_error', null);
  }
}

export const INVALID_JSON_BODY = errorEnvelope(
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  'invalid_request_error',
  null,
);

/** OpenAI's errors come 4-space indented with a trailing newline (see error.404.model_not_found.json). */
export function errorJson(body: unknown): string {
  return `${JSON.stringify(body, null, 4)}\n`;
}

/** OpenAI's completions come 2-space indented (see chat.nonstream.text.gpt-3.5-turbo.json). */
export function completionJson(body: unknown): string {
  return JSON.stringify(body, null, 2);
}
