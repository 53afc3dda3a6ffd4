import { type ChatCompletionRequest, type ChatMessage, effectiveModelSettings, type ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';

/**
 * Readers of the caller's OpenAI request, shared by the translating adapters. Bad input becomes an
 * `INVALID_REQUEST` AppError that names the field (the caller sees an OpenAI-style 400).
 */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

export function invalid(message: string, param?: string): AppError {
  return new AppError('INVALID_REQUEST', message, { retryable: false, ...(param ? { param } : {}) });
}

export type UserPart =
  | { kind: 'text'; text: string }
  | { kind: 'image'; url: string; detail?: string };

/** The parts of a message `content` (string or array of parts); text and image parts only. */
export function contentParts(content: ChatMessage['content'], where: string): UserPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  const out: UserPart[] = [];
  content.forEach((part, i) => {
    const p = part as Json;
    switch (p['type']) {
      case 'text':
      case 'input_text':
        if (typeof p['text'] !== 'string') throw invalid(`${where}.content[${i}].text must be a string`, `${where}.content`);
        if (p['text'] !== '') out.push({ kind: 'text', text: p['text'] });
        return;
      case 'image_url': {
        const iu = p['image_url'];
        const url = typeof iu === 'string' ? iu : isObject(iu) ? iu['url'] : undefined;
        if (typeof url !== 'string' || url === '') throw invalid(`${where}.content[${i}].image_url.url must be a data: or https: URL`, `${where}.content`);
        const detail = isObject(iu) && typeof iu['detail'] === 'string' ? iu['detail'] : undefined;
        out.push({ kind: 'image', url, ...(detail ? { detail } : {}) });
        return;
      }
      default:
        throw invalid(`${where}.content[${i}] has type '${String(p['type'])}', which this provider does not accept (use text or image_url)`, `${where}.content`);
    }
  });
  return out;
}

/** The text of a message content; image parts are not allowed where only text makes sense (system, tool). */
export function textOf(content: ChatMessage['content'], where: string): string {
  return contentParts(content, where)
    .map((p) => {
      if (p.kind !== 'text') throw invalid(`${where}: images are not supported in this message role`, where);
      return p.text;
    })
    .join('\n');
}

export interface DataUrl {
  mediaType: string;
  base64: string;
}

/** `data:<media type>;base64,<data>`; undefined when `url` is not a base64 data URL. */
export function parseDataUrl(url: string): DataUrl | undefined {
  const m = /^data:([^;,]+)?((?:;[^;,]+)*);base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  return { mediaType: (m[1] ?? 'application/octet-stream').toLowerCase(), base64: m[3]!.replace(/\s+/g, '') };
}

/** Image media type from a URL's extension, for upstreams that want one with a URL reference. */
export function mediaTypeFromUrl(url: string): string | undefined {
  const ext = /\.([a-z0-9]+)(?:$|[?#])/i.exec(url)?.[1]?.toLowerCase();
  return ext ? { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif' }[ext] : undefined;
}

export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: Json;
  strict?: boolean;
}

/** The caller's function tools (`tools[].function`). */
export function functionTools(body: ChatCompletionRequest): ToolSpec[] {
  const tools = body.tools ?? [];
  return tools.map((t, i) => {
    if (t.type !== 'function') throw invalid(`tools[${i}].type '${t.type}' is not supported by this provider (only 'function')`, 'tools');
    const fn = (t as Json)['function'];
    if (!isObject(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') throw invalid(`tools[${i}].function.name is required`, 'tools');
    return {
      name: fn['name'],
      ...(typeof fn['description'] === 'string' ? { description: fn['description'] } : {}),
      ...(isObject(fn['parameters']) ? { parameters: fn['parameters'] } : {}),
      ...(typeof fn['strict'] === 'boolean' ? { strict: fn['strict'] } : {}),
    };
  });
}

export type ToolChoice = { kind: 'auto' } | { kind: 'none' } | { kind: 'required' } | { kind: 'function'; name: string };

/** `tool_choice` normalised; undefined when the caller set none. */
export function toolChoice(body: ChatCompletionRequest): ToolChoice | undefined {
  const tc = (body as Json)['tool_choice'];
  if (tc === undefined || tc === null) return undefined;
  if (tc === 'auto' || tc === 'none' || tc === 'required') return { kind: tc };
  if (isObject(tc) && isObject(tc['function']) && typeof tc['function']['name'] === 'string') return { kind: 'function', name: tc['function']['name'] };
  throw invalid(`tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":...}}`, 'tool_choice');
}

/** Parsed `tool_calls[].function.arguments` (a JSON object string); "" counts as `{}`. */
export function parseArguments(args: unknown, where: string): Json {
  if (args === undefined || args === null || (typeof args === 'string' && args.trim() === '')) return {};
  if (isObject(args)) return args;
  if (typeof args === 'string') {
    try {
      const v = JSON.parse(args) as unknown;
      if (isObject(v)) return v;
    } catch {
      /* reported below */
    }
  }
  throw invalid(`${where}.function.arguments must be a JSON object string`, where);
}

/** `stop` as a list. */
export function stopList(body: ChatCompletionRequest): string[] | undefined {
  const s = (body as Json)['stop'];
  if (s === undefined || s === null) return undefined;
  if (typeof s === 'string') return [s];
  if (Array.isArray(s) && s.every((x) => typeof x === 'string')) return s as string[];
  throw invalid('stop must be a string or an array of strings', 'stop');
}

export const numberField = (body: ChatCompletionRequest, key: string): number | undefined => {
  const v = (body as Json)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** The numeric OpenAI fields the caller set, under the vendor's names (`{ top_p: 'topP' }` → `{ topP: 0.9 }`). */
export function numberFields(body: ChatCompletionRequest, names: Record<string, string>): Json {
  const out: Json = {};
  for (const [openaiName, vendorName] of Object.entries(names)) {
    const v = numberField(body, openaiName);
    if (v !== undefined) out[vendorName] = v;
  }
  return out;
}

/** Append `items` as a turn of `role`, merged into the last turn when it has the same role (vendors want alternation). */
export function pushTurn<R extends string, K extends string, T>(turns: Array<{ role: R } & Record<K, T[]>>, role: R, key: K, items: T[]): void {
  if (items.length === 0) return;
  const last = turns[turns.length - 1];
  if (last && last.role === role) last[key].push(...items);
  else turns.push({ role, [key]: [...items] } as { role: R } & Record<K, T[]>);
}

/**
 * Output cap: the caller's `max_completion_tokens`/`max_tokens`, else the model's configured `max_tokens`, else the
 * provider's `default_max_tokens` (the `default_*` cascade), else `fallback` (Anthropic requires one).
 */
export function maxTokens(body: ChatCompletionRequest, config: ProviderConfig, model: string, fallback?: number): number | undefined {
  const fromCaller = body.max_completion_tokens ?? body.max_tokens;
  if (typeof fromCaller === 'number') return fromCaller;
  return effectiveModelSettings(config, model).max_tokens ?? fallback;
}

/** The tool call ids of every assistant message, mapped to the function names (tool results need them on some upstreams). */
export function toolNamesById(messages: ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) {
    for (const tc of m.tool_calls ?? []) {
      if (tc.id && tc.function?.name) names.set(tc.id, tc.function.name);
    }
  }
  return names;
}

/** `reasoning_effort` when the caller set one. */
export function reasoningEffort(body: ChatCompletionRequest): string | undefined {
  const e = (body as Json)['reasoning_effort'];
  return typeof e === 'string' ? e : undefined;
}

/** For upstreams that answer with one choice only: `n` > 1 is refused rather than silently answered once. */
export function singleChoice(body: ChatCompletionRequest): void {
  const n = numberField(body, 'n');
  if (n !== undefined && n !== 1) throw invalid(`n=${n} is not supported by this provider (it returns one choice)`, 'n');
}
