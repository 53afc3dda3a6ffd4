import { z } from 'zod';

/** Who is calling, as established by edge-api's authentication. Travels with every routed request. */
export const CallerSchema = z.object({
  /** `global` = a token from aisbf.json `auth.tokens` (or auth disabled); `user` = a database user's token. */
  kind: z.enum(['global', 'user', 'anonymous']),
  /** Stable label for logs and usage records (never the token itself): `global:<n>`, `user:<username>`. */
  label: z.string(),
  userId: z.number().int().optional(),
  username: z.string().optional(),
  tokenId: z.number().int().optional(),
  isAdmin: z.boolean(),
});
export type Caller = z.infer<typeof CallerSchema>;
