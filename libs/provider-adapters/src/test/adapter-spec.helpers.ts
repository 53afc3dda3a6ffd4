// Test support shared by the adapter specs (test code only: nothing in the library imports it).
import type { ChatCompletionChunk, ChatCompletionRequest, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { AdapterChatRequest } from '../adapter.port';

export type Json = Record<string, unknown>;

/** A provider config of `type` pointing at a fake's URL. */
export function providerConfig(type: string, endpoint: string, extra: Partial<ProviderConfig> = {}): ProviderConfig {
  return { type, api_key_required: false, endpoint, rate_limit: 0, ...extra } as ProviderConfig;
}

/** An adapter request for upstream `model`; `body` overrides the default one-message request. */
export function chatRequest(model: string, routeModel: string, body: Partial<ChatCompletionRequest> = {}, signal = new AbortController().signal, firstMessage = 'hi'): AdapterChatRequest {
  return {
    model,
    body: { model: routeModel, messages: [{ role: 'user', content: firstMessage }], ...body } as ChatCompletionRequest,
    includeUsage: false,
    signal,
    timeoutMs: 10_000,
  };
}

export async function collect(it: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

/** The AppError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

export const delta = (c: ChatCompletionChunk) => (c.choices[0] as Json | undefined)?.['delta'] as Json | undefined;
