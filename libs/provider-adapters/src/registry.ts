import type { ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { AdapterDeps, AdapterFactory, ProviderAdapter } from './adapter.port';
import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { GoogleAdapter } from './google/google.adapter';
import { OllamaAdapter } from './ollama/ollama.adapter';
import { RunpodAdapter } from './runpod/runpod.adapter';
import { OpenAICompatibleAdapter } from './openai/openai.adapter';

/**
 * Provider `type` → adapter. The original's pre-configured OpenAI-compatible types are thin aliases of `openai`
 * (their endpoint comes from the config).
 */
const OPENAI_COMPATIBLE = [
  'openai', 'groq', 'together_ai', 'fireworks_ai', 'mistral', 'codestral', 'deepseek', 'perplexity', 'deepinfra',
  'cerebras', 'sambanova', 'xai', 'moonshot', 'dashscope', 'nvidia_nim', 'openrouter', 'huggingface', 'lm_studio',
  'vllm', 'llamafile', 'tabbyapi', 'azure_openai',
];

const factories = new Map<string, AdapterFactory>([
  ...OPENAI_COMPATIBLE.map((t) => [t, (id: string, cfg: ProviderConfig, deps: AdapterDeps) => new OpenAICompatibleAdapter(id, cfg, deps)] as const),
  ['anthropic', (id, cfg, deps) => new AnthropicAdapter(id, cfg, deps)],
  ['google', (id, cfg, deps) => new GoogleAdapter(id, cfg, deps)],
  ['ollama', (id, cfg, deps) => new OllamaAdapter(id, cfg, deps)],
  ['runpod', (id, cfg, deps) => new RunpodAdapter(id, cfg, deps)],
]);

export function supportedProviderTypes(): string[] {
  return [...factories.keys()];
}

export function registerAdapter(type: string, factory: AdapterFactory): void {
  factories.set(type, factory);
}

export function createAdapter(providerId: string, config: ProviderConfig, deps: AdapterDeps = {}): ProviderAdapter {
  const f = factories.get(config.type);
  if (!f) {
    throw new AppError('BAD_REQUEST', `Provider '${providerId}' has type '${config.type}', which this gateway does not support`, {
      retryable: false,
      providerId,
    });
  }
  if (config.api_key_required && !config.api_key) {
    throw new AppError('AUTH', `Provider '${providerId}' requires an API key and none is configured`, { retryable: false, providerId });
  }
  return f(providerId, config, deps);
}
