import type { ChatCompletionRequest, ChatMessage } from '@aisbf/contracts';

/** One piece of text a request would send upstream, and where it sits. */
export interface TextSegment {
  /** Index in `request.messages`; -1 for request-level text such as tool definitions. */
  messageIndex: number;
  /** Where in the message: `content`, `content[2].text`, `tool_calls[0].function.arguments`, `tools`. */
  part: string;
  text: string;
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Message-level fields (besides content and tool calls) that carry text upstream. */
const EXTRA_TEXT_FIELDS = ['refusal', 'reasoning_content', 'reasoning'] as const;

function messageSegments(m: ChatMessage, i: number): TextSegment[] {
  const out: TextSegment[] = [];
  const c = m.content;
  if (str(c)) out.push({ messageIndex: i, part: 'content', text: c });
  else if (Array.isArray(c)) {
    c.forEach((p, j) => {
      const part = p as Record<string, unknown>;
      if (str(part['text'])) out.push({ messageIndex: i, part: `content[${j}].text`, text: part['text'] });
      // An image given by URL sends the URL (which may carry a signed token); image bytes (data URLs) are skipped.
      const img = part['image_url'] as { url?: unknown } | string | undefined;
      const url = typeof img === 'string' ? img : img?.url;
      if (str(url) && !url.startsWith('data:')) out.push({ messageIndex: i, part: `content[${j}].image_url`, text: url });
    });
  }
  m.tool_calls?.forEach((tc, j) => {
    if (str(tc.function?.arguments)) out.push({ messageIndex: i, part: `tool_calls[${j}].function.arguments`, text: tc.function.arguments });
  });
  const fc = (m as Record<string, unknown>)['function_call'] as { arguments?: unknown } | undefined;
  if (str(fc?.arguments)) out.push({ messageIndex: i, part: 'function_call.arguments', text: fc.arguments });
  for (const f of EXTRA_TEXT_FIELDS) {
    const v = (m as Record<string, unknown>)[f];
    if (str(v)) out.push({ messageIndex: i, part: f, text: v });
  }
  return out;
}

/**
 * Every piece of text the request would send: all messages of every role (earlier turns, tool results, tool-call
 * arguments, text parts of array content, non-data image URLs) and the tool definitions. Image bytes are not text.
 */
export function requestTextSegments(request: Pick<ChatCompletionRequest, 'messages' | 'tools'>): TextSegment[] {
  const out = request.messages.flatMap((m, i) => messageSegments(m, i));
  if (request.tools?.length) out.push({ messageIndex: -1, part: 'tools', text: JSON.stringify(request.tools) });
  return out;
}

/** Plain text of one message for prompts: text parts joined, images and tool calls as short markers. */
export function messageText(m: ChatMessage): string {
  const parts: string[] = [];
  if (typeof m.content === 'string') parts.push(m.content);
  else if (Array.isArray(m.content)) {
    for (const p of m.content as Array<Record<string, unknown>>) {
      if (typeof p['text'] === 'string') parts.push(p['text']);
      else if (p.type === 'image_url' || p.type === 'input_image' || p.type === 'image') parts.push('[image]');
      else if (p.type === 'input_audio') parts.push('[audio]');
    }
  }
  for (const tc of m.tool_calls ?? []) parts.push(`[tool call: ${tc.function?.name ?? 'unknown'}]`);
  return parts.join(' ');
}

/** What the request needs from the route that serves it. */
export interface RequestNeeds {
  tools: boolean;
  vision: boolean;
  /** Rough prompt size: ~4 characters per token, per-message overhead, a fixed cost per image, tool definitions. */
  estimatedPromptTokens: number;
}

const IMAGE_PART_TYPES = new Set(['image_url', 'input_image', 'image']);
const TOKENS_PER_IMAGE = 765; // OpenAI's cost of a 1024×1024 high-detail image; a conservative middle.

export function requestNeeds(request: ChatCompletionRequest): RequestNeeds {
  const r = request as ChatCompletionRequest & { functions?: unknown[]; tool_choice?: unknown };
  const tools = ((r.tools?.length ?? 0) > 0 || (r.functions?.length ?? 0) > 0) && r.tool_choice !== 'none';
  let vision = false;
  let chars = 0;
  let images = 0;
  for (const m of request.messages) {
    if (Array.isArray(m.content)) {
      for (const p of m.content) {
        if (IMAGE_PART_TYPES.has(p.type)) {
          vision = true;
          images++;
        }
      }
    }
  }
  for (const s of requestTextSegments(request)) if (!s.part.endsWith('image_url')) chars += s.text.length;
  const estimatedPromptTokens = Math.ceil(chars / 4) + 4 * request.messages.length + TOKENS_PER_IMAGE * images;
  return { tools, vision, estimatedPromptTokens };
}
