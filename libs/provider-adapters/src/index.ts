export type { ProviderAdapter, AdapterChatRequest, AdapterDeps, AdapterFactory, UpstreamModel } from './adapter.port';
export { createAdapter, registerAdapter, supportedProviderTypes } from './registry';
export { OpenAICompatibleAdapter, openAIError } from './openai/openai.adapter';
export { upstreamHttpError, transportError, retryAfterMs, parseDurationMs, errorFields } from './shared/upstream-errors';
