import { z } from 'zod';
import { CallerSchema } from './caller.schema';
import { defineRequest } from './define';

/**
 * edge-api → router: the original's autoselect listings (`GET /api/autoselect`, `/api/autoselect/{id}`,
 * `/api/autoselect/models`), answered from the router's inventory (global autoselects).
 */
export const RouterAutoselectsV1 = defineRequest(
  'svc.router.autoselects.v1',
  z.object({ caller: CallerSchema, op: z.enum(['list', 'get', 'models']), id: z.string().optional() }),
  z.object({ data: z.unknown() }),
);
