export type { ProviderAdapter, AdapterChatRequest, AdapterDeps, AdapterFactory, PodActivityStore, UpstreamModel } from './adapter.port';
export { createAdapter, registerAdapter, supportedProviderTypes } from './registry';
export { OpenAICompatibleAdapter, openAIError } from './openai/openai.adapter';
export { upstreamHttpError, vendorHttpError, transportError, retryAfterMs, parseDurationMs, errorFields } from './shared/upstream-errors';
export { AnthropicAdapter } from './anthropic/anthropic.adapter';
export { GoogleAdapter } from './google/google.adapter';
export { OllamaAdapter } from './ollama/ollama.adapter';
export { defaultImageLoader, type ImageLoader } from './shared/image-loader';
export { RunpodAdapter, podEndpoint } from './runpod/runpod.adapter';
