import {
  ChatCompletionRequestSchema,
  type ChatCompletionRequest,
  type Entrypoint,
  RequestCancelledV1,
  type RouteMeta,
  type RouterChatEvent,
  RouterChatV1,
} from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { EventBus, MessagingClient } from '@aisbf/platform-messaging';
import { ackedStream, toAsyncIterable } from '@aisbf/platform-service';
import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@aisbf/contracts';
import { describeIssues } from '../http/validation';
import { ENV } from '../tokens';

export type RouterEvent = Exclude<RouterChatEvent, { type: 'accepted' }>;

/** Parse an OpenAI chat body, naming the first problem so the caller knows what to fix. */
export function parseChatBody(body: unknown): ChatCompletionRequest {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('INVALID_REQUEST', 'Request body must be a JSON object with `model` and `messages`.', { retryable: false });
  }
  const r = ChatCompletionRequestSchema.safeParse(body);
  if (r.success) return r.data;
  const { path, message } = describeIssues(r.error, 1)[0]!;
  throw new AppError('INVALID_REQUEST', `Invalid request: ${path}: ${message}`, { retryable: false, param: path });
}

export interface ForwardedChat {
  meta: RouteMeta;
  /** Events after `meta`: a completion, or chunks then `end`, or an `error`. */
  events: AsyncGenerator<RouterEvent>;
  /** Tell every service working on this request to stop (the client went away). */
  cancel(reason: string): void;
}

/** edge-api's only routing logic: hand the request to the router and wait until it commits (or fails). */
@Injectable()
export class ChatForwarder {
  constructor(
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  /**
   * `clientGone` aborts when the HTTP client disconnects: from then on (also while we still wait for `meta`, e.g. an
   * upstream that has not answered yet) every service working on the request is told to stop.
   */
  async forward(requestId: string, caller: Caller, entrypoint: Entrypoint, body: ChatCompletionRequest, clientGone?: AbortSignal): Promise<ForwardedChat> {
    const ac = new AbortController();
    let cancelled = false;
    const cancel = (reason: string) => {
      if (cancelled) return;
      cancelled = true;
      ac.abort();
      this.bus.publish(RequestCancelledV1, { requestId, reason }, requestId);
    };
    if (clientGone?.aborted) cancel('client disconnected');
    else clientGone?.addEventListener('abort', () => cancel('client disconnected'), { once: true });
    const events = ackedStream(
      toAsyncIterable(this.messaging.request(RouterChatV1, { requestId, caller, entrypoint, body, receivedAt: Date.now() }, requestId)),
      { ackMs: this.env.timeouts.ackMs, idleMs: this.env.timeouts.upstreamMs + 2 * this.env.timeouts.ackMs, hop: 'router', signal: ac.signal },
    );
    const first = await events.next();
    if (first.done) throw new AppError('SERVICE_UNAVAILABLE', 'The router closed the request without answering');
    if (first.value.type === 'error') throw AppError.fromEnvelope(first.value.error);
    if (first.value.type !== 'meta') throw new AppError('INTERNAL', `Unexpected router event '${first.value.type}' before meta`);
    return { meta: first.value.meta, events, cancel };
  }
}
