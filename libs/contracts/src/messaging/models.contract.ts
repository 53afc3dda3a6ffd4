import { z } from 'zod';
import { ModelEntrySchema } from '../openai/chat.schema';
import { CallerSchema } from './caller.schema';
import { defineRequest } from './define';

/**
 * edge-api → router: the models this caller may use, in OpenAI's list shape (ids round-trip with chat). Provider
 * entries carry `context_size` (configured → fetched from the upstream → provider `default_context_size`) and
 * `capabilities`. `providerId` limits the answer to one provider (`GET /api/{provider_id}/models`; unknown → 404).
 */
export const RouterModelsV1 = defineRequest(
  'svc.router.models.v1',
  z.object({ caller: CallerSchema, filter: z.enum(['all', 'providers', 'rotations', 'autoselect']).default('all'), providerId: z.string().optional() }),
  z.object({ data: z.array(ModelEntrySchema) }),
);
