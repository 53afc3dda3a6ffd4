import { AutoselectConfigSchema, type AutoselectConfig, type ChatCompletionRequest } from '@aisbf/contracts';
import type { RouteTraits, RouteTraitsLookup } from './candidate-filter';

/**
 * An engineering autoselect as an operator would write it: a public coding rotation, a self-hosted privacy-marked
 * coder, a vision model and an NSFW-capable one; a public fallback and a public selection model.
 */
export function engineeringConfig(over: Record<string, unknown> = {}): AutoselectConfig {
  return AutoselectConfigSchema.parse({
    model_name: 'engineering',
    fallback: 'rotation/general',
    selection_model: 'rotation/selector',
    classify_privacy: true,
    available_models: [
      { model_id: 'rotation/coding', description: 'Strong hosted coding model for hard refactors', priority: 10, capabilities: ['tool_use'], context_size: 128000 },
      { model_id: 'rotation/local-coder', description: 'Self-hosted coder on our own GPUs', privacy: true, priority: 5, capabilities: ['function_calling'], context_size: 32000 },
      { model_id: 'rotation/vision', description: 'Multimodal model for screenshots', priority: 1, capabilities: ['vision', 'tools'] },
      { model_id: 'rotation/uncensored', description: 'Unfiltered creative model', nsfw: true, priority: 0 },
    ],
    ...over,
  });
}

export const TRAITS: Record<string, RouteTraits> = {
  'rotation/general': { privacy: false },
  'rotation/local-general': { privacy: true, capabilities: ['tool_use', 'vision'], contextSize: 8000 },
  'rotation/selector': { privacy: false },
  'rotation/local-selector': { privacy: true },
  'rotation/privacy-judge': { privacy: true },
  'rotation/public-judge': { privacy: false },
};
export const traits: RouteTraitsLookup = (id) => TRAITS[id];

export const chat = (content: string, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'autoselect/engineering',
  messages: [{ role: 'user', content }],
  ...extra,
});
