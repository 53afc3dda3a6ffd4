import type { ChatCompletion, ChatCompletionChunk } from '@aisbf/contracts';
import { prepend } from './event-streams';
import type { PrimedAttempt } from './route-run';

export interface FailoverInfo {
  rotationId: string;
  preferred: { provider: string; model: string };
  used: { provider: string; model: string };
}

/** Header values must be visible ASCII (the original stripped the rest too). */
const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 200);

/**
 * `notify_on_failover` (the original's §4.7): when the answer comes from another candidate than the preferred pick,
 * say so — `X-AISBF-Failover`/`-Preferred-*` headers; non-streams get `aisbf_failover` and a one-line banner before the
 * first choice's content; streams get a leading chunk carrying the banner and the same metadata.
 */
export function withFailoverNotice(primed: PrimedAttempt, info: FailoverInfo): PrimedAttempt {
  const banner = `Provider switched to ${info.used.provider}/${info.used.model} — preferred ${info.preferred.provider}/${info.preferred.model} was unavailable.`;
  const aisbf_failover = { switched: true, rotation: info.rotationId, preferred: info.preferred, used: info.used };
  const meta = {
    ...primed.meta,
    headers: {
      ...primed.meta.headers,
      'x-aisbf-failover': 'true',
      'x-aisbf-preferred-provider': ascii(info.preferred.provider),
      'x-aisbf-preferred-model': ascii(info.preferred.model),
    },
  };
  const first = primed.first;
  if (first.type === 'completion') {
    const c = first.completion as ChatCompletion;
    const choices = c.choices.map((ch, i) => {
      const content = (ch.message as { content?: unknown }).content;
      return i === 0 && typeof content === 'string' ? { ...ch, message: { ...ch.message, content: `${banner}\n\n${content}` } } : ch;
    });
    return { ...primed, meta, first: { type: 'completion', completion: { ...c, choices, aisbf_failover } } };
  }
  if (first.type === 'chunk') {
    const chunk: ChatCompletionChunk = {
      id: first.chunk.id,
      object: 'chat.completion.chunk',
      created: first.chunk.created,
      model: first.chunk.model,
      choices: [{ index: 0, delta: { role: 'assistant', content: `${banner}\n\n` }, finish_reason: null }],
      aisbf_failover,
    };
    return { ...primed, meta, first: { type: 'chunk', chunk }, rest: prepend(first, primed.rest) };
  }
  return { ...primed, meta };
}
