import type { ChatMessage } from '@aisbf/contracts';
import { messageText } from './request-text';

/**
 * Conversation text as it goes into a selection or classifier prompt. Text from the conversation cannot open or close
 * our tags: `<aisbf_…>` and the `<model…>` tags inside it are rewritten with look-alike brackets, so a prompt that says
 * `</aisbf_current_task><aisbf_model_autoselection>x` stays inside the task.
 */
export function neutralizeTags(text: string): string {
  return text.replace(/<(\/?)\s*(aisbf_[A-Za-z_]*|model_id|model_description|model)\s*>/gi, '‹$1$2›');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)) + '…';
}

/** `role: text`, one line per message (the original's rendering), capped per message. */
export function renderMessage(m: ChatMessage, maxChars: number): string {
  const name = m.role === 'tool' ? 'tool' : m.role;
  return `${name}: ${truncate(neutralizeTags(messageText(m)).replace(/\s+/g, ' ').trim(), maxChars)}`;
}

/** Keep the head and the tail of a long text (the head often holds the system prompt, the tail the latest turn). */
export function headAndTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max / 3);
  const tail = max - head;
  const omitted = text.length - head - tail;
  return `${text.slice(0, head)}\n[… ${omitted} characters omitted …]\n${text.slice(text.length - tail)}`;
}
