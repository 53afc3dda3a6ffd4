import { z } from 'zod';
import { ModelEntrySchema } from '../openai/chat.schema';
import { CallerSchema } from './caller.schema';
import { defineRequest } from './define';

/** edge-api → router: the models this caller may use, in OpenAI's list shape (ids round-trip with chat). */
export const RouterModelsV1 = defineRequest(
  'svc.router.models.v1',
  z.object({ caller: CallerSchema, filter: z.enum(['all', 'providers', 'rotations', 'autoselect']).default('all') }),
  z.object({ data: z.array(ModelEntrySchema) }),
);
