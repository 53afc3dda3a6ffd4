import { z } from 'zod';

/**
 * OpenAI chat-completions wire shapes. Objects are "loose": fields we do not know are kept and passed through in both
 * directions (new upstream fields such as `obfuscation`, vendor fields such as `reasoning_content`).
 */

export const ContentPartSchema = z.looseObject({ type: z.string() });
export type ContentPart = z.infer<typeof ContentPartSchema>;

export const ToolCallSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const ChatMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
    error: 'role must be one of system, developer, user, assistant, tool, function',
  }),
  content: z.union([z.string(), z.array(ContentPartSchema), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCallSchema).optional(),
  tool_call_id: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ChatCompletionRequestSchema = z.looseObject({
  model: z.string({ error: '`model` is required and must be a string' }).min(1, '`model` must not be empty'),
  messages: z
    .array(ChatMessageSchema, { error: '`messages` is required and must be an array of chat messages' })
    .min(1, '`messages` must contain at least one message'),
  stream: z.boolean().nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const UsageSchema = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ChatCompletionSchema = z.looseObject({
  id: z.string(),
  object: z.string(),
  created: z.number(),
  model: z.string(),
  choices: z.array(z.looseObject({ index: z.number(), message: z.looseObject({ role: z.string() }) })),
  usage: UsageSchema.nullable().optional(),
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

export const ChatCompletionChunkSchema = z.looseObject({
  id: z.string(),
  object: z.string(),
  created: z.number(),
  model: z.string(),
  choices: z.array(z.looseObject({ index: z.number() })),
  usage: UsageSchema.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunkSchema>;

/** OpenAI's error body: what every error the gateway returns looks like. */
export const OpenAIErrorBodySchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.string().nullable(),
    param: z.string().nullable().optional(),
  }),
});
export type OpenAIErrorBody = z.infer<typeof OpenAIErrorBodySchema>;

export const ModelEntrySchema = z.looseObject({
  id: z.string(),
  object: z.literal('model'),
  created: z.number(),
  owned_by: z.string(),
});
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

export const ModelListSchema = z.object({ object: z.literal('list'), data: z.array(ModelEntrySchema) });
export type ModelList = z.infer<typeof ModelListSchema>;
