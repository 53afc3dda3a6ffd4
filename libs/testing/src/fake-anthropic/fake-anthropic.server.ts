import { countWords, type Exchange, type RouteContext, splitText, startFakeUpstream } from '../fake-upstream/fake-upstream.core';
import type { BaseScenario, FakeUpstream } from '../fake-upstream/fake-upstream.types';

type Json = Record<string, unknown>;

/**
 * A fake Anthropic Messages API (`POST /v1/messages`, `GET /v1/models`) on node:http, speaking the real wire format:
 * JSON messages, SSE with `event:` + `data:` lines (`message_start`, `content_block_*` with a `ping` after the first
 * block start, `message_delta` carrying the final usage, `message_stop`; no `[DONE]`), `event: error` mid-stream,
 * and the `{"type":"error","error":{type,message},"request_id"}` envelope. It checks what the real API checks and an
 * adapter could get wrong: the `anthropic-version` header, the key (`x-api-key` or `Authorization: Bearer`, as SDK
 * 1.x sends it), required fields, roles, image sources, and that every `tool_use` has its `tool_result` in the next
 * user turn (and no `tool_result` without its `tool_use`).
 */

export interface AnthropicUsageScenario {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface AnthropicTextScenario {
  kind: 'text';
  /** Default: `echo: <last user text>`. */
  content?: string;
  /** Stream text deltas; default `content` in ~3 pieces. */
  chunks?: string[];
  /** A thinking block before the text (with a signature). */
  thinking?: string;
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'pause_turn' | 'model_context_window_exceeded';
  stopSequence?: string;
  usage?: AnthropicUsageScenario;
  model?: string;
  chunkDelayMs?: number;
  /** Stream: headers at once, the first event after this long. Non-stream: the whole answer after this long. */
  firstByteDelayMs?: number;
}

export interface AnthropicToolUseScenario {
  kind: 'tool_use';
  /** Tool calls, in block order; `argumentChunks` are the `partial_json` fragments (default: the JSON in ~3 pieces). */
  calls: Array<{ name: string; input: Json; id?: string; argumentChunks?: string[] }>;
  /** Text block before the calls. */
  text?: string;
  thinking?: string;
  usage?: AnthropicUsageScenario;
}

export interface AnthropicMidstreamScenario {
  kind: 'midstream-error';
  /** Events to send (message_start counts) before failing. */
  afterEvents: number;
  /** `error-event`: `event: error` (overloaded by default) then end; `destroy`: socket destroyed; `end`: clean end. */
  mode: 'error-event' | 'destroy' | 'end';
  errorType?: string;
  errorMessage?: string;
}

export type AnthropicScenario = AnthropicTextScenario | AnthropicToolUseScenario | AnthropicMidstreamScenario;

export interface FakeAnthropicOptions {
  port?: number;
  host?: string;
  /** When set, requests must carry this key. */
  apiKey?: string;
  /** Listed by `GET /v1/models`. */
  models?: Array<{ id: string; display_name?: string; max_input_tokens?: number; max_tokens?: number }>;
}

/** `url` is the base to configure as the provider `endpoint` (no `/v1`; the SDK adds `/v1/messages`). */
export type FakeAnthropic = FakeUpstream<AnthropicScenario>;

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const DEFAULT_MESSAGES: Record<string, string> = {
  overloaded_error: 'Overloaded',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit (https://docs.claude.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
  api_error: 'Internal server error',
  authentication_error: 'invalid x-api-key',
};

export function anthropicErrorBody(type: string, message: string, n = 0): Json {
  return { type: 'error', error: { type, message }, request_id: `req_fake_${n}` };
}

const SIGNATURE = 'EqQBCkgIBhABGAIiQFakeSignatureForTestsOnly0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH==';

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => (b && typeof b === 'object' && (b as Json)['type'] === 'text' ? String((b as Json)['text']) : ''))
    .filter(Boolean)
    .join(' ');
}

function promptWords(body: Json): number {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as Json[]) : [];
  return countWords(textOf(body['system'])) + messages.reduce((n, m) => n + countWords(textOf(m['content'])), 0);
}

function lastUserText(body: Json): string {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as Json[]) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!['role'] === 'user') {
      const t = textOf(messages[i]!['content']);
      if (t) return t;
    }
  }
  return '';
}

/** The real API's validation that matters for translation bugs; returns the error message or undefined. */
export function validateMessagesRequest(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'Invalid JSON body';
  const b = body as Json;
  if (typeof b['model'] !== 'string') return 'model: Field required';
  if (typeof b['max_tokens'] !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(b['messages'])) return 'messages: Field required';
  if (b['system'] !== undefined && typeof b['system'] !== 'string' && !Array.isArray(b['system'])) return 'system: Input should be a valid string or list';
  const messages = b['messages'] as Json[];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m['role'] !== 'user' && m['role'] !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const blocks = typeof m['content'] === 'string' ? [{ type: 'text', text: m['content'] }] : Array.isArray(m['content']) ? (m['content'] as Json[]) : undefined;
    if (!blocks) return `messages.${i}.content: Input should be a valid list`;
    if (blocks.length === 0 && i < messages.length - 1) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    for (let j = 0; j < blocks.length; j++) {
      const blk = blocks[j]!;
      if (blk['type'] === 'image') {
        const src = (blk['source'] ?? {}) as Json;
        if (src['type'] === 'base64') {
          if (!['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(String(src['media_type']))) {
            return `messages.${i}.content.${j}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
          }
          if (typeof src['data'] !== 'string' || src['data'] === '') return `messages.${i}.content.${j}.image.source.base64.data: Field required`;
        } else if (src['type'] === 'url') {
          if (typeof src['url'] !== 'string' || !/^https?:\/\//.test(src['url'])) return `messages.${i}.content.${j}.image.source.url.url: Input should be a valid URL`;
        } else {
          return `messages.${i}.content.${j}.image.source: Input tag '${String(src['type'])}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
        }
      }
      if (blk['type'] === 'tool_use' && (typeof blk['input'] !== 'object' || blk['input'] === null || Array.isArray(blk['input']))) {
        return `messages.${i}.content.${j}.tool_use.input: Input should be a valid dictionary`;
      }
    }
    // tool_use ↔ tool_result pairing
    const prev = i > 0 ? messages[i - 1]! : undefined;
    const prevUses = prev && prev['role'] === 'assistant' && Array.isArray(prev['content']) ? (prev['content'] as Json[]).filter((x) => x['type'] === 'tool_use').map((x) => String(x['id'])) : [];
    const results = blocks.filter((x) => x['type'] === 'tool_result').map((x) => String(x['tool_use_id']));
    if (m['role'] === 'user') {
      const stray = results.filter((id) => !prevUses.includes(id));
      if (stray.length) {
        return `messages.${i}.content.0: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
    if (m['role'] === 'assistant') {
      const uses = blocks.filter((x) => x['type'] === 'tool_use').map((x) => String(x['id']));
      const next = messages[i + 1];
      if (uses.length && next) {
        const nextBlocks = Array.isArray(next['content']) ? (next['content'] as Json[]) : [];
        const answered = nextBlocks.filter((x) => x['type'] === 'tool_result').map((x) => String(x['tool_use_id']));
        const missing = uses.filter((id) => !answered.includes(id));
        if (next['role'] !== 'user' || missing.length) {
          return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
        }
      }
    }
  }
  return undefined;
}

export function anthropicSse(event: Json): string {
  return `event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`;
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const models = options.models ?? [{ id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', max_input_tokens: 200000, max_tokens: 64000 }];

  const fake = await startFakeUpstream<AnthropicScenario>({
    name: 'fake-anthropic',
    host: options.host,
    port: options.port,
    url: (hp) => `http://${hp}`,
    defaultScenario: () => ({ kind: 'text' }),
    errorBody: (status) => {
      const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
      return anthropicErrorBody(type, DEFAULT_MESSAGES[type] ?? `Request failed with status ${status} (fake upstream).`);
    },
    commonHeaders: (n) => ({ 'request-id': `req_fake_${n}`, 'anthropic-organization-id': 'fake-org' }),
    route: async (ctx) => {
      const ex = ctx.exchange(typeof (ctx.body as Json)?.['model'] === 'string' ? ((ctx.body as Json)['model'] as string) : undefined);
      if (options.apiKey !== undefined) {
        const key = ctx.headers['x-api-key'] ?? ctx.headers['authorization']?.replace(/^Bearer\s+/i, '');
        if (key !== options.apiKey) return ex.json(401, anthropicErrorBody('authentication_error', 'invalid x-api-key', ctx.n));
      }
      if (ctx.method === 'GET' && ctx.pathname === '/v1/models') {
        const data = models.map((m) => ({ type: 'model', id: m.id, display_name: m.display_name ?? m.id, created_at: '2025-09-29T00:00:00Z', max_input_tokens: m.max_input_tokens ?? null, max_tokens: m.max_tokens ?? null }));
        return ex.json(200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
      }
      if (ctx.method !== 'POST' || ctx.pathname !== '/v1/messages') {
        return ex.json(404, anthropicErrorBody('not_found_error', 'Not Found', ctx.n));
      }
      if (!ctx.headers['anthropic-version']) return ex.json(400, anthropicErrorBody('invalid_request_error', 'anthropic-version: header is required', ctx.n));
      const problem = validateMessagesRequest(ctx.body);
      if (problem) return ex.json(400, anthropicErrorBody('invalid_request_error', problem, ctx.n));
      const body = ctx.body as Json;
      const play = async (s: AnthropicScenario | BaseScenario<AnthropicScenario>): Promise<void> => {
        if (await ctx.playBase(ex, s, play)) return;
        await playScenario(ex, ctx, body, s as AnthropicScenario);
      };
      await play(ctx.scenarioFor(body['model'] as string));
    },
  });
  return fake;
}

// ------------------------------------------------------------------------------------------------ responses

interface Planned {
  blocks: Json[];
  /** Per block, the deltas a stream sends. */
  deltas: Json[][];
  stopReason: string;
  stopSequence: string | null;
  usage: AnthropicUsageScenario;
}

function plan(body: Json, s: AnthropicTextScenario | AnthropicToolUseScenario, n: number): Planned {
  const blocks: Json[] = [];
  const deltas: Json[][] = [];
  let outWords = 0;
  if (s.thinking) {
    blocks.push({ type: 'thinking', thinking: s.thinking, signature: SIGNATURE });
    deltas.push([...splitText(s.thinking).map((t) => ({ type: 'thinking_delta', thinking: t })), { type: 'signature_delta', signature: SIGNATURE }]);
    outWords += countWords(s.thinking);
  }
  if (s.kind === 'text') {
    const content = s.content ?? (s.chunks ? s.chunks.join('') : `echo: ${lastUserText(body)}`);
    blocks.push({ type: 'text', text: content });
    deltas.push((s.chunks ?? splitText(content)).map((t) => ({ type: 'text_delta', text: t })));
    outWords += countWords(content);
  } else {
    if (s.text) {
      blocks.push({ type: 'text', text: s.text });
      deltas.push(splitText(s.text).map((t) => ({ type: 'text_delta', text: t })));
      outWords += countWords(s.text);
    }
    s.calls.forEach((c, i) => {
      const json = Object.keys(c.input).length ? JSON.stringify(c.input) : '';
      blocks.push({ type: 'tool_use', id: c.id ?? `toolu_fake_${n}_${i}`, name: c.name, input: c.input });
      deltas.push((c.argumentChunks ?? (json ? splitText(json) : [''])).map((p) => ({ type: 'input_json_delta', partial_json: p })));
      outWords += 5 + countWords(json.replace(/[{}[\]":,]/g, ' '));
    });
  }
  const stopReason = s.kind === 'tool_use' ? 'tool_use' : (s.stopReason ?? 'end_turn');
  return {
    blocks,
    deltas,
    stopReason,
    stopSequence: s.kind === 'text' && stopReason === 'stop_sequence' ? (s.stopSequence ?? '```') : null,
    usage: s.usage ?? { input_tokens: promptWords(body), output_tokens: outWords },
  };
}

function usageJson(u: AnthropicUsageScenario): Json {
  return {
    input_tokens: u.input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: u.output_tokens,
    service_tier: 'standard',
  };
}

function emptyBlock(b: Json): Json {
  switch (b['type']) {
    case 'text':
      return { type: 'text', text: '' };
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    default:
      return { type: 'tool_use', id: b['id'], name: b['name'], input: {} };
  }
}

async function playScenario(ex: Exchange, ctx: RouteContext<AnthropicScenario>, body: Json, s: AnthropicScenario): Promise<void> {
  const stream = body['stream'] === true;
  const model = (s.kind === 'text' && s.model) || String(body['model']);
  const id = `msg_fake_${ctx.n}`;

  if (s.kind === 'midstream-error') {
    if (!stream) return ex.json(200, '{"id":"' + id + '","type":"message","content":[{"type":"te'); // truncated body
    ex.head(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    ex.res.flushHeaders();
    const events: Json[] = [
      { type: 'message_start', message: { model, id, type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null, usage: usageJson({ input_tokens: promptWords(body), output_tokens: 1 }) } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ...['partial ', 'answer ', 'that ', 'never ', 'ends'].map((t) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } })),
    ].slice(0, Math.max(0, s.afterEvents));
    for (const e of events) if (!ex.event(anthropicSse(e))) return;
    if (s.mode === 'destroy') return ex.destroy();
    if (s.mode === 'error-event') {
      const type = s.errorType ?? 'overloaded_error';
      ex.event(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message: s.errorMessage ?? DEFAULT_MESSAGES[type] ?? 'error' } })}\n\n`);
    }
    return ex.end();
  }

  const p = plan(body, s, ctx.n);
  const delayMs = s.kind === 'text' ? (s.firstByteDelayMs ?? 0) : 0;
  if (!stream) {
    if (!(await ex.delay(delayMs))) return;
    return ex.json(200, { id, type: 'message', role: 'assistant', model, content: p.blocks, stop_reason: p.stopReason, stop_sequence: p.stopSequence, usage: usageJson(p.usage) });
  }

  ex.head(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  ex.res.flushHeaders();
  if (!(await ex.delay(delayMs))) return;
  const chunkDelay = s.kind === 'text' ? (s.chunkDelayMs ?? 0) : 0;
  const send = async (e: Json, first = false): Promise<boolean> => (first || (await ex.delay(chunkDelay))) && ex.event(anthropicSse(e));
  // message_start carries a placeholder output count, as the real API does.
  if (!(await send({ type: 'message_start', message: { model, id, type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null, usage: usageJson({ ...p.usage, output_tokens: 1 }) } }, true))) return;
  for (let i = 0; i < p.blocks.length; i++) {
    if (!(await send({ type: 'content_block_start', index: i, content_block: emptyBlock(p.blocks[i]!) }))) return;
    if (i === 0 && !ex.event('event: ping\ndata: {"type": "ping"}\n\n')) return;
    for (const delta of p.deltas[i]!) if (!(await send({ type: 'content_block_delta', index: i, delta }))) return;
    if (!(await send({ type: 'content_block_stop', index: i }))) return;
  }
  if (!(await send({ type: 'message_delta', delta: { stop_reason: p.stopReason, stop_sequence: p.stopSequence }, usage: { output_tokens: p.usage.output_tokens } }))) return;
  if (!(await send({ type: 'message_stop' }))) return;
  ex.end();
}
